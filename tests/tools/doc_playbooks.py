"""Write the playbooks shown in the guides (docs/docsite/rst) to files, for ansible-lint.

    python tests/tools/doc_playbooks.py OUTPUT_DIR

A YAML code block that holds a play (a list whose items have `hosts`) becomes
OUTPUT_DIR/<guide>-<n>.yml; task snippets are left alone.
"""

import glob
import os
import re
import sys
import textwrap

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r'^\.\. code-block:: yaml\n\n((?:(?: {4}.*)?\n)+)', re.M)


def main():
    output = sys.argv[1]
    os.makedirs(output, exist_ok=True)
    written = 0
    for guide in sorted(glob.glob(os.path.join(REPO_ROOT, 'docs', 'docsite', 'rst', '*.rst'))):
        with open(guide) as handle:
            text = handle.read()
        for index, block in enumerate(BLOCK.findall(text)):
            body = textwrap.dedent(block)
            data = yaml.safe_load(body)
            if isinstance(data, list) and data and all(isinstance(p, dict) and 'hosts' in p for p in data):
                name = '%s-%d.yml' % (os.path.basename(guide)[:-4], index)
                with open(os.path.join(output, name), 'w') as handle:
                    handle.write('---\n' + body.rstrip() + '\n')
                written += 1
    print('%d playbooks from the guides in %s' % (written, output))


if __name__ == '__main__':
    main()
