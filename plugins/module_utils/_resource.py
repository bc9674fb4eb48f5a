# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The engine every kind of object runs on, whichever entry point runs it.

A kind (``_service.py``, ``_integration.py``, ...) is a declaration - its collection, its fields (each
option and the API field it sets, both ways), its references, settable and secret fields - plus a few
hooks where PagerDuty is odd. The engine owns the flow, the same for every kind:

    find the current object  ->  plan (reads only)  ->  check mode: render the plan
                                                     ->  real run:   apply the plan (writes, then settle)

Deciding never writes, and one ``Plan`` serves check mode, diff, the real run and the catalogue, so a
check run predicts what the real run does by construction. The engine gives every kind the same
guarantees: a create whose answer was lost is re-read before it is sent again; concurrent creates end
with one object (adopted where PagerDuty refuses a duplicate name, settled where it does not); a shared
list written by read-modify-write loses no concurrent writer's change; reads catch up with writes;
secrets never reach a diff; check mode carries its predictions to later tasks.

Nothing here depends on AnsibleModule: a kind sees a ``Task`` (validated options, check and diff mode,
warnings), so a module (``_module.py``), an in-process action plugin and the catalogue all run the same
code. Failures are ``TaskFailed``; each entry point reports them its own way. Waiting lives here and in
the client alone, always bounded by the task's retry budget (``retry_timeout``).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import difflib
import re
import time
import typing
from urllib.parse import quote

try:
    import zoneinfo
except ImportError:  # Python 3.8 and older have no IANA database module: time zones are not checked there
    zoneinfo = None

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import (
    PAGERDUTY_REGIONS,
    ApiError,
    DatadogClient,
    EventsClient,
    PagerDutyClient,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import Lookups

try:  # AnsibleModule reads environment fallbacks through this; the in-process path uses the same one.
    from ansible.module_utils.basic import env_fallback
except ImportError:  # pragma: no cover - ansible-core always has it
    env_fallback = None

TRANSPORT_ARGUMENT_SPEC = dict(
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    timeout=dict(type='int', default=30),
    retries=dict(type='int', default=5),
    retry_timeout=dict(type='int', default=120),
    allow_plain_http=dict(type='bool', default=False),
)

# What the transport options take: a request waits at most an hour, and a task retries at most a day.
TRANSPORT_RANGES = dict(timeout=(1, 3600), retries=(0, 100), retry_timeout=(0, 86400))

PAGERDUTY_ARGUMENT_SPEC = dict(
    api_token=dict(type='str', no_log=True, fallback=(env_fallback, ['PAGERDUTY_API_TOKEN', 'PAGERDUTY_TOKEN'])),
    region=dict(type='str', choices=sorted(PAGERDUTY_REGIONS), default='us', fallback=(env_fallback, ['PAGERDUTY_REGION'])),
    api_url=dict(type='str', fallback=(env_fallback, ['PAGERDUTY_API_URL'])),
    **TRANSPORT_ARGUMENT_SPEC
)

# Datadog's sites (https://docs.datadoghq.com/getting_started/site/).
DATADOG_SITES = ('datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'datadoghq.eu', 'ap1.datadoghq.com',
                 'ap2.datadoghq.com', 'ddog-gov.com')

DATADOG_ARGUMENT_SPEC = dict(
    api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['DD_API_KEY'])),
    app_key=dict(type='str', no_log=True, fallback=(env_fallback, ['DD_APP_KEY'])),
    site=dict(type='str', default='datadoghq.com', fallback=(env_fallback, ['DD_SITE'])),
    api_url=dict(type='str', fallback=(env_fallback, ['DD_API_URL'])),
    **TRANSPORT_ARGUMENT_SPEC
)

EVENTS_ARGUMENT_SPEC = dict(
    events_url=dict(type='str', fallback=(env_fallback, ['PAGERDUTY_EVENTS_URL'])),
    **PAGERDUTY_ARGUMENT_SPEC
)

# The options of an object found by its exact name or its ID and renamed with new_name.
IDENTITY_OPTIONS = dict(
    name=dict(type='str'),
    new_name=dict(type='str'),
    id=dict(type='str'),
    state=dict(type='str', default='present', choices=['absent', 'present']),
)
IDENTITY_RULES = dict(required_one_of=[('name', 'id')], mutually_exclusive=[('id', 'new_name')],
                      required_by={'new_name': 'name'})
# The identity options besides the name, which is a field of the object (see Field).
RENAME_OPTIONS = {k: v for k, v in IDENTITY_OPTIONS.items() if k != 'name'}
STATE_OPTION = dict(type='str', default='present', choices=['absent', 'present'])

# Check mode's assumption about an object that does not exist yet, as its warnings state it.
ASSUMED_CREATED = 'an earlier task of this run creates it; a real run fails if it still does not exist then'

# Characters a name must not hold: PagerDuty keeps them, but nobody could type the name to find it again.
_NON_PRINTABLE = re.compile(r'[\x00-\x1f\x7f]')
# Where PagerDuty publishes no length limit for a name, the look-up by name still has one: it carries the name in
# the URL, and servers refuse long URLs (HTTP 414). A name longer than this, URL-encoded, cannot be found again.
MAX_ENCODED_NAME = 2000

# How often to look for an object whose create got no answer before concluding it was not made.
PATIENT_REREADS = 3

# In check mode, an object an earlier task would have created (a service, a policy) has no ID yet:
# a stand-in carries its name, marked with this key, so later tasks of the check run can go on.
PREDICTED = 'predicted'

# How many times longer than its own a concurrent run's write may take to land: the engine watches that long
# after its own write before it takes the write as settled (see Timeline).
IN_FLIGHT_FACTOR = 2.0

# The least read lag a shared object's watch allows for another run's write to show (see Timeline). A run's own
# read-back cannot measure it there: a later write by another run makes this run's write readable early, as the
# version before the newest, so the lag this run sees is short exactly when another write is in flight.
SHARED_WRITE_LAG_FLOOR = 1.0

# Reads that wait for a write to show poll at this fraction of the retry backoff (a quarter second first, not a
# second): PagerDuty's lag is about a second, and a coarse poll would make every write wait longer than it.
READ_POLL_FRACTION = 0.25

# What each HTTP status means for the person running the task.
PAGERDUTY_STATUS_ADVICE = {
    401: 'the API token was rejected: check api_token (or PAGERDUTY_API_TOKEN) and that it belongs to the '
         'account of this region or api_url',
    402: 'the PagerDuty account lacks the ability (its plan does not include this feature)',
    403: 'the token was refused permission: it may be a read-only API key, or its user may lack the role '
         'needed; use a full-access token',
    429: 'PagerDuty kept rate limiting the requests; raise retry_timeout or run fewer tasks in parallel',
}

DATADOG_STATUS_ADVICE = {
    403: 'Datadog refused the request: check api_key and app_key (or DD_API_KEY and DD_APP_KEY), the site, and that '
         "the application key's user or service account has the manage_integrations permission",
    404: 'Datadog has no PagerDuty integration here: install the PagerDuty integration tile in this Datadog '
         'organization first (or check site / api_url)',
    429: 'Datadog kept rate limiting the requests; raise retry_timeout, or run the task with throttle: 1',
}


# -- failures, and the operation a request belongs to ------------------------------------------------

class TaskFailed(Exception):
    """The task fails with `msg`; `result` holds the fields the failure result carries."""

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


@contextlib.contextmanager
def doing(operation):
    """Name the operation the requests made inside belong to: an API failure then reads "could not <operation>".

    The name travels with the error, not in state kept on a kind, so parallel writers (the catalogue's)
    never mix them up; the innermost operation names the failure.
    """
    try:
        yield
    except ApiError as err:
        if getattr(err, 'operation', None) is None:
            err.operation = operation
        raise


# -- what a kind sees of its task --------------------------------------------------------------------

