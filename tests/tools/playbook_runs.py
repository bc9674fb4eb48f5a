"""Running ansible-playbook from the tools and tests, and reading its PLAY RECAP."""

import os
import re
import subprocess
import sys

RECAP = re.compile(r'^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def recap_totals(output):
    """{'ok', 'changed', 'unreachable', 'failed'} summed over the hosts of a PLAY RECAP."""
    totals = {'ok': 0, 'changed': 0, 'unreachable': 0, 'failed': 0}
    for dummy_host, ok, changed, unreachable, failed in RECAP.findall(output):
        totals['ok'] += int(ok)
        totals['changed'] += int(changed)
        totals['unreachable'] += int(unreachable)
        totals['failed'] += int(failed)
    return totals


def ansible_playbook(args, env=None, cwd=None):
    """Run ansible-playbook (of the running interpreter's environment) -> (returncode, output, totals)."""
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')] + list(args)
    process = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return process.returncode, process.stdout, recap_totals(process.stdout)
