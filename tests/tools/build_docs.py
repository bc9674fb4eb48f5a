"""`make docs`: the HTML site, from the installed collection, with antsibull-docs and Sphinx.

Any Sphinx warning fails the build, with one exception: without network access, intersphinx
cannot fetch the inventories of docs.ansible.com, so references into Ansible's own docs
(common_return_values, ansible.builtin modules, configuration settings, the action plugins page that
a module with an action plugin links to) cannot resolve. Those
warnings are allowed only when the inventories were unreachable, and are listed.
"""

import os
import re
import shutil
import subprocess
import sys

DOCSITE, COLLECTIONS = sys.argv[1], sys.argv[2]
VENV_BIN = os.path.dirname(sys.executable)
ENV = dict(os.environ, PATH=VENV_BIN + os.pathsep + os.environ['PATH'], ANSIBLE_COLLECTIONS_PATH=COLLECTIONS)
OFFLINE_WARNINGS = [
    re.compile(r'failed to reach any of the inventories'),
    re.compile(r"undefined label: '(common_return_values|ansible_configuration_settings|action_plugins|"
               r"ansible_collections\.ansible\.builtin\.[a-z_]+|[a-z_]*ansible[a-z_]*_(guide|intro|settings))'"),
]


def run(*args, cwd=None):
    subprocess.run(list(args), env=ENV, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def main():
    shutil.rmtree(DOCSITE, ignore_errors=True)
    os.makedirs(DOCSITE)
    antsibull_docs = os.path.join(VENV_BIN, 'antsibull-docs')
    run(antsibull_docs, 'sphinx-init', '--use-current', '--dest-dir', DOCSITE, 'oncall.pagerduty')
    run(antsibull_docs, '--config-file', 'antsibull-docs.cfg', 'collection', '--cleanup', 'everything', '--use-current',
        '--dest-dir', 'rst', 'oncall.pagerduty', cwd=DOCSITE)
    log = os.path.join(DOCSITE, 'warnings.log')
    subprocess.run([os.path.join(VENV_BIN, 'sphinx-build'), '-M', 'html', 'rst', 'build', '-c', '.', '--keep-going', '-q',
                    '-w', log], env=ENV, cwd=DOCSITE, check=True)
    with open(log) as handle:
        warnings = [line.strip() for line in handle if 'WARNING' in line]
    offline = any(OFFLINE_WARNINGS[0].search(w) for w in warnings)
    errors = [w for w in warnings if not (offline and any(p.search(w) for p in OFFLINE_WARNINGS))]
    if offline:
        print('Offline: %d references into docs.ansible.com left unresolved.' % (len(warnings) - len(errors)))
    if errors:
        print('The documentation has problems:\n' + '\n'.join(errors))
        return 1
    print('The site: %s' % os.path.join(DOCSITE, 'build', 'html', 'index.html'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
