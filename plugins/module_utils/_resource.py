# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The engine every kind of object runs on, whichever entry point runs it.

A kind (``_service.py``, ``_integration.py``, ...) declares its options and fills in hooks; the
engine finds the object, builds the desired state from the options the user set, compares it as
a subset of what exists, then creates, updates, deletes or does nothing. In check mode it predicts
the result without a single write, and its diff holds only settings a user can set.

Nothing here depends on AnsibleModule: a kind sees a ``Task`` (validated options, check and diff
mode, warnings), so a module (``_module.py``), an in-process action plugin and the catalogue all
run the same code. Failures are ``TaskFailed``; each entry point reports them its own way.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import (
    PAGERDUTY_REGIONS,
    ApiError,
    DatadogClient,
    EventsClient,
    PagerDutyClient,
)

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
)

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

# Check mode's assumption about an object that does not exist yet, as its warnings state it.
ASSUMED_CREATED = 'an earlier task of this run creates it; a real run fails if it still does not exist then'

# Characters a name must not hold: PagerDuty keeps them, but nobody could type the name to find it again.
_NON_PRINTABLE = re.compile(r'[\x00-\x1f\x7f]')

# How often to look for an object whose create got no answer before concluding it was not made.
PATIENT_REREADS = 3

# In check mode, an object an earlier task would have created (a service, a policy) has no ID yet:
# a stand-in carries its name, marked with this key, so later tasks of the check run can go on.
PREDICTED = 'predicted'

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


class TaskFailed(Exception):
    """The task fails with `msg`; `result` holds the fields the failure result carries."""

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


class Task:
    """What a kind sees of the task: validated options, check and diff mode, and where warnings go.

    Built from AnsibleModule.params by the module, from the argument spec validator's result by the
    in-process action plugin, and per item by the catalogue. `where` prefixes option names in
    messages (e.g. ``services[3].``) so that a catalogue item's errors name the item.
    """

    def __init__(self, params, check_mode=False, diff=False, where=''):
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.where = where
        self.warnings = []
        self.deprecations = []

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)

    def deprecate(self, message, version, collection_name='oncall.pagerduty'):
        self.deprecations.append({'msg': message, 'version': version, 'collection_name': collection_name})

    def item(self, params, where):
        """A task for one item of a list option (the catalogue's services), sharing warnings."""
        child = Task(params, self.check_mode, self.diff, where)
        child.warnings = self.warnings
        child.deprecations = self.deprecations
        return child


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


