"""`make demo` runs against a real PagerDuty account only when asked to: a token exported in a shell profile
must not create objects and send a test alert in somebody's account."""

import io
import os
import socket
import sys

import pytest

from tests.conftest import REPO_ROOT

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
import demo  # noqa: E402


class Terminal(io.StringIO):
    def isatty(self):
        return True


def no_question(prompt):
    raise AssertionError('asked without a terminal: %s' % prompt)


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError('the demo contacted something: %r' % (args,))
    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)


def test_a_token_without_the_switch_or_a_terminal_refuses_and_says_how_to_proceed(no_network):
    with pytest.raises(demo.DemoRefused) as refusal:
        demo.choose_backend({'PAGERDUTY_API_TOKEN': 'u+fake-token'}, io.StringIO(), ask=no_question)
    message = str(refusal.value)
    assert 'https://api.pagerduty.com' in message
    assert 'DEMO_REAL_ACCOUNT=yes' in message
    assert 'unset PAGERDUTY_API_TOKEN' in message
    assert 'u+fake-token' not in message


def test_the_refusal_names_the_account_s_region_or_url(no_network):
    with pytest.raises(demo.DemoRefused, match=r'https://api\.eu\.pagerduty\.com \(region eu\)'):
        demo.choose_backend({'PAGERDUTY_API_TOKEN': 'x', 'PAGERDUTY_REGION': 'eu'}, None, ask=no_question)
    with pytest.raises(demo.DemoRefused, match='https://pd.example.test'):
        demo.choose_backend({'PAGERDUTY_API_TOKEN': 'x', 'PAGERDUTY_API_URL': 'https://pd.example.test'}, None)


def test_the_switch_allows_the_real_account_without_a_question(no_network):
    assert demo.choose_backend({'PAGERDUTY_API_TOKEN': 'x', 'DEMO_REAL_ACCOUNT': 'yes'}, Terminal(),
                               ask=no_question) == 'real'


def test_a_switch_other_than_yes_refuses(no_network):
    with pytest.raises(demo.DemoRefused, match='not "yes"'):
        demo.choose_backend({'PAGERDUTY_API_TOKEN': 'x', 'DEMO_REAL_ACCOUNT': 'no'}, Terminal(), ask=no_question)


def test_without_a_token_the_simulator_is_used_without_a_question(no_network):
    assert demo.choose_backend({}, Terminal(), ask=no_question) == 'simulator'
    assert demo.choose_backend({'DEMO_REAL_ACCOUNT': 'yes'}, io.StringIO(), ask=no_question) == 'simulator'


@pytest.mark.parametrize('answer, expected', [('yes', 'real'), (' YES\n', 'real'), ('y', None), ('', None)])
def test_on_a_terminal_only_yes_proceeds(no_network, answer, expected):
    prompts = []

    def ask(prompt):
        prompts.append(prompt)
        return answer
    environ = {'PAGERDUTY_API_TOKEN': 'x', 'PAGERDUTY_REGION': 'eu'}
    if expected:
        assert demo.choose_backend(environ, Terminal(), ask=ask) == expected
    else:
        with pytest.raises(demo.DemoRefused, match='DEMO_REAL_ACCOUNT=yes'):
            demo.choose_backend(environ, Terminal(), ask=ask)
    [prompt] = prompts
    assert 'https://api.eu.pagerduty.com (region eu)' in prompt and '"yes"' in prompt


def test_the_demo_refuses_before_installing_or_starting_anything(no_network, monkeypatch, capsys):
    def must_not_run(*args, **kwargs):
        raise AssertionError('the demo went on after refusing')
    monkeypatch.setattr(demo, 'install_collection', must_not_run)
    monkeypatch.setattr(demo, 'backend', must_not_run)
    monkeypatch.setattr(demo, 'run_playbook', must_not_run)
    monkeypatch.setenv('PAGERDUTY_API_TOKEN', 'u+fake-token')
    monkeypatch.delenv('DEMO_REAL_ACCOUNT', raising=False)
    monkeypatch.setattr(sys, 'stdin', io.StringIO())
    assert demo.main() == 2
    assert 'DEMO_REAL_ACCOUNT=yes' in capsys.readouterr().err
