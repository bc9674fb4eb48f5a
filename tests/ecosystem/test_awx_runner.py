"""The demo as AWX / Automation Platform runs a job: through ansible-runner, with a private data
directory, extra vars, and the credentials in the env file that a credential type injects."""

import os
import shutil
import sys

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.simulator.datadog import DEFAULT_API_KEY

ansible_runner = pytest.importorskip('ansible_runner')


def job(private_data_dir, cmdline=None):
    return ansible_runner.run(private_data_dir=str(private_data_dir), playbook='demo.yml', quiet=True, cmdline=cmdline)


@pytest.fixture
def job_directory(sim, tmp_path):
    """A private data directory as AWX prepares it for the demo job template."""
    project = tmp_path / 'project'
    shutil.copytree(os.path.join(REPO_ROOT, 'examples'), project)
    env = tmp_path / 'env'
    env.mkdir()
    # What a custom credential type injects (docs/awx.md), the simulator's URLs (a real account needs none),
    # and where AWX would have installed the collection.
    injected = {k: v for k, v in sim.playbook_env(datadog=True).items()
                if k.startswith(('PAGERDUTY_', 'DD_')) or k == 'ANSIBLE_COLLECTIONS_PATH'}
    injected['PATH'] = os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH']
    (env / 'envvars').write_text(yaml.safe_dump(injected))
    (env / 'extravars').write_text(yaml.safe_dump({'service_name': 'Checkout', 'show_postman_key': False}))
    (env / 'passwords').write_text('{}\n')
    return tmp_path


def test_check_job_on_an_empty_account_predicts_the_whole_stack(sim, job_directory):
    # A job template with "Check" as its job type, before anything exists.
    checked = job(job_directory, cmdline='--check')
    assert checked.status == 'successful', checked.stdout.read()[-3000:]
    assert not checked.stats['failures'] and checked.stats['changed'].get('localhost', 0) > 0
    assert sim.writes() == [] and sim.state()['services'] == []


def test_demo_job_through_ansible_runner(sim, job_directory):
    tmp_path = job_directory
    first = job(tmp_path)
    assert first.status == 'successful', first.stdout.read()[-3000:]
    assert first.stats['changed'].get('localhost', 0) > 0 and not first.stats['failures']
    changed_events = [e for e in first.events if e.get('event') == 'runner_on_ok' and e['event_data'].get('res', {}).get('changed')]
    assert changed_events, 'the job events report changes'

    second = job(tmp_path)
    assert second.status == 'successful'
    assert second.stats['changed'] == {} and second.stats['ok'].get('localhost', 0) > 0
    # The job's events never carry a key or the token (AWX stores and shows them).
    events = str([e.get('stdout', '') for e in first.events] + [e.get('stdout', '') for e in second.events])
    assert sim.token not in events and DEFAULT_API_KEY not in events