class Predictions:
    """What the tasks of a check-mode run predicted about the objects they would create, rename or change.

    A check run writes nothing, so a later task cannot find what an earlier one only predicted: a service it
    renames, a team it creates. Each task records its predictions here; the entry points carry them to the
    next task (as the fact ``oncall_pagerduty_predictions``, see plugin_utils/_in_process.py), whose lookups
    consult them. By collection: {collection: [{'id': ID or None, 'name': name, 'was': old name, 'fields': ...}]}.
    """

    def __init__(self, earlier=None):
        self.earlier = {collection: list(entries) for collection, entries in (earlier or {}).items()
                        if isinstance(entries, list)}
        self.made = {}

    def record(self, collection, obj, was=None, key=None):
        """`key` is what later tasks find the object by (default its name; a user's email)."""
        entry = {'id': obj.get('id'), 'name': obj.get('name') if key is None else key, 'was': was,
                 'fields': {k: v for k, v in obj.items() if k not in ('id', PREDICTED)}}
        self.made.setdefault(collection, []).append(entry)

    def entries(self, collection):
        return self.earlier.get(collection, []) + self.made.get(collection, [])

    def named(self, collection, name):
        """The latest prediction of an object that has `name` after the task that made it, or None."""
        for entry in reversed(self.entries(collection)):
            if entry['name'] == name:
                return entry
        return None

    def of_id(self, collection, object_id):
        for entry in reversed(self.entries(collection)):
            if object_id is not None and entry['id'] == object_id:
                return entry
        return None

    def export(self):
        """Every prediction of the run so far, for the next task."""
        merged = {collection: list(entries) for collection, entries in self.earlier.items()}
        for collection, entries in self.made.items():
            merged.setdefault(collection, []).extend(entries)
        return merged


class Task:
    """What a kind sees of the task: validated options, check and diff mode, and where warnings go.

    Built from AnsibleModule.params by the module, from the argument spec validator's result by the
    in-process action plugin, and per item by the catalogue. `where` prefixes option names in
    messages (e.g. ``services[3].``) so that a catalogue item's errors name the item. `predictions`
    are what earlier tasks of a check-mode run predicted (see Predictions).
    """

    def __init__(self, params, check_mode=False, diff=False, where='', predictions=None):
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.where = where
        self.warnings = []
        self.deprecations = []
        self.predictions = predictions if isinstance(predictions, Predictions) else Predictions(predictions)

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)

    def deprecate(self, message, version, collection_name='oncall.pagerduty'):
        self.deprecations.append({'msg': message, 'version': version, 'collection_name': collection_name})

    def item(self, params, where):
        """A task for one item of a list option (the catalogue's services), sharing warnings and predictions."""
        child = Task(params, self.check_mode, self.diff, where, self.predictions)
        child.warnings = self.warnings
        child.deprecations = self.deprecations
        return child


# -- comparing -------------------------------------------------------------------------------------

def is_subset(wanted, actual):
    """True when every value in `wanted` equals the one at the same place in `actual`.

    Dictionaries compare only the keys `wanted` has (unset means leave as is); lists compare
    element by element and must have the same length.
    """
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(is_subset(v, actual.get(k)) for k, v in wanted.items())
    if isinstance(wanted, list):
        return (isinstance(actual, list) and len(wanted) == len(actual)
                and all(is_subset(w, a) for w, a in zip(wanted, actual)))
    return wanted == actual


def project(actual, shape):
    """The part of `actual` that has the keys of `shape`, for a diff limited to what was asked."""
    if isinstance(shape, dict) and isinstance(actual, dict):
        return {k: project(actual.get(k), v) for k, v in shape.items() if k in actual}
    if isinstance(shape, list) and isinstance(actual, list) and len(shape) == len(actual):
        return [project(a, s) for a, s in zip(actual, shape)]
    return copy.deepcopy(actual)


def changed_fields(desired, current):
    """The top-level fields of `desired` whose values differ from `current`."""
    return {k: v for k, v in desired.items() if not is_subset(v, current.get(k))}


