"""Fixtures: the collection importable as ansible_collections.oncall.pagerduty, a simulator
serving real HTTP on 127.0.0.1, and a runner that executes a module in-process against it."""

import contextlib
import json
import os
import shutil
import ssl
import sys

import pytest
import requests

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_IMPORT_ROOT = os.path.join(REPO_ROOT, '.build', 'pytest-%d' % os.getpid())
_LINK = os.path.join(_IMPORT_ROOT, 'ansible_collections', 'oncall', 'pagerduty')
os.makedirs(os.path.dirname(_LINK), exist_ok=True)
if not os.path.lexists(_LINK):
    os.symlink(REPO_ROOT, _LINK)
sys.path.insert(0, _IMPORT_ROOT)
sys.path.insert(0, REPO_ROOT)
# A collections path holding this collection, for the ansible-playbook runs of the tests.
COLLECTIONS_PATH = _IMPORT_ROOT

from tests.simulator import DEFAULT_READONLY_TOKEN, DEFAULT_TOKEN, SimulatorServer  # noqa: E402
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY  # noqa: E402
from tests.simulator.server import SETUP_HEADER  # noqa: E402
from tests.tools.simulator import SIM_USER_EMAIL  # noqa: E402


def pytest_unconfigure(config):
    if os.path.lexists(_LINK):
        os.remove(_LINK)
    shutil.rmtree(_IMPORT_ROOT, ignore_errors=True)


# The simulator as a real account behaves (tests/simulator/README.md, "As unkind as PagerDuty"), for every test
# unless it says otherwise: reads lag writes by a moment (terraform-provider-pagerduty #273, #274), the first
# integration create is refused with a passing 400 (its PR #253, #1117), and the dependency graph learns of a new
# service later than reads do (its commit cbfb1bb9). The simulator's own defaults, which the demo uses, are off.
REAL_ACCOUNT_SETTINGS = {'read_after_write_lag_seconds': 0.3, 'integration_create_transient_400s': 1,
                         'dependency_graph_lag_seconds': 0.5}


def pytest_configure(config):
    config.addinivalue_line('markers', 'reads_follow_writes(why): this test runs against a simulator whose reads '
                                       'show every write at once and that refuses no create in passing: say why')


class SimulatorControl:
    """The /_sim/ test controls of a running simulator; `settings_after_reset` are applied after each reset."""

    def __init__(self, url, settings_after_reset=None):
        self.url = url
        self.token = DEFAULT_TOKEN
        self.readonly_token = DEFAULT_READONLY_TOKEN
        self.http = requests.Session()
        self.settings_after_reset = dict(settings_after_reset or {})

    def _call(self, method, name, body=None):
        response = self.http.request(method, '%s/_sim/%s' % (self.url, name), json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def reset(self):
        answer = self._call('POST', 'reset')
        if self.settings_after_reset:
            self.settings(**self.settings_after_reset)
        return answer

    def requests(self):
        return self._call('GET', 'requests')['requests']

    def clear_requests(self):
        return self._call('DELETE', 'requests')

    def writes(self):
        return [r for r in self.requests() if r['method'] != 'GET']

    def fault(self, **spec):
        return self._call('POST', 'faults', spec)

    def rate_limit(self, limit, window_seconds=60):
        return self._call('POST', 'rate_limit', {'limit': limit, 'window_seconds': window_seconds})

    def seed(self, **body):
        return self._call('POST', 'seed', body)

    def settings(self, **body):
        return self._call('POST', 'settings', body)

    def state(self):
        return self._call('GET', 'state')

    def datadog(self, **settings):
        """Datadog's side: set tile_installed / can_manage_integrations, then return its state with the keys."""
        if settings:
            self._call('POST', 'datadog', settings)
        return self._call('GET', 'datadog')

    def playbook_env(self, datadog=False, collections_path=COLLECTIONS_PATH, **extra):
        """The environment of an ansible-playbook run against this simulator: the modules take its URLs,
        token and user (and with `datadog`, Datadog's keys) through their environment fallbacks."""
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, PAGERDUTY_API_URL=self.url,
                   PAGERDUTY_API_TOKEN=self.token, PAGERDUTY_EVENTS_URL=self.url, PAGERDUTY_FROM_EMAIL=SIM_USER_EMAIL,
                   ANSIBLE_FORCE_COLOR='0', ANSIBLE_LOCALHOST_WARNING='0')
        if datadog:
            env.update(DD_API_URL=self.url, DD_API_KEY=DEFAULT_API_KEY, DD_APP_KEY=DEFAULT_APP_KEY)
        env.update(extra)
        return env

    def api(self, method, path, body=None, token=None, headers=None, **query):
        """A PagerDuty API call straight to the simulator (counts in the request log), with extra `headers`."""
        headers = dict(headers or {}, **{'Authorization': 'Token token=%s' % (token or self.token),
                                         'Accept': 'application/vnd.pagerduty+json;version=2'})
        if self.settings_after_reset:
            # A test's own calls make the account it starts from, or stand for someone else's earlier change:
            # readable at once, whatever lag the collection's requests meet.
            headers[SETUP_HEADER] = 'true'
        return self.http.request(method, self.url + path, json=body, params=query, headers=headers, timeout=30)


