"""Proxies as enterprise AWX nodes use them: https_proxy and http_proxy with a user name and password, and
no_proxy, from the environment, for the REST API, the Events API and Datadog, on both execution paths.

A real proxy from the package index (proxy.py, with --basic-auth) carries the requests; real ansible-playbook runs
get the variables in their environment. What went through the proxy is read from the proxy's access log and
from the request logs of two simulators: one over http (the proxy forwards each request, in absolute form) and
one over https with a certificate of a test CA (the proxy opens a CONNECT tunnel, and TLS runs inside it)."""

import json
import re
import socket
import subprocess
import sys
import time
from urllib.parse import quote, urlsplit

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyClient, PagerDutyError
from tests.conftest import SimulatorControl
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

USER = 'awx-proxy-user'
# A ':' and an '@' must be percent-encoded in the proxy URL, as AWX users write them.
PASSWORD = 'n0t:sh0wn@all-Pr0xy'
WRONG_PASSWORD = 'wr0ng:Pr0xy@pass'
DD_SERVICE_KEY = 'd' * 32
PROXY_VARIABLES = ('http_proxy', 'https_proxy', 'no_proxy', 'all_proxy')
PATHS = ('in_process', 'module')


class Proxy:
    """proxy.py in a process of its own, asking for USER and PASSWORD; its access log is read back."""

    def __init__(self, directory):
        self.log_path = directory / 'proxy.log'
        port_file = directory / 'proxy.port'
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'proxy', '--hostname', '127.0.0.1', '--port', '0', '--port-file', str(port_file),
             '--basic-auth', '%s:%s' % (USER, PASSWORD), '--num-acceptors', '1', '--num-workers', '1',
             '--log-level', 'INFO', '--log-file', str(self.log_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            self.port = self._listening_port(port_file)
            if self.port:
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('proxy.py did not start (is it installed? tests/requirements/newest.txt): %s'
                                   % self.log())
            time.sleep(0.05)

    @staticmethod
    def _listening_port(port_file):
        try:
            port = int(port_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
        except OSError:
            return None
        return port

    def url(self, password=PASSWORD):
        return 'http://%s:%s@127.0.0.1:%d' % (quote(USER, safe=''), quote(password, safe=''), self.port)

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ''

    def mark(self):
        """Where the log ends now: log_since(mark) is what the proxy did after."""
        return len(self.log())

    def log_since(self, mark):
        return self.log()[mark:]

    def wait_for(self, mark, done, seconds=5):
        """The log since `mark` once done(log) holds (the proxy writes a line when a connection ends), else as it is."""
        deadline = time.monotonic() + seconds
        while True:
            text = self.log_since(mark)
            if done(text) or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope='module')
def proxy(tmp_path_factory):
    running = Proxy(tmp_path_factory.mktemp('proxy'))
    yield running
    running.stop()


@pytest.fixture
def tls(tls_simulator_server):
    """The https simulator's controls (straight to it, never through a proxy), in its seed state."""
    control = SimulatorControl(tls_simulator_server.url)
    control.http.verify = tls_simulator_server.ca_file
    control.http.trust_env = False
    control.reset()
    control.ca_file = tls_simulator_server.ca_file
    return control


@pytest.fixture(autouse=True)
def no_proxy_of_our_own(monkeypatch):
    """The ansible-playbook runs get only the proxy variables a test gives (play copies os.environ)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def events_key(control):
    """The routing key of a new service's Events API v2 integration on that simulator."""
    control.seed(services=[{'name': 'Payments', 'escalation_policy': 'Default'}],
                 integrations=[{'service': 'Payments', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'}])
    control.clear_requests()
    return [i['integration_key'] for s in control.state()['services'] for i in s['integrations']][0]


TASKS = {
    'rest': """
    - name: REST API over %(scheme)s, %(path)s
      oncall.pagerduty.pd_service:
        api_url: "%(url)s"
        api_token: "%(token)s"
        name: Checkout %(path)s
        escalation_policy: Default%(options)s
      register: %(name)s%(extra)s
""",
    'events': """
    - name: Events API over %(scheme)s, %(path)s
      oncall.pagerduty.pd_event:
        events_url: "%(url)s"
        routing_key: "%(key)s"
        summary: Disk full on db1
        source: db1
        severity: critical%(options)s
      register: %(name)s%(extra)s
""",
    'datadog': """
    - name: Datadog over %(scheme)s, %(path)s
      oncall.pagerduty.pd_datadog_service:
        api_url: "%(url)s"
        api_key: "%(api_key)s"
        app_key: "%(app_key)s"
        service_name: Checkout %(path)s
        service_key: "%(service_key)s"%(options)s
      register: %(name)s%(extra)s
""",
}
# What each API's write is, as the simulators log it.
WRITES = {'rest': ('POST', '/services'), 'events': ('POST', '/v2/enqueue'),
          'datadog': ('POST', '/api/v1/integration/pagerduty/configuration/services')}
# (api, scheme, path): each API over http and https, in process and as a started module.
EVERY = [(api, scheme, path) for path in PATHS for scheme in ('http', 'https') for api in TASKS]


def name_of(api, scheme, path):
    return '%s_%s_%s' % (api, scheme, path)


def tasks_for(sim, tls, chosen, extra=''):
    """A task for each (api, scheme, path) chosen, registered as name_of(...): a REST write (pd_service), an event
    (pd_event) or a Datadog write (pd_datadog_service), to the http or the https simulator, in process or as a
    started module. `extra` is added to each task."""
    keys = {'http': events_key(sim), 'https': events_key(tls)}
    text = ''
    for api, scheme, path in chosen:
        control = tls if scheme == 'https' else sim
        options = '\n        ca_path: "%s"' % tls.ca_file if scheme == 'https' else ''
        if path == 'module':
            options += '\n      vars:\n        oncall_pagerduty_in_process: false'
        text += TASKS[api] % dict(name=name_of(api, scheme, path), scheme=scheme, path=path, url=control.url,
                                  token=control.token, key=keys[scheme], api_key=DEFAULT_API_KEY,
                                  app_key=DEFAULT_APP_KEY, service_key=DD_SERVICE_KEY, options=options, extra=extra)
    return text, [name_of(*task) for task in chosen]


def port_of(control):
    return urlsplit(control.url).port


def forwarded(log, port):
    """[(method, path)] of the connections the proxy forwarded to 127.0.0.1:port (the path without its query)."""
    return re.findall(r' - ([A-Z]+) 127\.0\.0\.1:%d(/[^?\s]*)\S* - \d+ ' % port, log)


def tunnels(log, port):
    """The CONNECT tunnels the proxy opened to 127.0.0.1:port."""
    return re.findall(r' - CONNECT 127\.0\.0\.1:%d - \d+ bytes' % port, log)


def refusals(log):
    """How many requests the proxy refused for their credentials."""
    return log.count('ProxyAuthenticationFailed')


def connections(control):
    return {r['connection'] for r in control.requests()}


def first_requests(control):
    """[(method, path)] of the first request of each connection the simulator saw."""
    first = {}
    for request in control.requests():
        first.setdefault(request['connection'], (request['method'], request['path']))
    return list(first.values())


def secrets_in(output, results):
    """The proxy's user name and passwords (as given, and as written in its URL) that show in `output` or `results`."""
    text = output + json.dumps(results)
    return [secret for secret in (USER, PASSWORD, quote(PASSWORD, safe=''), WRONG_PASSWORD, quote(WRONG_PASSWORD, safe=''))
            if secret in text]


# -- through the proxy ---------------------------------------------------------------------------------

def test_every_api_goes_through_the_authenticating_proxy_on_both_paths(sim, tls, play, proxy):
    mark = proxy.mark()
    # As an AWX node has them, in either case; no_proxy lists other hosts only, so 127.0.0.1 goes through the proxy.
    tasks, registered = tasks_for(sim, tls, EVERY)
    code, output, results = play(tasks, registered, ['-vvv'], HTTPS_PROXY=proxy.url(), http_proxy=proxy.url(),
                                 no_proxy='localhost,.corp.example')
    assert code == 0, output[-3000:]
    for api, scheme, path in EVERY:
        result = results[name_of(api, scheme, path)]
        assert result['execution'] == path and result['changed'], (api, scheme, path)
    for control in (sim, tls):
        written = [(r['method'], r['path']) for r in control.requests()]
        for api, write in WRITES.items():
            assert written.count(write) == 2, (control.url, api)  # one from each path
    # proxy.py writes a line for each connection when it ends, naming the connection's first request. Over http,
    # each connection the simulator saw is one the proxy forwarded, and began with the request the proxy names.
    log = proxy.wait_for(mark, lambda text: len(forwarded(text, port_of(sim))) >= len(connections(sim))
                         and len(tunnels(text, port_of(tls))) >= len(connections(tls)))
    assert sorted(forwarded(log, port_of(sim))) == sorted(first_requests(sim)), log
    # Over https, each connection the simulator saw is a tunnel the proxy opened (what goes inside is TLS).
    assert len(tunnels(log, port_of(tls))) == len(connections(tls)) >= 6, log
    assert refusals(log) == 0
    # The proxy's URL shows in -vvv only without its credentials, if at all.
    assert secrets_in(output, results) == []


def test_no_proxy_listing_the_host_goes_direct(sim, tls, play, proxy):
    # Every API in process; the REST API as a started module too (each reads the variables alike).
    chosen = [task for task in EVERY if task[2] == 'in_process' or task[0] == 'rest']
    mark = proxy.mark()
    tasks, registered = tasks_for(sim, tls, chosen)
    code, output, results = play(tasks, registered, https_proxy=proxy.url(), HTTP_PROXY=proxy.url(),
                                 NO_PROXY='localhost,127.0.0.1')
    assert code == 0, output[-3000:]
    for api, scheme, path in chosen:
        result = results[name_of(api, scheme, path)]
        assert result['execution'] == path and result['changed'], (api, scheme, path)
    for control in (sim, tls):
        written = [(r['method'], r['path']) for r in control.requests()]
        assert written.count(WRITES['rest']) == 2 and written.count(WRITES['events']) == 1, control.url
    # The proxy saw nothing: not one connection (it writes a line for each when it ends, and all have ended).
    assert proxy.wait_for(mark, bool, seconds=0.5) == ''


# -- a proxy that refuses --------------------------------------------------------------------------------

def test_a_proxy_that_refuses_the_credentials_fails_clearly_and_never_shows_them(sim, tls, play, proxy):
    # Each API over each scheme, and each path with both: a refused tunnel (https) and a refused request (http).
    chosen = [('rest', 'https', 'in_process'), ('events', 'http', 'in_process'), ('datadog', 'https', 'in_process'),
              ('rest', 'http', 'module'), ('events', 'https', 'module'), ('datadog', 'http', 'module')]
    mark = proxy.mark()
    wrong = proxy.url(WRONG_PASSWORD)
    tasks, registered = tasks_for(sim, tls, chosen, extra='\n      ignore_errors: true')
    code, output, results = play(tasks, registered, ['-vvv'], https_proxy=wrong, http_proxy=wrong)
    assert code == 0, output[-3000:]
    for api, scheme, path in chosen:
        result = results[name_of(api, scheme, path)]
        assert result['failed'] and result['execution'] == path, (api, scheme, path)
        assert ('the proxy http://127.0.0.1:%d refused the user name and password given in the %s_proxy environment '
                'variable (407 Proxy Authentication Required)' % (proxy.port, scheme)) in result['msg'], result['msg']
        assert 'list 127.0.0.1 in no_proxy' in result['msg']
        assert 'gave up retrying' not in result['msg']  # not retried: the same credentials will not do better
    # The proxy refused each task's request once; nothing reached the APIs.
    log = proxy.wait_for(mark, lambda text: refusals(text) >= len(chosen))
    assert refusals(log) == len(chosen), log
    assert sim.requests() == [] and tls.requests() == []
    # Neither the user name nor a password anywhere in what ansible-playbook -vvv showed, nor in the results.
    assert secrets_in(output, results) == []


@pytest.mark.parametrize('scheme', ['http', 'https'])
def test_a_proxy_that_wants_credentials_and_gets_none_says_how_to_give_them(scheme, tls_simulator_server, simulator_server,
                                                                            proxy, monkeypatch):
    """No user name in the proxy's URL: the message says how to write one (the client alone, no playbook)."""
    server = tls_simulator_server if scheme == 'https' else simulator_server
    monkeypatch.setenv('%s_proxy' % scheme, 'http://127.0.0.1:%d' % proxy.port)
    mark = proxy.mark()
    client = PagerDutyClient('sim-token', api_url=server.url, ca_path=tls_simulator_server.ca_file, backoff_base=0.01)
    with pytest.raises(PagerDutyError) as caught:
        client.get('/vendors')
    assert ('the proxy http://127.0.0.1:%d asks for a user name and password (407 Proxy Authentication Required), '
            'and the %s_proxy environment variable gives none: write them in it, as http://USER:PASSWORD@127.0.0.1:%d'
            % (proxy.port, scheme, proxy.port)) in str(caught.value)
    assert client.request_count == 1 and not caught.value.ambiguous
    assert refusals(proxy.wait_for(mark, refusals)) == 1


# -- proxy URLs as people write them -------------------------------------------------------------------------

def test_a_proxy_without_a_scheme_carries_the_requests_and_is_named_without_its_credentials(simulator_server, proxy,
                                                                                            monkeypatch):
    """USER:PASSWORD@HOST:PORT, as curl takes it: the proxy is http://HOST:PORT, and messages say so."""
    without_scheme = proxy.url().replace('http://', '')
    monkeypatch.setenv('http_proxy', without_scheme)
    mark = proxy.mark()
    client = PagerDutyClient('sim-full-access-token', api_url=simulator_server.url)
    assert [v['name'] for v in client.get('/vendors', {'query': 'Datadog'})['vendors']] == ['Datadog']
    client.transport.pool.clear()  # the proxy logs the connection once it ends
    assert forwarded(proxy.wait_for(mark, lambda text: forwarded(text, simulator_server.port)),
                     simulator_server.port) == [('GET', '/vendors')]
    monkeypatch.setenv('http_proxy', proxy.url(WRONG_PASSWORD).replace('http://', ''))
    with pytest.raises(PagerDutyError) as caught:
        PagerDutyClient('sim-full-access-token', api_url=simulator_server.url).get('/vendors')
    assert 'the proxy http://127.0.0.1:%d refused the user name and password' % proxy.port in str(caught.value)
    assert secrets_in(str(caught.value), {}) == []
    # Where nothing listens: the message names the proxy as http://HOST:PORT too.
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv('http_proxy', without_scheme.replace(':%d' % proxy.port, ':%d' % closed))
    with pytest.raises(PagerDutyError) as caught:
        PagerDutyClient('sim-full-access-token', api_url=simulator_server.url).get('/vendors')
    assert 'the proxy http://127.0.0.1:%d refused it: nothing listens there' % closed in str(caught.value)
    assert secrets_in(str(caught.value), {}) == []


@pytest.mark.parametrize('url, problem', [
    ('http://%s:%s@127.0.0.1:31x8' % (USER, quote(WRONG_PASSWORD, safe='')), "Port could not be cast to integer value as '31x8'"),
    ('http://%s:%s@[::1:3128' % (USER, 'secret'), 'Invalid IPv6 URL'),
    ('http://%s:%s@:3128' % (USER, 'secret'), 'no host name'),
])
def test_an_unusable_proxy_url_names_its_variable_and_not_its_credentials(monkeypatch, url, problem):
    monkeypatch.setenv('https_proxy', url)
    client = PagerDutyClient('t', backoff_base=0.01)
    with pytest.raises(PagerDutyError) as caught:
        client.get('/vendors')
    assert ('connection to https://api.pagerduty.com failed: the https_proxy environment variable is not a usable proxy '
            'URL (%s): write it as http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT' % problem) in str(caught.value)
    assert client.request_count == 1 and USER not in str(caught.value) and 'secret' not in str(caught.value)
    assert secrets_in(str(caught.value), {}) == []