def without_empty(value):
    """`value` without nulls and empty containers, at every depth (they are options left unset)."""
    if isinstance(value, dict):
        cleaned = {k: without_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


def reference_name(reference):
    """A reference ({id, summary}) as a diff or gathered output shows it: its name, else its ID."""
    if isinstance(reference, dict):
        return reference.get('summary') or reference.get('name') or reference.get('id')
    return reference


# -- the declaration of a kind ---------------------------------------------------------------------

class Collection:
    """Where the objects of a kind live in the API, and how they are found.

    `path` ('/teams'), `singular` (the envelope of one object: 'team'), `plural` (the key of a listing), `name_filter`
    ('name' for an exact filter, 'query' for a substring one, None when PagerDuty cannot filter: every page is
    read), `cursor` (cursor pagination), `unique_names` (PagerDuty refuses a second object of a name: a run that
    loses a create race adopts the winner; otherwise the engine settles look-alikes, see Resource.settle_twins),
    `name_limit` (PagerDuty's length limit of a name, checked before any request), `label` (how messages name
    one object).
    """

    def __init__(self, path, singular, plural=None, name_filter='query', cursor=False, unique_names=True,
                 name_limit=None, label=None, id_pattern=None):
        self.path = path
        self.singular = singular
        self.plural = plural or path.strip('/').split('/')[-1]
        self.name_filter = name_filter
        self.cursor = cursor
        self.unique_names = unique_names
        self.name_limit = name_limit
        self.label = label or singular.replace('_', ' ')
        self.id_pattern = re.compile(id_pattern) if id_pattern else None

    @property
    def key(self):
        """The collection's name in lookups and predictions ('teams', 'services/custom_fields')."""
        return self.path.strip('/')

    def object_path(self, object_id):
        return '%s/%s' % (self.path, object_id)


class Field:
    """One option of a kind and the API field it sets: the two-way mapping, declared once.

    `option` and `spec` (its argument spec) are the task's side; `api` (default: the option's name) the object's.
    `to_api(kind, value, plan)` makes the API value of an option's value (default: the value as it is);
    `from_api(value)` makes the option's value of an API value, for gathered output (default: as it is; None leaves
    the option out). A field that is not `settable` is an option that no diff shows (it is not stored as set). A
    `reference` names other objects ({id, summary}, or a list of them): diffs show it by name.
    """

    def __init__(self, option, spec=None, api=None, to_api=None, from_api=None, settable=True, reference=False):
        self.option = option
        self.spec = dict(spec or dict(type='str'))
        self.api = api or option
        self._to_api = to_api
        self._from_api = from_api
        self.settable = settable
        self.reference = reference

    def to_api(self, kind, value, plan):
        return self._to_api(kind, value, plan) if self._to_api else value

    def from_api(self, value, kind=None):
        return self._from_api(value) if self._from_api else value


class Reference(Field):
    """A field that names another object, by name or ID: resolved to a reference {id, summary}, predicted in check
    mode when an earlier task creates it, compared by ID, shown by name in diffs and gathered output. With
    `clearable`, an empty value removes the reference (None)."""

    def __init__(self, option, collection, singular, spec=None, api=None, settable=True, clearable=False, **lookup):
        super().__init__(option, spec, api, settable=settable, from_api=reference_name, reference=True)
        self.collection = collection
        self.singular = singular
        self.clearable = clearable
        self.lookup = lookup

    def to_api(self, kind, value, plan):
        if self.clearable and not value:
            return None
        existing = ((plan.current or {}).get(self.api) if plan is not None else None) or {}
        if isinstance(existing, dict) and value in (existing.get('id'), existing.get('summary')):
            return {'id': existing['id'], 'summary': existing.get('summary') or kind.reference_names.get(value)}
        with doing('find the %s %r' % (self.singular.replace('_', ' '), value)):
            found = kind.resolve_or_predict(self.collection, value, kind.option(self.option), self.singular,
                                            **self.lookup)
        name = found.get('name') or found.get('summary')
        if found.get('id'):
            kind.reference_names[found['id']] = name
        return {'id': found.get('id'), 'summary': name}


def reference_ids(value):
    """What a reference (or a list of them) is compared by: IDs (a reference read back may have no name)."""
    if isinstance(value, list):
        return sorted(str(reference_ids(v)) for v in value)
    if isinstance(value, dict):
        return value.get('id')
    return value


@dataclasses.dataclass
class Step:
    """A write of a plan besides the object's own: custom field values after a service, services moved out of the
    grouping settings that hold them before a setting takes them, the end of a window.

    `apply(plan)` makes the write (and may update plan.result); `predict(plan)` shows in check mode what it would do;
    `undo(plan)`, when given, puts things back if the object's own write then fails; `after` says whether it comes
    after the object's own write; a step without `changes` only completes the result (it writes nothing).
    """

    label: str
    apply: typing.Callable
    predict: typing.Optional[typing.Callable] = None
    undo: typing.Optional[typing.Callable] = None
    after: bool = True
    changes: bool = True


class Plan:
    """What one run does to one object, decided before any write.

    Rendered in check mode, applied otherwise, and used by the catalogue to list its actions and apply
    them in parallel. `context` holds what the object belongs to, found before it (its service, its router);
    `action` is create, update, replace (a new object for the old one: a new key, another kind), delete or
    None; `reason` says why a replace; `result` is the object after the run (predicted in check mode).
    """

    def __init__(self, kind, context=None):
        self.kind = kind
        self.context = dict(context or {})
        self.current = None
        self.desired = None
        self.action = None
        self.reason = None
        self.changes = {}
        self.steps = []
        self.notes = {}
        self.result = None
        self.diff_before = {}
        self.diff_after = {}
        self.wrote = False   # the object's own write was made (a failure after it undoes nothing)
        self.timeline = Timeline()

    @property
    def changed(self):
        return self.action is not None or any(step.changes for step in self.steps)

    def step(self, label, apply, **how):
        self.steps.append(Step(label, apply, **how))


@dataclasses.dataclass
class SharedWrite:
    """How a kind writes a shared object (see Resource.write_shared): `read()` it as it is now, `merged(obj)` the
    body that holds this run's change (None when `obj` has it already), `keeps(obj)` whether `obj` holds the change,
    `write(body)`, and `version(obj)` what changes with every write. `subject` ('router of X', without an article)
    and `option` name it in messages."""

    subject: str
    option: str
    read: typing.Callable
    merged: typing.Callable
    keeps: typing.Callable
    write: typing.Callable
    version: typing.Callable


class Timeline:
    """How long this run's own write took to land and then to show in reads.

    PagerDuty neither locks an object nor checks a version, so a write of another run that read the same
    state at the same moment can still be in flight when this run's write shows. Such a write was sent before
    this one showed; it lands within about as long as this run's took (refusals included; waits for the rate
    limit before the server took it are not, see landed) and the look-ups another run makes before it writes
    (IN_FLIGHT_FACTOR - 1 more exchanges as long as this run's write), and shows after the same lag as this one,
    or after `lag_floor` where this run's lag may read short (SHARED_WRITE_LAG_FLOOR). The engine watches that
    long after its write showed before it takes a create as the only one or a shared list as keeping its change:
    the wait follows the API's latency, refusals and lag.
    """

    def __init__(self, clock=time.monotonic, lag_floor=0.0):
        self.clock = clock
        self.lag_floor = lag_floor  # the least lag allowed for another run's write to show
        self.started = self.answered = clock()
        self.exchange = 0.0

    def mark(self):
        """The write starts now (or the read it merges into was made now)."""
        self.started = self.answered = self.clock()

    def landed(self, exchange=0.0, held=0.0):
        """The write was answered now, its last exchange with the server having taken `exchange` seconds, after
        `held` seconds of waiting for the rate limit before the server took it. The hold is not watched for: a
        write of another run held so is taken later than this one, so its object is the newer, which that run
        settles itself (settle_twins keeps the oldest)."""
        self.answered = self.clock()
        self.started = min(self.answered, self.started + held)
        self.exchange = exchange

    def window(self):
        """Seconds to watch once the write shows (it shows now: the lag is the time since its answer)."""
        return max(0.0, self.watch_end(self.clock() - self.answered) - self.clock())

    def watch_end(self, lag):
        """The clock time the watch ends, for a write that showed `lag` seconds after its answer: a batch of
        writes read back together (the catalogue's) learns one lag, its newest write's, and counts for each
        write the time since it showed as watched already."""
        lag = max(0.0, lag)
        landing = max(0.0, self.answered - self.started)
        return self.answered + lag + landing + self.exchange * (IN_FLIGHT_FACTOR - 1) + max(lag, self.lag_floor)


# -- the kinds -------------------------------------------------------------------------------------

def available_time_zones():
    """The IANA time zone names this Python knows, or None when it has no database."""
    if zoneinfo is None:
        return None
    try:
        zones = zoneinfo.available_timezones()
    except Exception:  # pylint: disable=broad-except  # a broken database is no database
        return None
    return zones or None


class Kind:
    """A kind of object, read or action: its options, its client, and one failure path.

    Subclasses declare `argument_spec` (their own options; the credentials of `connection` are
    added) and `option_rules` (mutually_exclusive, required_if, ... as AnsibleModule takes them).
    A read or an action (pd_event, the _info modules) has one hook, `run()`, which returns the
    result; an object with an identity is a Resource, whose flow the engine owns. `self.fail()`
    raises TaskFailed.
    """

    argument_spec = {}
    option_rules = {}
    # Which credentials and client: 'pagerduty', 'datadog' or 'events'.
    connection = 'pagerduty'
    status_advice = PAGERDUTY_STATUS_ADVICE

    def __init__(self, task, client=None):
        self.task = task
        self.params = task.params
        self.check_mode = task.check_mode
        self.client = client

    # -- declaration -----------------------------------------------------------------------------

    @classmethod
    def common_argument_spec(cls):
        return {'pagerduty': PAGERDUTY_ARGUMENT_SPEC, 'datadog': DATADOG_ARGUMENT_SPEC,
                'events': EVENTS_ARGUMENT_SPEC}[cls.connection]

    @classmethod
    def own_argument_spec(cls):
        return cls.argument_spec

    @classmethod
    def full_argument_spec(cls):
        spec = copy.deepcopy(cls.common_argument_spec())
        spec.update(copy.deepcopy(cls.own_argument_spec()))
        return spec

    # -- set-up ----------------------------------------------------------------------------------

    @property
    def lookups(self):
        """The look-ups by name or ID of this task's client (see _lookup.py)."""
        return Lookups.of(self.client)

    def option(self, name):
        """An option's name as messages show it (with the catalogue item it belongs to)."""
        return self.task.where + name

    def validate_common_params(self):
        for option, (lowest, highest) in TRANSPORT_RANGES.items():
            value = self.params.get(option)
            if value is not None and not lowest <= value <= highest:
                self.fail('%s: must be between %d and %d, got %d' % (option, lowest, highest, value))
        for option in ('api_url', 'events_url'):
            url = self.params.get(option)
            if url and not url.startswith(('https://', 'http://')):
                self.fail('%s: %r is not an http(s) URL' % (option, url))

    def transport_options(self):
        return dict(timeout=self.params['timeout'], validate_certs=self.params['validate_certs'],
                    ca_path=self.params['ca_path'], retries=self.params['retries'],
                    retry_timeout=self.params['retry_timeout'], allow_plain_http=self.params['allow_plain_http'])

    def build_client(self):
        """The client of this kind's API, from the common options."""
        self.validate_common_params()
        if self.connection == 'datadog':
            return self.build_datadog_client()
        if not self.params.get('api_token'):
            self.fail('api_token: no PagerDuty API token was given; set api_token, or the PAGERDUTY_API_TOKEN '
                      'environment variable')
        return PagerDutyClient(self.params['api_token'], region=self.params['region'], api_url=self.params.get('api_url'),
                               from_email=self.params.get('from_email'), **self.transport_options())

    def build_datadog_client(self):
        for option, variable in (('api_key', 'DD_API_KEY'), ('app_key', 'DD_APP_KEY')):
            if not self.params.get(option):
                self.fail('%s: no Datadog %s was given; set %s, or the %s environment variable'
                          % (option, option.replace('_', ' '), option, variable))
        api_url = self.params.get('api_url')
        if not api_url and self.params['site'] not in DATADOG_SITES:
            self.fail('site: %r is not a Datadog site; use one of %s (or api_url for a proxy)'
                      % (self.params['site'], ', '.join(DATADOG_SITES)))
        return DatadogClient(self.params['api_key'], self.params['app_key'], site=self.params['site'], api_url=api_url,
                             **self.transport_options())

    def build_events_client(self):
        return EventsClient(region=self.params['region'], events_url=self.params.get('events_url'),
                            **self.transport_options())

    # -- running and failing ---------------------------------------------------------------------

    def execute(self):
        """Run the kind; returns the result. Every API failure becomes one actionable TaskFailed."""
        try:
            self.validate()
            if self.client is None:
                self.client = self.build_client()
            result = self.run()
        except ApiError as err:
            # What the run did before the failure (the plan's notes), then what the HTTP exchange said.
            fields = dict(getattr(err, 'task_fields', {}))
            fields.update(err.result_fields())
            raise TaskFailed(self.explain(err), **fields)
        self.report_rate_limits(result)
        return result

    def validate(self):
        """Fail on bad input before any request."""

    def run(self):
        raise NotImplementedError

    def explain(self, err):
        operation = getattr(err, 'operation', None)
        prefix = ('could not %s: ' % operation) if operation else ''
        advice = self.status_advice.get(err.status)
        if advice:
            return '%s%s (%s)' % (prefix, advice, err)
        if err.option:
            return str(err)  # it names the option it is about: nothing to add
        return '%s%s' % (prefix, err)

    def fail(self, msg, **result):
        raise TaskFailed(msg, **result)

    def warn(self, message):
        self.task.warn(message)

    def validate_time_zone(self, name, where):
        """The zone must be in the IANA database, as PagerDuty's are; skipped (with a warning) without it."""
        zones = available_time_zones()
        if zones is None:
            self.warn('%s: the time zone %r was not checked: the Python that runs this task has no time zone '
                      'database (install the tzdata package for it)' % (where, name))
            return
        if name not in zones:
            close = [zone for zone in sorted(zones) if zone.casefold() == name.casefold()]
            if not close:
                close = difflib.get_close_matches(name, sorted(zones), n=3, cutoff=0.75)
            self.fail('%s: %r is not a time zone of the IANA database%s' % (
                where, name, ('; did you mean %s?' % ' or '.join(close)) if close else ' (for example Europe/Paris)'))

    def fail_if_blank(self, *options):
        """Fail, naming the option, when one of these string options is set but blank."""
        for option in options:
            value = self.params.get(option)
            if value is not None and not str(value).strip():
                self.fail('%s: must not be blank' % self.option(option))

    def check_name(self, option, name, limit=None):
        """Fail, naming the option, on a name PagerDuty would refuse or that could not be found again; `limit` is
        PagerDuty's length limit where it has one. Every kind treats names alike."""
        if name is None:
            return
        where = self.option(option)
        if not str(name).strip():
            self.fail('%s: must not be blank' % where)
        if _NON_PRINTABLE.search(name):
            self.fail('%s: must not contain non-printable characters (%r)' % (where, name))
        if name != name.strip():
            self.fail('%s: must not start or end with a space (%r); to manage an object whose name has one, give its '
                      'id' % (where, name))
        if limit is not None and len(name) > limit:
            self.fail('%s: PagerDuty allows at most %d characters, got %d' % (where, limit, len(name)))
        encoded = len(quote(name, safe=''))
        if encoded > MAX_ENCODED_NAME:
            self.fail('%s: %d characters is longer than a look-up by name can carry (PagerDuty publishes no limit for '
                      'this name, but the look-up puts it in the URL: %d bytes once encoded, at most %d); shorten it'
                      % (where, len(name), encoded, MAX_ENCODED_NAME))

    def check_names(self, limit=None, options=('name', 'new_name')):
        """check_name() for the identity options (O(name), O(new_name)), and a blank O(id)."""
        self.fail_if_blank('id')
        for option in options:
            self.check_name(option, self.params.get(option), limit)

    def report_rate_limits(self, result):
        for client in self.clients():
            report, warning = client.rate_limit_report()
            if report:
                result.setdefault('rate_limited', report)
            if warning:
                self.warn(warning)
            for message in client.warnings:
                self.warn(message)

    def clients(self):
        return [self.client] if self.client is not None else []

    # -- waiting, within the retry budget --------------------------------------------------------

    def wait_until(self, read, settled, what, client=None):
        """Read until `settled(value)` holds, within the retry budget: PagerDuty's reads lag its writes.

        Returns the last value read; a budget that runs out returns it unsettled, with a warning.
        """
        budget = (client or self.client).budget
        since = budget.now()
        attempt = 0
        value = read()
        while not settled(value):
            if budget.wait(budget.backoff(attempt) * READ_POLL_FRACTION, attempt, counted=False, since=since):
                self.warn('%s did not settle within the retry budget (retry_timeout); PagerDuty may still be '
                          'applying the change' % what)
                return value
            attempt += 1
            value = read()
        return value

    def poll(self, read, deadline_seconds, interval_cap=10.0):
        """Read until read() returns something, or `deadline_seconds` have passed (then None); for a kind that
        waits for something other than its own write (pd_event's incident)."""
        budget = self.client.budget
        deadline = time.monotonic() + deadline_seconds
        attempt = 0
        while True:
            found = read()
            if found is not None:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            budget.sleep(min(remaining, interval_cap, 2 ** attempt * 0.5))
            attempt += 1

    def pause(self, seconds):
        """Wait `seconds` within the retry budget; False when the budget has no time left for it."""
        if seconds <= 0:
            return True
        return not self.client.budget.wait(seconds, 0, counted=False)

    def reread_after_failed_create(self, err, find):
        """What `find()` sees after a create failed with `err`, or None.

        When an error status came back, the server had finished: one read tells. When no answer
        came at all (a timeout, a dropped connection), the server may still be working on the
        create, so it looks again a few times, with backoff, within the retry budget.
        """
        reads = PATIENT_REREADS if err.status is None else 1
        budget = self.client.budget
        since = budget.now()
        for attempt in range(reads):
            found = find()
            if found is not None or attempt == reads - 1:
                return found
            if budget.wait(budget.backoff(attempt), attempt, since=since):
                return None
        return None

    def write_once(self, send, done, not_yet=None):
        """Send a write that must not be repeated blind (a POST that adds something), and return what it answered.

        After a failure that leaves it unclear whether the write was applied (no answer, a 5xx), reads tell
        (`done()` is true once they show it, and may narrow what is sent next) before it is ever sent again. A
        refusal for which `not_yet(err)` holds (PagerDuty's reads, and so its checks, lag its writes: a service
        created a moment ago is "not found" for a while) is sent again after a backoff. All within the retry
        budget; when it runs out, the last error is raised.
        """
        budget = self.client.budget
        since = budget.now()
        attempt = 0
        while True:
            try:
                return send()
            except ApiError as err:
                if not_yet is not None and not_yet(err):
                    if budget.wait(budget.backoff(attempt), attempt, counted=False, since=since):
                        raise
                    attempt += 1
                    continue
                if not err.ambiguous:
                    raise
                if self.reread_after_failed_create(err, lambda: True if done() else None):
                    return None
                if budget.wait(budget.backoff(attempt), attempt, since=since):
                    raise
                attempt += 1

    # -- references ------------------------------------------------------------------------------

    def resolve_or_predict(self, collection, value, option, singular, client=None, **lookup):
        """The object named or identified by `value`, as client.resolve() finds it (with `client`, default
        the task's own).

        In check mode an object that does not exist is taken as created by an earlier task of the
        same run (a service before its integrations): a prediction of an earlier task says so, or else
        a warning does, and a stand-in without an ID is returned. A real run still fails when it does
        not exist.
        """
        client = client or self.client
        found = Lookups.of(client).find(collection, value, option, singular, **lookup)
        if self.check_mode:
            found = self.as_predicted(collection, value, found,
                                      lambda object_id: client.get_object(collection, singular, object_id,
                                                                          lookup.get('query')))
        if found is not None:
            return found
        if not self.check_mode:
            raise client.error_class(Lookups.of(client).not_found_message(
                collection, value, option, singular, path=lookup.get('path'), key=lookup.get('key')), option=option)
        return self.predicted_parent(value, option, singular)

    def as_predicted(self, collection_key, value, found, by_id):
        """Check mode: `found` (what a read found for `value`, a name or ID, or None) as earlier tasks of the run
        predicted it: an object renamed to `value`, or created with it, is found (by its ID when it has one); one
        changed is shown with its predicted fields. A real run takes reads as they are."""
        if not self.check_mode:
            return found
        predictions = self.task.predictions
        if found is not None:
            entry = predictions.of_id(collection_key, found.get('id'))
            return dict(found, **entry['fields']) if entry else found
        entry = predictions.named(collection_key, value) or predictions.of_id(collection_key, value)
        if entry is None:
            return None
        if entry['id']:
            found = by_id(entry['id'])
            if found is not None:
                return dict(found, **entry['fields'])
        return dict(entry['fields'], id=None, **{PREDICTED: True})

    def predicted_parent(self, value, option, singular):
        self.warn('%s: no %s is named %r yet. Check mode assumes that %s.'
                  % (option, singular.replace('_', ' '), value, ASSUMED_CREATED))
        return {'id': None, 'name': value, 'summary': value, PREDICTED: True}

    def required_to_create(self, message):
        """A create needs what `message` names, and the task does not give it: a failure, except in check
        mode, where a task that only changes an object may follow the task that creates it (as a parent's)."""
        if not self.check_mode:
            self.fail(message)
        self.warn('%s. It does not exist yet: check mode assumes that %s.' % (message, ASSUMED_CREATED))


class Resource(Kind):
    """An object with an identity; the engine owns its flow (run), a kind declares and fills in hooks.

    Declarations: `result_key`; `collection` (a Collection: where its objects live and how they are found);
    `fields` (Field and Reference: each option and the API field it sets, both ways); `options` (the other
    options: state, switches); `settable_fields` (what a diff may show; by default the fields'); `secret_fields`
    (never in a diff or a warning).

    Hooks, each given the plan: locate() (what the object belongs to, found first), find(plan) (the current
    object or None), desired(plan) (the fields the task sets, as the API shapes them), compare(plan),
    replacement(plan), check_create/check_update/check_delete(plan) (refusals before any write),
    plan_steps(plan) (writes besides the object's own), create/update/delete(plan, ...) (one write each),
    read_back(plan, obj), twins(plan) (look-alikes of a kind whose names are not unique), present(obj),
    predict_create/predict_update(plan), result_fields(plan), shown(fields) (a diff's view).
    """

    result_key = None
    collection = None
    fields = ()
    options = {}
    settable_fields = None
    secret_fields = ()
    # Fields a prediction keeps besides the settable ones, for later tasks to find the object by (a user's email).
    predicted_fields = ()
    # Ask reads after a write until they show it (a kind whose reads have no lag to fear sets False).
    settles = True

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.reference_names = {}  # ID -> name of the objects the task's references name (for results and diffs)

    # -- declaration -----------------------------------------------------------------------------

    @classmethod
    def own_argument_spec(cls):
        spec = {}
        for field in cls.fields:
            spec[field.option] = dict(field.spec)
        spec.update(cls.options)
        return spec

    @classmethod
    def settable(cls):
        """The API fields a user can set: the only ones a diff shows."""
        if cls.settable_fields is not None:
            return tuple(cls.settable_fields)
        return tuple(f.api for f in cls.fields if f.settable)

    # -- the flow --------------------------------------------------------------------------------

    def run(self):
        """Find, plan, then render (check mode) or apply. Kinds do not override this."""
        plan = self.plan()
        return self.render(plan) if self.check_mode else self.apply(plan)

    def plan(self, context=None, current=None, found=False):
        """The plan for this task, from reads only. A caller that read in bulk (the catalogue) hands in the
        `context` (then locate() is not asked) and, with `found`, the `current` object (then find() is not)."""
        with doing('look up the %s' % self.label()):
            plan = Plan(self, self.locate() if context is None else context)
            if not found:
                current = self.find(plan)
        plan.current = None if current is None else self.present(current)
        if self.moot(plan):
            return plan
        leftover = self.leftover_replacement(plan)
        if self.state() == 'absent':
            if plan.current is None and leftover is not None:
                plan.current, leftover = self.present(leftover), None
            if plan.current is not None:
                self.check_delete(plan)
                plan.action = 'delete'
            if leftover is not None:
                plan.step('delete the %s %r an interrupted run left' % (self.label(), leftover.get('name')),
                          lambda plan: self.delete(plan, leftover))
        else:
            plan.desired = self.desired(plan)
            if leftover is not None:
                self.finish_replacement(plan, self.present(leftover))
            elif plan.current is None:
                self.check_create(plan)
                plan.action = 'create'
                self.warn_look_alike(plan)
            else:
                plan.changes = self.compare(plan)
                plan.reason = self.replacement(plan)
                if plan.reason:
                    self.check_create(plan)
                    plan.action = 'replace'
                elif plan.changes:
                    self.check_update(plan)
                    plan.action = 'update'
        self.plan_steps(plan)
        return plan

    def render(self, plan):
        """Check mode: the result the plan predicts, without a single write."""
        if plan.action == 'create':
            plan.result = self.present(self.predict_create(plan))
        elif plan.action == 'update':
            plan.result = self.present(self.predict_update(plan))
        elif plan.action == 'replace':
            plan.result = self.present(self.predict_create(plan))
        elif plan.action == 'delete':
            plan.result = {}
        else:
            plan.result = plan.current
        for step in plan.steps:
            if step.predict:
                step.predict(plan)
        self.record_prediction(plan)
        return self.outcome(plan)

    def apply(self, plan):
        """The real run: the plan's writes in order, each settled before the next. When the object's own write
        fails, what the steps before it changed is put back (their undo)."""
        undo = []
        try:
            for step in [s for s in plan.steps if not s.after]:
                with doing(step.label):
                    step.apply(plan)
                if step.undo:
                    undo.append(step)
            self.write(plan)
            for step in [s for s in plan.steps if s.after]:
                with doing(step.label):
                    step.apply(plan)
        except (ApiError, TaskFailed) as failure:
            if not plan.wrote:
                self.undo(plan, undo)
            fields = self.failure_notes(plan)
            if isinstance(failure, TaskFailed):
                failure.result = dict(fields, **failure.result)
            else:
                failure.task_fields = fields
            raise
        return self.outcome(plan)

    def write(self, plan):
        """The object's own write, settled: create, update, replace or delete (or nothing)."""
        label = self.label()
        if plan.action == 'create':
            with doing('create the %s' % label):
                plan.result = self.create_settled(plan)
        elif plan.action == 'update':
            with doing('update the %s' % label):
                plan.result = self.update_settled(plan, plan.current, plan.changes)
        elif plan.action == 'replace':
            plan.result = self.replace(plan)
        elif plan.action == 'delete':
            with doing('delete the %s' % label):
                self.delete(plan, plan.current)
            plan.wrote = True
            plan.result = {}
        else:
            plan.result = plan.current

    def failure_notes(self, plan):
        """Fields a failed run reports besides the error (what it did before it failed)."""
        return {}

    def undo(self, plan, steps):
        """After the object's own write failed: put back what the steps before it changed, newest first."""
        for step in reversed(steps):
            try:
                step.undo(plan)
            except ApiError as err:
                self.warn('%s could not be undone after the write failed (%s); run the task again.' % (step.label, err))

    # -- creating: one object, whatever the race -------------------------------------------------

    def create_settled(self, plan):
        """Create the object, or adopt the one that exists; returns it once reads show it.

        A create whose answer was lost is re-read before it is ever sent again; a name conflict means another
        run created it (adopted, then updated if it differs); where PagerDuty does not keep names unique,
        look-alikes that runs created at the same moment are settled so that one object remains (settle_twins).
        """
        attempt = 0
        while True:
            plan.timeline.mark()
            try:
                created = self.present(self.create(plan, plan.desired))
                plan.timeline.landed(self.client.last_exchange_seconds, self.client.last_request_held_seconds)
                plan.wrote = True
                break
            except ApiError as err:
                existing = self.adopt_after_failed_create(plan, err, attempt)
                if existing is not None:
                    plan.wrote = True  # the object is there: whoever made it, what led to it stays
                    return self.adopted(plan, existing)
                attempt += 1  # verified absent: the create made nothing, and is sent again
        if not self.names_unique(plan):
            return self.settle_twins(plan, created)
        return self.settle(plan, created)

    def adopted(self, plan, existing):
        """The object a create found made already (by this run's lost create, or another run): planned against as
        it is, and changed to the task's wishes when it differs."""
        existing = self.present(existing)
        again = Plan(self, plan.context)
        again.current = existing
        again.desired = self.desired(again)
        again.changes = self.compare(again)
        if not again.changes:
            return existing
        self.check_update(again)
        return self.update_settled(again, existing, again.changes)

    def adopt_after_failed_create(self, plan, err, attempt):
        """The object a failed create left or found, re-read by identity; None when the create made nothing and
        may be sent again (within the retry budget); re-raises when it should not be.

        An ambiguous failure (no answer, a 5xx) may have created it: reads tell, patiently when no answer came at
        all (the server may still be working). A name conflict means somebody else created it a moment ago: it
        is read until reads show it, within the retry budget. Where names are not unique, the oldest look-alike
        is the one (settle_twins agrees).
        """
        conflict = self.is_name_conflict(err)
        if not (err.ambiguous or conflict):
            raise err
        with doing('re-read the %s after a failed create' % self.label()):
            if conflict:
                found = self.wait_until(lambda: self.identified(plan), lambda obj: obj is not None,
                                        'reading the %s another run created' % self.label())
            else:
                found = self.reread_after_failed_create(err, lambda: self.identified(plan))
        if found is not None:
            return found
        budget = self.client.budget
        if not err.ambiguous or budget.wait(budget.backoff(attempt), attempt):
            raise err
        return None

    def identified(self, plan):
        """The object with this task's identity as a read shows it now: find(), or where names are not unique the
        oldest look-alike (see settle_twins)."""
        if self.names_unique(plan):
            return self.find(plan)
        twins = self.twins(plan)
        return self.whole(plan, min(twins, key=age_order)) if twins else None

    def whole(self, plan, obj):
        """`obj` as a read of it by ID gives it (a listing may leave fields out), or as it is when that read finds
        nothing yet."""
        return self.read_back(plan, obj) or obj

    def settle_twins(self, plan, created):
        """The one object left of those that runs created at the same moment with this identity.

        PagerDuty does not keep these names unique, so runs that looked before any of them created make one
        each. This run reads until its own shows, watches for as long as a create in flight at the same moment
        may take to land (Timeline), then keeps the oldest (creation time, then ID: every run agrees) and
        deletes its own object only, if that is not the one: every run returns the object that survives.

        A caller that settles many creates at once (the catalogue: plan.context['settled_later']) gets the
        object as created, and calls keep_oldest() itself after one read of them all.
        """
        if plan.context.get('settled_later'):
            return created
        mine = created['id']
        with doing('look for %ss created at the same moment' % self.label()):
            twins = self.wait_until(lambda: self.twins(plan), lambda found: any(t.get('id') == mine for t in found),
                                    'reading the new %s back' % self.label())
            if self.pause(plan.timeline.window()):
                twins = self.twins(plan)
        return self.keep_oldest(plan, created, twins)

    def keep_oldest(self, plan, created, twins):
        """Of `created` and its look-alikes `twins` (as a read shows them after the watch), the one every run keeps:
        the oldest. This run's own is deleted if it is not that one."""
        keep = min(twins or [created], key=age_order)
        mine = created['id']
        if keep.get('id') == mine:
            return created
        with doing('delete %s %s, a duplicate this run created at the same moment as %s'
                   % (self.label(), mine, keep.get('id'))):
            self.delete(plan, created)
        return self.present(self.whole(plan, keep))

    # -- updating and reading back ---------------------------------------------------------------

    def update_settled(self, plan, current, changes):
        written = self.present(self.update(plan, current, changes))
        plan.wrote = True
        # An update that had to make another object instead (a window that ended meanwhile) waits until it reads.
        return self.settle(plan, written, changes if written.get('id') == current.get('id') else None)

    def settle(self, plan, written, changes=None):
        """Wait, within the retry budget, until reads show `written` (with `changes`, if an update)."""
        if not self.settles or not written or not written.get('id'):
            return written
        confirmed = plan.notes.get('confirmed')
        if confirmed is not None and self.shows_write(plan, confirmed, changes):
            return written  # a shared write has read its write back already
        label = self.label()
        with doing('read the %s back' % label):
            self.wait_until(lambda: self.read_back(plan, written), lambda read: self.shows_write(plan, read, changes),
                            'reading back the %s' % label)
        return written

    def shows_write(self, plan, read, changes):
        """True when `read` (what read_back() returned) shows the write: the object, with `changes` if any."""
        return read is not None and (changes is None or is_subset(changes, self.present(read)))

    # -- shared lists: read-modify-write that loses no concurrent writer's change ----------------------

    def write_shared(self, plan, shared):
        """Put this run's change into an object that other runs write whole too (a router's routes, a grouping
        setting's services), so that no writer's change is lost; returns the object as the last read showed it.

        PagerDuty takes such an object whole, with no version check: two runs that read it at the same moment
        each write their own copy, and the last one lands. So every attempt merges into a fresh read; after a
        write the engine reads until reads show a write after it, then watches for as long as writes in flight
        at the same moment may take to land (Timeline) and looks again: a change a stale write removed is merged
        in again, within the retry budget. A fixed wait would not confirm anything; this follows the latency.
        `shared` is a SharedWrite; plan.notes['writes'] counts the writes.
        """
        budget = self.client.budget
        since = budget.now()
        timeline = Timeline(lag_floor=SHARED_WRITE_LAG_FLOOR)
        base = shared.read()
        attempt = 0
        while True:
            body = shared.merged(base)
            if body is None:
                return base  # reads show the change already
            shared.write(body)
            timeline.landed(self.client.last_exchange_seconds, self.client.last_request_held_seconds)
            plan.notes['writes'] = plan.notes.get('writes', 0) + 1
            latest = self.wait_until(shared.read, lambda obj: shared.version(obj) != shared.version(base),
                                     'reading back %s' % shared.subject)
            if shared.version(latest) == shared.version(base):
                self.fail('%s: PagerDuty took the new %s, but its reads did not show it within the retry budget '
                          '(retry_timeout); run the task again to confirm the change' % (shared.option, shared.subject))
            if shared.keeps(latest):
                if self.pause(timeline.window()):
                    latest = shared.read()
                if shared.keeps(latest):
                    plan.notes['confirmed'] = latest
                    return latest
            if budget.wait(budget.backoff(attempt), attempt, since=since):
                self.fail('%s: the %s was replaced by other writers each time this task wrote it (%d times); nothing of '
                          'this task is in it now. Run the task again, or raise retries and retry_timeout.'
                          % (shared.option, shared.subject, plan.notes['writes']))
            attempt += 1
            base = shared.read()  # as it is now: merging into an older copy could undo later writes
            timeline.mark()

    # -- replacing: a new object for the old one -------------------------------------------------

    def replace(self, plan):
        """Replace plan.current with a new object (replacement_first() says which goes first): a failure midway
        leaves the old object working where it can.

        A replacement made first is created under its trace name (trace_name), which says what it replaces, and
        takes its own name once the old object is gone: a run stopped between the writes (a cancelled job, a
        killed process) leaves the trace, and the next run finishes the replacement (finish_replacement).
        """
        current = plan.current
        delete_first = self.replacement_first(plan) == 'delete'
        if delete_first:
            with doing('delete the %s %r to recreate it' % (self.label(), current.get('name'))):
                self.delete(plan, current)
            with doing('create the replacement of the %s %r' % (self.label(), current.get('name'))):
                return self.create_settled(plan)
        name = plan.desired['name']
        plan.desired = dict(plan.desired, name=self.trace_name(name, current['id']))
        with doing('create the replacement of the %s %r' % (self.label(), current.get('name'))):
            created = self.create_settled(plan)
        plan.desired = dict(plan.desired, name=name)
        with doing('delete the %s %r after creating its replacement' % (self.label(), current.get('name'))):
            self.delete(plan, current)
        with doing('give the replacement of the %s its name %r' % (self.label(), name)):
            return self.update_settled(plan, created, {'name': name})

    # A replacement's name while the object it replaces still exists.
    TRACE_NAME = re.compile(r'^(?P<name>.*) \(replacing (?P<id>[A-Za-z0-9_-]+)\)$')

    @staticmethod
    def trace_name(name, replaced_id):
        return '%s (replacing %s)' % (name, replaced_id)

    @classmethod
    def untraced(cls, name):
        """The name a replacement takes in the end: `name` without its trace (runs replacing one object at the same
        moment settle their replacements by it, whatever object each of them saw as the one to replace)."""
        match = cls.TRACE_NAME.match(name)
        return match.group('name') if match else name

    def leftover_replacement(self, plan):
        """The replacement of this task's object that a stopped run left under its trace name, or None. A kind that
        replaces objects first looks among what it read (see replace())."""
        return None

    def traced(self, plan, candidates, name):
        """Of `candidates`, the one whose trace name says that it replaces the object named `name` (or None)."""
        found = []
        for candidate in candidates:
            match = self.TRACE_NAME.match(candidate.get('name') or '')
            if match and match.group('name') == name:
                found.append(candidate)
        if len(found) > 1:
            self.fail('%s: %d replacements of %r were left by stopped runs: %s. Delete the ones you do not want, '
                      'and run the task again'
                      % (self.option('name'), len(found), name, ', '.join('%r (%s)' % (c['name'], c['id']) for c in found)))
        return found[0] if found else None

    def finish_replacement(self, plan, leftover):
        """Plan the end of a replacement a stopped run began: the object it replaced goes (if it is still there), and
        the replacement takes its name and whatever else the task asks. It counts as this run's replacement: a key
        rotated then is not rotated again."""
        trace = self.TRACE_NAME.match(leftover['name'])
        replaced_id = trace.group('id')
        old = plan.current
        if old is not None and old['id'] != replaced_id:
            self.fail('%s: %r (%s) was left by a stopped run to replace %s, which is gone, and %s is named %r now. '
                      'Delete the one you do not want, and run the task again'
                      % (self.option('name'), leftover['name'], leftover['id'], replaced_id, old['id'], old.get('name')))
        plan.context['replaced'] = old
        plan.current = leftover
        plan.changes = dict(self.compare(plan), name=plan.desired.get('name') or trace.group('name'))
        plan.reason = 'finish'
        self.check_update(plan)
        plan.action = 'update'
        if old is not None:
            plan.step('delete the %s %r that a stopped run replaced' % (self.label(), old.get('name')),
                      lambda plan: self.delete(plan, old), after=False)

    def replacement_first(self, plan):
        """'create' (the new object first, so that a failure midway leaves the old one) or 'delete'."""
        return 'create'

    # -- presentation ----------------------------------------------------------------------------

    def outcome(self, plan):
        """The task's result: changed, the object, the kind's own fields, a diff in diff mode."""
        result = {'changed': plan.changed, self.result_key: self.reported(plan, plan.result or {})}
        result.update(self.result_fields(plan))
        if self.task.diff and result['changed']:
            before, after = self.plan_diff(plan)
            result['diff'] = {'before': self.visible(self.shown(before)), 'after': self.visible(self.shown(after))}
        return result

    def plan_diff(self, plan):
        """(before, after) of the settable fields the plan changes, as the API shapes them."""
        settable = self.settable()
        before, after = {}, {}
        result = plan.result or {}
        if plan.action == 'create':
            after = self.asked(result, plan.desired)
        elif plan.action == 'update':
            before = {k: v for k, v in project(plan.current, plan.changes).items() if k in settable}
            after = self.asked(result, plan.changes)
        elif plan.action == 'replace':
            before = {k: copy.deepcopy(v) for k, v in plan.current.items() if k in settable}
            after = self.asked(result, plan.desired)
        elif plan.action == 'delete':
            before = {k: copy.deepcopy(v) for k, v in plan.current.items() if k in settable}
        before.update(plan.diff_before)
        after.update(plan.diff_after)
        return before, after

    def asked(self, obj, asked):
        """What a diff shows of `obj` after a write: the settable fields that were asked for."""
        return {k: project(obj[k], v) if k in obj else copy.deepcopy(v)
                for k, v in (asked or {}).items() if k in self.settable()}

    def shown(self, fields):
        """A diff's view of fields: references by name (a diff holds no IDs)."""
        shown = {}
        references = {f.api for f in self.fields if f.reference}
        for key, value in fields.items():
            if key in references:
                value = [self.named(v) for v in value] if isinstance(value, list) else self.named(value)
            shown[key] = value
        return shown

    def named(self, reference):
        """A reference by its name (from the reference, or the names this task learnt), else its ID."""
        if isinstance(reference, dict) and not reference.get('summary') and reference.get('id') in self.reference_names:
            return self.reference_names[reference['id']]
        return reference_name(reference)

    def visible(self, fields):
        """`fields` without the ones that are never shown in a diff (keys, secrets)."""
        return {k: v for k, v in fields.items() if k not in self.secret_fields}

    def gathered(self, obj):
        """The object in the input format of the task's options (settable fields, references by name): fed back to
        the module, it changes nothing."""
        shown = self.present(obj)
        item = {}
        for field in self.fields:
            if field.settable and field.api in shown:
                item[field.option] = field.from_api(shown.get(field.api))
        return without_empty(item)

    def record_prediction(self, plan):
        """Check mode: what later tasks of the run should find - an object created, renamed or changed only in
        prediction - by collection: its ID (None for a new one), name and settable fields, never a secret."""
        collection = self.collection_of(plan)
        if collection is None or plan.action not in ('create', 'update', 'replace') or not plan.result:
            return
        kept = set(self.settable()) | {'id', 'name'} | set(self.predicted_fields)
        shown = {k: v for k, v in plan.result.items() if k in kept and k not in self.secret_fields}
        was = (plan.current or {}).get('name')
        self.task.predictions.record(collection.key, shown, was=was if was != shown.get('name') else None,
                                     key=self.prediction_key(shown))

    def prediction_key(self, shown):
        """What later tasks of a check run find a predicted object by: None for its name."""
        return None

    # -- defaults of the hooks -------------------------------------------------------------------

    def label(self):
        collection = self.collection_of(None)
        return collection.label if collection else self.result_key.replace('_', ' ')

    def collection_of(self, plan):
        """The collection the object lives in (a kind whose collection depends on its parent overrides this)."""
        return self.collection

    def state(self):
        return self.params.get('state', 'present')

    def names_unique(self, plan):
        """Whether PagerDuty refuses a second object with this identity (then a lost create race is adopted)."""
        collection = self.collection_of(plan)
        return collection is None or collection.unique_names

    def validate(self):
        if self.collection is not None and 'name' in self.own_argument_spec():
            self.check_names(self.collection.name_limit)

    def moot(self, plan):
        """True when there is nothing to do whatever the object is (e.g. a maintenance window that has ended); the
        kind says why in a warning."""
        return False

    def locate(self):
        """What the object belongs to, found first (a service for its integrations); {} for a top-level object."""
        return {}

    def find(self, plan):
        """The current object by the identity options: ID first, else name, else new_name (renamed by an earlier
        run). With state=present an unknown `id` fails, as does a new_name when neither name exists."""
        collection = self.collection_of(plan)
        params = self.params
        label = collection.label
        if params.get('id'):
            found = self.by_id(plan, params['id'])
            if found is None and self.state() == 'present':
                self.fail('%s: no %s has the ID %r; to create one, give its name instead'
                          % (self.option('id'), label, params['id']))
            return found
        found = self.by_name(plan, params['name'], self.option('name'))
        new_name = params.get('new_name')
        if found is None and new_name:
            found = self.by_name(plan, new_name, self.option('new_name'))
            if found is None and self.state() == 'present':
                self.fail('%s: no %s is named %r to rename to %r, nor %r yet; to create one, give its name without '
                          'new_name' % (self.option('name'), label, params['name'], new_name, new_name))
        return found

    def by_id(self, plan, object_id):
        collection = self.collection_of(plan)
        found = self.client.get_object(collection.key, collection.singular, object_id, self.read_query())
        return self.as_predicted(collection.key, object_id, found, lambda: None)

    def by_name(self, plan, name, option):
        """The object with exactly this name, or None; several fail naming `option`, listing them."""
        collection = self.collection_of(plan)
        if collection.name_filter is None:
            matches = [o for o in self.listing(plan) if o.get('name') == name]
            if len(matches) > 1:
                listing = ', '.join(describe(m) for m in matches)
                raise self.client.error_class('%s: %d %ss are named %r: %s. %s' % (
                    option, len(matches), collection.label, name, listing, self.ambiguity_advice()), option=option)
            found = matches[0] if matches else None
        else:
            found = self.lookups.find(collection.key, name, option, collection.singular, by_id=False,
                                      filter_param=collection.name_filter, query=self.listing_query(), path=collection.path,
                                      key=collection.plural)
        return self.as_predicted(collection.key, name, found,
                                 lambda object_id: self.client.get_object(collection.key, collection.singular, object_id,
                                                                          self.read_query()))

    def ambiguity_advice(self):
        """What to do when several objects have the name the task gives (where PagerDuty allows it)."""
        return 'PagerDuty does not keep their names unique. Give the ID of the one you mean with id.'

    def warn_look_alike(self, plan):
        """Before a create: objects whose names differ only in case are named in a warning (people often mean
        them). One request where PagerDuty can filter by name; the listing already read where it cannot, or the
        objects a caller read in bulk (plan.context['read'], the catalogue's)."""
        name = (plan.desired or {}).get('name')
        collection = self.collection_of(plan)
        if not name or collection is None:
            return
        if 'read' in plan.context:
            candidates = plan.context['read']
        else:
            with doing('look for %ss named like %r' % (collection.label, name)):
                if collection.name_filter is None:
                    candidates = self.listing(plan)
                else:
                    candidates = self.lookups.find_by_name(collection.key, name, 'query', case_sensitive=False,
                                                           path=collection.path, key=collection.plural)
        alike = [o for o in candidates if (o.get('name') or '').casefold() == name.casefold() and o.get('name') != name]
        if alike:
            self.warn('%s: no %s is named %r exactly, so one is created; %s differ%s only in case. To manage that one '
                      'instead, give its exact name or its id.' % (self.option('name'), collection.label, name,
                                                                   ', '.join(describe(o) for o in alike),
                                                                   's' if len(alike) == 1 else ''))

    def listing(self, plan, query=None, fresh=False):
        """Every object of the collection (PagerDuty cannot filter it by name): one request per 100 objects, read
        once per plan unless `fresh`."""
        collection = self.collection_of(plan)
        memo = ('listing', collection.key, repr(query))
        if plan is not None and memo in plan.context and not fresh:
            return plan.context[memo]
        with doing('list the %ss' % collection.label):
            if collection.cursor:
                found = list(self.client.paginate_cursor(collection.path, collection.plural, query))
            else:
                found = list(self.client.paginate(collection.path, collection.plural, query))
        if plan is not None:
            plan.context[memo] = found
        return found

    def read_query(self):
        """The query every read of the object carries (include[]), or None."""
        return None

    def listing_query(self):
        """The query of a listing that finds the object by name: read_query(), unless the listing takes more (a
        schedule's layers come with a listing only when asked for, and always with a read by ID)."""
        return self.read_query()

    def twins(self, plan):
        """The objects with this task's identity, as a read shows them now (for a kind whose names are not
        unique: see settle_twins)."""
        name = (plan.desired or {}).get('name') or self.params.get('new_name') or self.params.get('name')
        collection = self.collection_of(plan)
        if collection.name_filter is None:
            return [o for o in self.listing(plan, fresh=True) if o.get('name') == name]
        return self.lookups.find_by_name(collection.key, name, collection.name_filter, path=collection.path,
                                         key=collection.plural)

    def desired(self, plan):
        """The fields the task sets, as the API shapes them: each set option through its Field."""
        desired = {}
        for field in self.fields:
            value = self.params.get(field.option)
            if value is not None and field.option not in ('id', 'new_name'):
                desired[field.api] = field.to_api(self, value, plan)
        if self.params.get('new_name'):
            desired['name'] = self.params['new_name']
        return desired

    def compare(self, plan):
        """The fields to change: those of the desired state that differ from the current object (references by
        their IDs)."""
        references = {f.api for f in self.fields if f.reference}
        changes = {}
        for key, value in plan.desired.items():
            current = plan.current.get(key)
            same = (reference_ids(value) == reference_ids(current)) if key in references else is_subset(value, current)
            if not same:
                changes[key] = value
        if self.task.diff:
            self.name_references(plan, changes)
        return changes

    def name_references(self, plan, changes):
        """Diff mode: the name of a reference a change replaces, when PagerDuty's reference has none (one request)."""
        for field in self.fields:
            current = plan.current.get(field.api)
            if field.api not in changes or not isinstance(field, Reference) or not isinstance(current, dict):
                continue
            if current.get('summary') or not current.get('id'):
                continue
            if current['id'] not in self.reference_names:
                with doing('read the %s %r' % (field.singular.replace('_', ' '), current['id'])):
                    found = self.client.get_object(field.collection, field.singular, current['id'])
                self.reference_names[current['id']] = (found or {}).get('name')
            plan.current[field.api] = dict(current, summary=self.reference_names[current['id']])

    def replacement(self, plan):
        """Why the object must be replaced rather than updated ('rotate', 'recreate', ...), or None."""
        return None

    def check_create(self, plan):
        """Fail before any write when the desired object cannot be created (e.g. a required field is unset)."""

    def check_update(self, plan):
        """Fail before any write when PagerDuty would refuse the changes."""
        self.fail_if_name_taken(plan)

    def check_delete(self, plan):
        """Fail before any write when PagerDuty would refuse to delete the object (e.g. it is still in use)."""

    def fail_if_name_taken(self, plan):
        """Before a rename, where PagerDuty keeps names unique: fail naming the option when another object of the
        collection has the new name (PagerDuty would refuse the write: "Name has already been taken")."""
        collection = self.collection_of(plan)
        name = plan.changes.get('name')
        if name is None or collection is None or not collection.unique_names or not plan.current:
            return
        option = self.option('new_name' if self.params.get('new_name') else 'name')
        with doing('look for another %s named %r' % (collection.label, name)):
            other = self.by_name(plan, name, option)
        if other is not None and other.get('id') != plan.current.get('id'):
            self.fail('%s: another %s is named %r already (%s); choose another name, or rename or delete that one first'
                      % (option, collection.label, name, other.get('id')))

    def plan_steps(self, plan):
        """Add the writes besides the object's own to the plan (plan.step(...))."""

    def present(self, obj):
        """The object as results show it (e.g. null timeouts as 0)."""
        return obj

    def predict_create(self, plan):
        """What a create would return, for check mode."""
        return dict(plan.desired, id=None)

    def predict_update(self, plan):
        """What an update would return, for check mode: PagerDuty replaces each field sent as a whole."""
        return dict(plan.current, **copy.deepcopy(plan.changes))

    def body(self, fields):
        """Fields as a write sends them: the envelope, references as {id, type}."""
        body = {}
        references = {f.api: f for f in self.fields if isinstance(f, Reference)}
        for key, value in fields.items():
            if key in references and isinstance(value, dict):
                value = {'id': value['id'], 'type': '%s_reference' % references[key].singular}
            body[key] = value
        return {self.collection.singular: body}

    def create(self, plan, desired):
        collection = self.collection_of(plan)
        return self.client.post(collection.path, self.body(desired), envelope=collection.singular)

    def update(self, plan, current, changes):
        collection = self.collection_of(plan)
        return self.client.put(collection.object_path(current['id']), self.body(changes), envelope=collection.singular)

    def delete(self, plan, obj):
        self.client.delete(self.collection_of(plan).object_path(obj['id']))

    def read_back(self, plan, obj):
        """`obj` as a read returns it now (by its ID), or None while reads do not show it yet."""
        return self.by_id(plan, obj['id'])

    def is_name_conflict(self, err):
        """True when a failed create says the object already exists (then it is adopted)."""
        return err.status == 400 and any('already been taken' in str(e) for e in err.errors)

    def result_fields(self, plan):
        """Fields the result carries besides changed, the object and the diff."""
        return {}

    def reported(self, plan, obj):
        """The object as the task's result reports it (e.g. without a key the task did not ask for)."""
        return obj


def age_order(obj):
    """The order runs agree on to keep one of several look-alikes: the oldest (by creation time or sequence number),
    then the lowest ID."""
    return (str(obj.get('created_at') or ''), obj.get('sequence_number') or 0, str(obj.get('id') or ''))


def describe(obj):
    """'Name' (ID): how a message lists an object a user may have meant."""
    return '%r (%s)' % (obj.get('name') or obj.get('summary') or obj.get('description'), obj.get('id'))