class Kind:
    """A kind of object or action: its options, its client, and one failure path.

    Subclasses declare `argument_spec` (their own options; the credentials of `connection` are
    added), `option_rules` (mutually_exclusive, required_if, ... as AnsibleModule takes them) and
    `run()`, which returns the result. `self.fail()` raises TaskFailed.
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
        self.doing = None
        self.client = client

    # -- declaration -----------------------------------------------------------------------------

    @classmethod
    def common_argument_spec(cls):
        return {'pagerduty': PAGERDUTY_ARGUMENT_SPEC, 'datadog': DATADOG_ARGUMENT_SPEC,
                'events': EVENTS_ARGUMENT_SPEC}[cls.connection]

    @classmethod
    def full_argument_spec(cls):
        spec = copy.deepcopy(cls.common_argument_spec())
        spec.update(copy.deepcopy(cls.argument_spec))
        return spec

    # -- set-up ----------------------------------------------------------------------------------

    def option(self, name):
        """An option's name as messages show it (with the catalogue item it belongs to)."""
        return self.task.where + name

    def validate_common_params(self):
        for option, minimum in (('timeout', 1), ('retries', 0), ('retry_timeout', 0)):
            value = self.params.get(option)
            if value is not None and value < minimum:
                self.fail('%s must be at least %d, got %d' % (option, minimum, value))
        for option in ('api_url', 'events_url'):
            url = self.params.get(option)
            if url and not url.startswith(('https://', 'http://')):
                self.fail('%s: %r is not an http(s) URL' % (option, url))

    def transport_options(self):
        return dict(timeout=self.params['timeout'], validate_certs=self.params['validate_certs'],
                    ca_path=self.params['ca_path'], retries=self.params['retries'],
                    retry_timeout=self.params['retry_timeout'])

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
            raise TaskFailed(self.explain(err), **dict(self.failure_fields(), **err.result_fields()))
        self.report_rate_limits(result)
        return result

    def validate(self):
        """Fail on bad input before any request."""

    def run(self):
        raise NotImplementedError

    def failure_fields(self):
        """Extra fields a failure caused by an API error carries (e.g. what was done before it)."""
        return {}

    def explain(self, err):
        doing = ('could not %s: ' % self.doing) if self.doing else ''
        advice = self.status_advice.get(err.status)
        if advice:
            return '%s%s (%s)' % (doing, advice, err)
        if err.option:
            return str(err)  # it names the option it is about: nothing to add
        return '%s%s' % (doing, err)

    def fail(self, msg, **result):
        raise TaskFailed(msg, **result)

    def warn(self, message):
        self.task.warn(message)

    def fail_if_blank(self, *options):
        """Fail, naming the option, when one of these string options is set but blank."""
        for option in options:
            value = self.params.get(option)
            if value is not None and not str(value).strip():
                self.fail('%s: must not be blank' % self.option(option))

    def check_names(self, limit=None):
        """Fail, naming the option, on an ID or name (O(name), O(new_name)) that PagerDuty would refuse
        or that could not be found again; `limit` is PagerDuty's length limit where it has one."""
        self.fail_if_blank('id', 'name', 'new_name')
        for option in ('name', 'new_name'):
            name = self.params.get(option)
            if name is None:
                continue
            if _NON_PRINTABLE.search(name):
                self.fail('%s: must not contain non-printable characters (%r)' % (self.option(option), name))
            if name != name.strip():
                self.fail('%s: must not start or end with a space (%r)' % (self.option(option), name))
            if limit is not None and len(name) > limit:
                self.fail('%s: PagerDuty allows at most %d characters, got %d' % (self.option(option), limit, len(name)))

    def find_by_identity(self, by_id, by_name, singular, short=None):
        """The object that the identity options (IDENTITY_OPTIONS) name, or None.

        `by_id(id)` and `by_name(name, option)` look it up; `id` first, else `name`, else `new_name`
        (renamed by an earlier run). With state=present an unknown `id` fails, as does a `new_name`
        when neither name exists; `short` names the kind in the advice (default `singular`).
        """
        short = short or singular
        params = self.params
        if params['id']:
            found = by_id(params['id'])
            if found is None and self.state() == 'present':
                self.fail('%s: no %s has the ID %r; to create a %s, give its name instead'
                          % (self.option('id'), singular, params['id'], short))
            return found
        found = by_name(params['name'], self.option('name'))
        new_name = params['new_name']
        if found is None and new_name:
            found = by_name(new_name, self.option('new_name'))
            if found is None and self.state() == 'present':
                self.fail('%s: no %s is named %r to rename to %r, nor %r yet; to create a %s, give its name without '
                          'new_name' % (self.option('name'), singular, params['name'], new_name, new_name, short))
        return found

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

    def is_name_conflict(self, err):
        """True when a failed create says the object already exists (then it is adopted)."""
        return False

    def reread_after_failed_create(self, err, find):
        """What `find()` sees after a create failed with `err`, or None.

        When an error status came back, the server had finished: one read tells. When no answer
        came at all (a timeout, a dropped connection), the server may still be working on the
        create, so it looks again a few times, with backoff, within the retry budget.
        """
        # A name conflict with an object created a moment ago: reads may not show it yet either.
        reads = PATIENT_REREADS if err.status is None or self.is_name_conflict(err) else 1
        for attempt in range(reads):
            found = find()
            if found is not None or attempt == reads - 1:
                return found
            if self.client.budget.wait(self.client.budget.backoff(attempt), attempt):
                return None
        return None

    def resolve_or_predict(self, collection, value, option, singular, client=None, **lookup):
        """The object named or identified by `value`, as client.resolve() finds it (with `client`, default
        the task's own).

        In check mode an object that does not exist is taken as created by an earlier task of the
        same run (a service before its integrations): a warning says so and a stand-in without an
        ID is returned. A real run still fails when it does not exist.
        """
        client = client or self.client
        found = client.find(collection, value, option, singular, **lookup)
        if found is not None:
            return found
        if not self.check_mode:
            raise lookup_error(client, client.not_found_message(collection, value, option, singular,
                                                                path=lookup.get('path'), key=lookup.get('key')),
                               option)
        return self.predicted_parent(value, option, singular)

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

    def wait_until(self, read, settled, what):
        """Read until `settled(value)` holds, within the retry budget: PagerDuty's reads lag its writes.

        Returns the last value read; a budget that runs out returns it unsettled.
        """
        attempt = 0
        value = read()
        while not settled(value):
            if self.client.budget.wait(self.client.budget.backoff(attempt), attempt):
                self.warn('%s did not settle within the retry budget (retry_timeout); PagerDuty may still be '
                          'applying the change' % what)
                return value
            attempt += 1
            value = read()
        return value


