"""Run ansible-test on this collection: `python tests/tools/run_ansible_test.py sanity|integration ARGS...`.

ansible-test needs the collection at ansible_collections/<namespace>/<name>, while this repository's
root is the collection root; so the tracked (and untracked, not ignored) files are copied to a
fresh <tmp>/oncall.pagerduty-ansible-test-*/ansible_collections/oncall/pagerduty first. It also needs, offline:
- the pip bootstrap script it would download (get_pip_offline.py, put in its cache), and
- a PATH on which every python3.X runs (pyenv's shims for versions not selected fail), so it
  finds the real interpreters and nothing else.
Integration runs get the simulator (or a real account, with PAGERDUTY_API_TOKEN) through
tests/integration/integration_config.yml, written by simulator.py.
"""

import fcntl
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def copy_collection(destination):
    files = subprocess.check_output(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                                    cwd=REPO_ROOT).decode().split('\0')
    for name in filter(None, files):
        source = os.path.join(REPO_ROOT, name)
        if not os.path.isfile(source):
            continue  # deleted in the work tree but still in the index
        target = os.path.join(destination, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)


def install_pip_bootstrap():
    """Put the offline get-pip stand-in where ansible-test looks, for every pip version it pins."""
    import ansible_test

    source = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(source) as handle:
        versions = set(re.findall(r"pip='([0-9.]+)'", handle.read()))
    cache = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache, exist_ok=True)
    for version in versions:
        # Copied, then renamed into place: a run beside this one never reads a half-written copy.
        target = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
        partial = '%s.%d' % (target, os.getpid())
        shutil.copy(os.path.join(REPO_ROOT, 'tests', 'tools', 'get_pip_offline.py'), partial)
        os.replace(partial, target)


def make_ssh_key_pair():
    """The SSH key pair ansible-test makes on its first run, made here under a lock: `make integration`
    runs two ansible-tests side by side, and on a fresh machine the second one found the key without
    its .pub yet, ran ssh-keygen again, and failed at its overwrite prompt."""
    directory = os.path.expanduser('~/.ansible/test')
    os.makedirs(directory, exist_ok=True)
    key = os.path.join(directory, 'id_rsa')
    with open(os.path.join(directory, '.oncall-pagerduty-keygen.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (os.path.isfile(key) and os.path.isfile(key + '.pub')):
            for stale in (key, key + '.pub'):
                if os.path.exists(stale):
                    os.remove(stale)
            subprocess.run(['ssh-keygen', '-m', 'PEM', '-q', '-t', 'rsa', '-N', '', '-f', key], check=True,
                           stdin=subprocess.DEVNULL, capture_output=True)


def link_interpreters(directory):
    """A directory of python3.X links to interpreters that really run."""
    os.makedirs(directory)
    candidates = sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/3.*/bin/python3.*')))
    candidates += [shutil.which('python3.%d' % minor) or '' for minor in range(8, 15)]
    for path in candidates:
        name = os.path.basename(path)
        link = os.path.join(directory, name)
        if re.match(r'^python3\.\d+$', name) and not os.path.exists(link) and _runs(path):
            os.symlink(path, link)
    # The running interpreter wins for its own version: it has ansible-core installed.
    own = os.path.join(directory, 'python%d.%d' % sys.version_info[:2])
    if os.path.lexists(own):
        os.remove(own)
    os.symlink(sys.executable, own)


def _runs(path):
    try:
        return subprocess.run([path, '-c', 'pass'], capture_output=True, timeout=20, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def main():
    args = sys.argv[1:]
    # A fresh copy for every run, outside the repository (inside it, ansible-test would ask this
    # repository's git for the file list), so that runs side by side cannot disturb each other.
    build = tempfile.mkdtemp(prefix='oncall.pagerduty-ansible-test-')
    try:
        collection = os.path.join(build, 'ansible_collections', 'oncall', 'pagerduty')
        copy_collection(collection)
        install_pip_bootstrap()
        make_ssh_key_pair()
        interpreters = os.path.join(build, 'bin')
        link_interpreters(interpreters)
        venv_bin = os.path.dirname(sys.executable)
        env = dict(os.environ, PATH=os.pathsep.join([interpreters, venv_bin, '/usr/local/bin', '/usr/bin', '/bin']))
        command = [os.path.join(venv_bin, 'ansible-test')] + args
        if args[:1] == ['integration']:
            config = os.path.join(collection, 'tests', 'integration', 'integration_config.yml')
            command = [sys.executable, os.path.join(REPO_ROOT, 'tests', 'tools', 'simulator.py'),
                       '--integration-config', config, '--'] + command
        return subprocess.call(command, cwd=collection, env=env)
    finally:
        shutil.rmtree(build, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
