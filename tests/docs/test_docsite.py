"""The built documentation site, as a browser renders it: headless Chromium opens the collection's
index, follows it to every module page, and each page shows the module's title and its options
table. A screenshot of one page is saved for people to look at."""

import glob
import html
import os
import re
import shutil
import subprocess

import pytest
import yaml

DOCSITE = os.environ.get('DOCSITE', '')
HTML = os.path.join(DOCSITE, 'build', 'html')
COLLECTION_INDEX = os.path.join(HTML, 'collections', 'oncall', 'pagerduty', 'index.html')
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO_ROOT, 'plugins', 'modules', 'pd_*.py')))
# As the machine's notes advise for a root user with no network: no sandbox, GPU or background traffic.
CHROMIUM = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync']


@pytest.fixture(scope='module')
def chromium(tmp_path_factory):
    binary = shutil.which('chromium')
    if not binary:
        pytest.fail('chromium is not installed (make docs-test installs Debian\'s chromium package)')
    profile = tmp_path_factory.mktemp('chromium-profile')

    def run(*args):
        process = subprocess.run([binary] + CHROMIUM + ['--user-data-dir=%s' % profile] + list(args),
                                 capture_output=True, text=True, timeout=120, check=False)
        assert process.returncode == 0, process.stderr[-2000:]
        return process.stdout

    return run


def rendered(chromium, path):
    """The page's DOM after Chromium loaded and ran it."""
    return chromium('--dump-dom', 'file://' + path)


def test_site_was_built():
    assert os.path.exists(COLLECTION_INDEX), 'build the site first: make docs'


def test_index_leads_to_every_module_page_and_each_renders(chromium):
    index = rendered(chromium, COLLECTION_INDEX)
    links = sorted(set(re.findall(r'href="([a-z_]+_module\.html)', index)))
    assert set(links) == {'%s_module.html' % m for m in MODULES}
    for link in links:
        module = link[:-len('_module.html')]
        page = rendered(chromium, os.path.join(os.path.dirname(COLLECTION_INDEX), link))
        title = re.search(r'<h1>(.*?)</h1>', page, re.S)
        assert title and 'oncall.pagerduty.%s module' % module in re.sub('<[^>]+>', '', title.group(1)), module
        # The options table: a table whose header names the parameter column, with this collection's common option in it.
        assert re.search(r'<table[^>]*>.*?Parameter.*?</table>', page, re.S), module
        assert ('api_token' in page) or (module == 'pd_datadog_service' and 'api_key' in page), module


def guide_titles():
    """The title of every guide that docs/docsite/extra-docs.yml lists (the first heading of its file)."""
    docsite = os.path.join(REPO_ROOT, 'docs', 'docsite')
    with open(os.path.join(docsite, 'extra-docs.yml')) as handle:
        names = [n for section in yaml.safe_load(handle)['sections'] for n in section['toctree']]
    titles = []
    for name in names:
        with open(os.path.join(docsite, 'rst', name + '.rst')) as handle:
            lines = [line.rstrip('\n') for line in handle]
        titles.append(next(lines[i - 1] for i in range(1, len(lines)) if lines[i] and set(lines[i]) == {'='}))
    return titles


def test_every_guide_is_in_the_site(chromium):
    page = rendered(chromium, COLLECTION_INDEX)
    titles = guide_titles()
    assert len(titles) >= 10
    for title in titles:
        assert html.escape(title, quote=False) in page or title in page, title


def test_screenshot_of_a_module_page(chromium):
    target = os.path.join(DOCSITE, 'screenshots', 'pd_service_module.png')
    os.makedirs(os.path.dirname(target), exist_ok=True)
    chromium('--window-size=1280,1600', '--screenshot=%s' % target, 'file://' + os.path.join(os.path.dirname(COLLECTION_INDEX), 'pd_service_module.html'))
    with open(target, 'rb') as handle:
        assert handle.read(8) == b'\x89PNG\r\n\x1a\n'
    assert os.path.getsize(target) > 20000  # a rendered page, not a blank one