def lookup_error(client, message, option):
    """An error of `client`'s API about `option` (its message names the option)."""
    return client.error_class(message, option=option)


class Resource(Kind):
    """The engine for one kind of object; a kind fills in the hooks below.

    Hooks: ``validate()`` fails on bad input before any request; ``find()`` the current object
    or None; ``desired(current)`` the fields the user set, shaped like the API object;
    ``create(desired)``, ``update(current, changes)`` and ``delete(current)`` the writes;
    ``present(obj)`` the object as results show it; ``settable_fields`` what a diff may show.
    """

    result_key = None
    # Fields a user can set: the only ones a diff shows.
    settable_fields = ()
    # Fields never shown in a diff (integration keys, Datadog service keys).
    secret_fields = ()

    def find(self):
        raise NotImplementedError

    def desired(self, current):
        raise NotImplementedError

    def create(self, desired):
        raise NotImplementedError

    def update(self, current, changes):
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError

    def present(self, obj):
        """The object as results show it (e.g. null timeouts as 0)."""
        return obj

    def check_create(self, desired):
        """Fail before any write when `desired` cannot be created (e.g. a required field is unset)."""

    def check_update(self, current, changes):
        """Fail before any write when PagerDuty would refuse `changes` to `current`."""

    def check_delete(self, current):
        """Fail before any write when PagerDuty would refuse to delete `current` (e.g. it is still in use)."""

    def predict_create(self, desired):
        """What a create would return, for check mode."""
        return dict(desired, id=None)

    def predict_update(self, current, changes):
        """What an update would return, for check mode: PagerDuty replaces each field sent as a whole."""
        return dict(current, **copy.deepcopy(changes))

    def read_back(self, obj):
        """`obj` as a read returns it now (by its ID), or None while reads do not show it yet.

        PagerDuty's reads lag its writes. A kind that defines this makes a create return only once
        its object is readable and an update only once reads show it, so that the next task (or a
        second run) sees what this one did. A kind that does not define it does not wait.
        """
        raise NotImplementedError

    def settle(self, written, changes=None):
        """Wait, within the retry budget, until reads show `written` (with `changes`, if an update)."""
        if self.check_mode or type(self).read_back is Resource.read_back:
            return written
        label = self.result_key.replace('_', ' ')
        self.doing = 'read the %s back' % label
        self.wait_until(lambda: self.read_back(written), lambda read: self.shows_write(read, changes),
                        'reading back the %s' % label)
        return written

    def shows_write(self, read, changes):
        """True when `read` (what read_back() returned) shows the write: the object, with `changes` if any."""
        return read is not None and (changes is None or is_subset(changes, self.present(read)))

    def state(self):
        return self.params.get('state', 'present')

    # -- the engine ------------------------------------------------------------------------------

    def run(self):
        self.doing = 'look up the %s' % self.result_key.replace('_', ' ')
        current = self.find()
        current = None if current is None else self.present(current)
        if self.state() == 'absent':
            return self.ensure_absent(current)
        desired = self.desired(current)
        if current is None:
            return self.ensure_created(desired)
        return self.ensure_updated(current, desired, changed=False)

    def fail_if_name_taken(self, collection, singular, changes, current):
        """Before a rename, fail naming the option when another object of the collection has the new name
        (PagerDuty would refuse the write: "Name has already been taken")."""
        name = changes.get('name')
        if name is None:
            return
        option = 'new_name' if self.params.get('new_name') else 'name'
        self.doing = 'look for another %s named %r' % (singular.replace('_', ' '), name)
        other = self.client.find(collection, name, self.option(option), singular, by_id=False)
        if other is not None and other['id'] != current['id']:
            self.fail('%s: another %s is named %r already (%s); choose another name, or rename or delete that one first'
                      % (self.option(option), singular.replace('_', ' '), name, other['id']))

    def ensure_absent(self, current):
        if current is None:
            return self.exit(changed=False, **{self.result_key: {}})
        self.check_delete(current)
        if not self.check_mode:
            self.doing = 'delete the %s' % self.result_key.replace('_', ' ')
            self.delete(current)
        return self.exit(changed=True, diff=self.diff(self.settable(current), {}), **{self.result_key: {}})

    def ensure_created(self, desired):
        self.check_create(desired)
        if self.check_mode:
            predicted = self.present(self.predict_create(desired))
            return self.exit(changed=True, diff=self.diff({}, self.shown(predicted, desired)),
                             **{self.result_key: predicted})
        self.doing = 'create the %s' % self.result_key.replace('_', ' ')
        try:
            created = self.settle(self.present(self.create(desired)))
        except ApiError as err:
            existing = self.adopt_after_failed_create(err, desired)
            # Adopted after an ambiguous failure of our own POST: we created it.
            return self.ensure_updated(existing, desired, changed=err.ambiguous)
        return self.exit(changed=True, diff=self.diff({}, self.shown(created, desired)), **{self.result_key: created})

    def adopt_after_failed_create(self, err, desired, find=None):
        """The object a failed create left or found, re-read by identity; re-raises when there is none.

        An ambiguous failure (no response, 5xx) may have created the object: re-reading tells (see
        reread_after_failed_create), and when nothing was created the create is sent again,
        within the retry budget. A name conflict means somebody else created it: it is adopted
        rather than duplicated. `find` overrides how the object is looked for (default: find()).
        """
        find = find or self.find
        attempt = 0
        while err.ambiguous or self.is_name_conflict(err):
            self.doing = 're-read the %s after a failed create' % self.result_key.replace('_', ' ')
            existing = self.reread_after_failed_create(err, find)
            if existing is not None:
                return self.present(existing)
            if not err.ambiguous or self.client.budget.wait(self.client.budget.backoff(attempt), attempt):
                raise err
            attempt += 1
            self.doing = 'create the %s' % self.result_key.replace('_', ' ')
            try:
                return self.present(self.create(desired))
            except ApiError as retry_err:
                err = retry_err
        raise err

    def ensure_updated(self, current, desired, changed):
        changes = changed_fields(desired, current)
        if not changes:
            return self.exit(changed=changed, **{self.result_key: current})
        self.check_update(current, changes)
        before = project(current, changes)
        if self.check_mode:
            updated = self.present(self.predict_update(current, changes))
        else:
            self.doing = 'update the %s' % self.result_key.replace('_', ' ')
            updated = self.settle(self.present(self.update(current, changes)), changes)
        return self.exit(changed=True, diff=self.diff(before, self.shown(updated, changes)), **{self.result_key: updated})

    # -- presentation ----------------------------------------------------------------------------

    def settable(self, obj):
        """The fields of `obj` a user can set."""
        return {k: copy.deepcopy(v) for k, v in obj.items() if k in self.settable_fields}

    def shown(self, obj, asked):
        """What a diff shows of `obj` after a write: the settable fields that were asked for."""
        return {k: project(obj[k], v) if k in obj else copy.deepcopy(v)
                for k, v in asked.items() if k in self.settable_fields}

    def visible(self, obj):
        """`obj` without the fields that are never shown in a diff."""
        return {k: v for k, v in obj.items() if k not in self.secret_fields}

    def diff(self, before, after):
        return {'before': self.visible(before), 'after': self.visible(after)}

    def exit(self, **result):
        """The task's result; diffs only in diff mode."""
        if not self.task.diff:
            result.pop('diff', None)
        return result