@pytest.fixture(scope='session')
def simulator_server():
    server = SimulatorServer().start()
    yield server
    server.stop()


@pytest.fixture(scope='session')
def tls_simulator_server(tmp_path_factory):
    """A second simulator, over HTTPS, with a certificate for 127.0.0.1 from a test CA the system does not trust;
    `ca_file` is the CA's PEM file (ca_path)."""
    trustme = pytest.importorskip('trustme')
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert('127.0.0.1').configure_cert(context)
    ca_file = tmp_path_factory.mktemp('tls') / 'ca.pem'
    authority.cert_pem.write_to_path(str(ca_file))
    server = SimulatorServer(tls_context=context).start()
    server.ca_file = str(ca_file)
    yield server
    server.stop()


@pytest.fixture
def sim(simulator_server, request):
    """The simulator in its seed state, with an empty request log, behaving as a real account
    (REAL_ACCOUNT_SETTINGS) unless the test is marked reads_follow_writes."""
    prompt = request.node.get_closest_marker('reads_follow_writes') is not None
    control = SimulatorControl(simulator_server.url, settings_after_reset=None if prompt else REAL_ACCOUNT_SETTINGS)
    control.reset()
    return control


@contextlib.contextmanager
def module_args(args):
    """Hand `args` to AnsibleModule the way each supported ansible-core version reads them."""
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19 and later
    except ImportError:
        from ansible.module_utils import basic
        from ansible.module_utils.common.text.converters import to_bytes

        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = None
        return
    with patch_module_args(args):
        yield


# Which path run_module takes: the module's main() (AnsibleModule), or the in-process action
# plugin's (the same validation and kind, in this process); make reliability runs the latter.
EXECUTION = os.environ.get('ONCALL_TEST_EXECUTION', 'module')


def kind_of(module):
    """The kind a module runs: declared by the module's action plugin."""
    import importlib

    name = module.__name__.rsplit('.', 1)[1]
    action = importlib.import_module('ansible_collections.oncall.pagerduty.plugins.action.%s' % name)
    return action.ActionModule.kind


@pytest.fixture
def run_module(sim, capsys):
    """run_module(module, **options) -> the module's result dict (with 'failed' when it failed).

    The module runs in this process and talks real HTTP to the simulator; credentials default to it.
    """

    def run(module, check_mode=False, diff=False, **options):
        if getattr(module, '__name__', '').endswith('pd_datadog_service'):
            args = {'api_url': sim.url, 'api_key': DEFAULT_API_KEY, 'app_key': DEFAULT_APP_KEY}
        else:
            args = {'api_url': sim.url, 'api_token': sim.token}
        args.update(options)
        args = {k: v for k, v in args.items() if v is not None}
        forget_warnings()
        if EXECUTION == 'in_process' and hasattr(module, 'main'):
            from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import run_in_process

            return run_in_process(kind_of(module), args, check_mode=check_mode, diff=diff,
                                  name=module.__name__.rsplit('.', 1)[1])
        args['_ansible_check_mode'] = check_mode
        args['_ansible_diff'] = diff
        capsys.readouterr()
        with module_args(args), as_a_started_module(), pytest.raises(SystemExit):
            module.main()
        return json.loads(capsys.readouterr().out)

    return run


@contextlib.contextmanager
def as_a_started_module():
    """A started module's process has never imported Ansible's controller code; this one may have
    (the action plugins' tests), which would send a module's warnings to the controller's display
    instead of its result (ansible-core 2.19 and later)."""
    try:
        from ansible.module_utils import _internal
    except ImportError:
        yield
        return
    was = getattr(_internal, 'is_controller', False)
    _internal.is_controller = False
    try:
        yield
    finally:
        _internal.is_controller = was


def forget_warnings():
    """Warnings are collected in module-level state that outlives an in-process module run."""
    from ansible.module_utils.common import warnings

    warnings._global_warnings.clear()
    warnings._global_deprecations.clear()


def warning_texts(result):
    """The warnings of a result as text: ansible-core 2.19+ returns them as structured summaries."""
    return [w if isinstance(w, str) else w['event']['msg'] for w in result.get('warnings', [])]
