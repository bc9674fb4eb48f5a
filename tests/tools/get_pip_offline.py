"""Offline stand-in for ansible-test's downloaded get-pip.py bootstrap script.

ansible-test bootstraps pip in the virtual environments it creates by running a get-pip.py that it
downloads from a host this machine cannot reach. This script does the same job from what is here:
ensurepip provides pip, then pip installs the packages ansible-test asked for from the package index.
`run_ansible_test.py` copies it into ansible-test's cache under the names ansible-test looks for.
"""

import ensurepip
import os
import ssl
import subprocess
import sys

# get-pip.py options that are not pip options.
GET_PIP_ONLY_OPTIONS = {'--no-setuptools', '--no-wheel'}


def system_ca_bundle():
    """The system's CA bundle: pip from ensurepip can be older than pip's use of the system store,
    and ansible-test passes pip few environment variables, so its bundled CAs would be all it trusts."""
    paths = ssl.get_default_verify_paths()
    for path in (paths.cafile, paths.openssl_cafile):
        if path and os.path.exists(path):
            return path
    return None


def main():
    ensurepip.bootstrap(upgrade=True)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    cafile = system_ca_bundle()
    if cafile:
        args = ['--cert', cafile] + args
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    main()
