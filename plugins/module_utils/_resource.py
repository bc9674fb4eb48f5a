# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base module class and the declarative resource engine shared by every module.

``PagerDutyModule`` owns the common options, builds the client and turns any ``ApiError`` into
one actionable failure message. ``ResourceModule`` adds the engine: find the object, build the
desired state from the options the user set, compare it as a subset of what exists, then create,
update, delete or do nothing; in check mode it predicts the result without a single write, and
its diff holds only what changes.
"""

from __future__ import annotations

import copy

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import (
    PAGERDUTY_REGIONS,
    ApiError,
    PagerDutyClient,
)

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

# How often to look for an object whose create got no answer before concluding it was not made.
PATIENT_REREADS = 3

# What each HTTP status means for the person running the task.
_STATUS_ADVICE = {
    401: 'the API token was rejected: check api_token (or PAGERDUTY_API_TOKEN) and that it belongs to the '
         'account of this region or api_url',
    402: 'the PagerDuty account lacks the ability (its plan does not include this feature)',
    403: 'the token was refused permission: it may be a read-only API key, or its user may lack the role '
         'needed; use a full-access token',
    429: 'PagerDuty kept rate limiting the requests; raise retry_timeout or run fewer tasks in parallel',
}


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
        return {k: project(actual.get(k), v) for k, v in shape.items()}
    if isinstance(shape, list) and isinstance(actual, list) and len(shape) == len(actual):
        return [project(a, s) for a, s in zip(actual, shape)]
    return copy.deepcopy(actual)


def changed_fields(desired, current):
    """The top-level fields of `desired` whose values differ from `current`."""
    return {k: v for k, v in desired.items() if not is_subset(v, current.get(k))}


class PagerDutyModule:
    """An AnsibleModule with the common PagerDuty options, its client, and one failure path."""

    argument_spec = {}
    module_kwargs = {}
    common_argument_spec = PAGERDUTY_ARGUMENT_SPEC
    status_advice = _STATUS_ADVICE

    def __init__(self):
        spec = dict(self.common_argument_spec)
        spec.update(self.argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **self.module_kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.doing = None
        self.validate_common_params()
        self.client = self.build_client()

    # -- set-up ----------------------------------------------------------------------------------

    def validate_common_params(self):
        for option, minimum in (('timeout', 1), ('retries', 0), ('retry_timeout', 0)):
            value = self.params.get(option)
            if value is not None and value < minimum:
                self.fail('%s must be at least %d, got %d' % (option, minimum, value))
        api_url = self.params.get('api_url')
        if api_url and not api_url.startswith(('https://', 'http://')):
            self.fail('api_url: %r is not an http(s) URL' % api_url)

    def transport_options(self):
        return dict(timeout=self.params['timeout'], validate_certs=self.params['validate_certs'],
                    ca_path=self.params['ca_path'], retries=self.params['retries'],
                    retry_timeout=self.params['retry_timeout'])

    def build_client(self):
        if not self.params.get('api_token'):
            self.fail('api_token: no PagerDuty API token was given; set api_token, or the PAGERDUTY_API_TOKEN '
                      'environment variable')
        return PagerDutyClient(self.params['api_token'], region=self.params['region'], api_url=self.params.get('api_url'),
                               **self.transport_options())

    # -- running and failing ---------------------------------------------------------------------

    def execute(self):
        """Run the module; every API failure becomes one actionable message."""
        try:
            self.run()
        except ApiError as err:
            self.fail(self.explain(err), status=err.status, error_code=err.code, errors=err.errors)

    def run(self):
        raise NotImplementedError

    def explain(self, err):
        doing = ('could not %s: ' % self.doing) if self.doing else ''
        advice = self.status_advice.get(err.status)
        if advice:
            return '%s%s (%s)' % (doing, advice, err)
        return '%s%s' % (doing, err)

    def fail(self, msg, **result):
        self.module.fail_json(msg=msg, **result)

    def fail_if_blank(self, *options):
        """Fail, naming the option, when one of these string options is set but blank."""
        for option in options:
            value = self.params.get(option)
            if value is not None and not value.strip():
                self.fail('%s: must not be blank' % option)

    def reread_after_failed_create(self, err, find):
        """What `find()` sees after a create failed with `err`, or None.

        When an error status came back, the server had finished: one read tells. When no answer
        came at all (a timeout, a dropped connection), the server may still be working on the
        create, so it looks again a few times, with backoff, within the retry budget.
        """
        reads = 1 if err.status is not None else PATIENT_REREADS
        for attempt in range(reads):
            found = find()
            if found is not None or attempt == reads - 1:
                return found
            if self.client.budget.wait(self.client.budget.backoff(attempt)):
                return None
        return None

    def exit(self, **result):
        for warning in self.client.warnings if getattr(self, 'client', None) else ():
            self.module.warn(warning)
        self.module.exit_json(**result)


class ResourceModule(PagerDutyModule):
    """The engine for one kind of object; a module fills in the hooks below.

    Hooks: ``validate()`` fails on bad input before any request; ``find()`` the current object or None; ``desired(current)`` the fields the user set,
    shaped like the API object; ``create(desired)``, ``update(current, changes)`` and
    ``delete(current)`` the writes; ``present(obj)`` the object as results show it.
    """

    result_key = None
    # Fields never shown in a diff (integration keys, Datadog service keys).
    secret_fields = ()

    def validate(self):
        """Fail on bad input before any request."""

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
        """The object as results and diffs show it (e.g. null timeouts as 0)."""
        return obj

    def check_create(self, desired):
        """Fail before any write when `desired` cannot be created (e.g. a required field is unset)."""

    def predict_create(self, desired):
        """What a create would return, for check mode."""
        return dict(desired, id=None)

    def is_name_conflict(self, err):
        """True when a failed create says the object already exists (then it is adopted)."""
        return False

    # -- the engine ------------------------------------------------------------------------------

    def run(self):
        self.validate()
        self.doing = 'look up the %s' % self.result_key
        current = self.find()
        current = None if current is None else self.present(current)
        if self.params.get('state') == 'absent':
            return self.ensure_absent(current)
        desired = self.desired(current)
        if current is None:
            return self.ensure_created(desired)
        return self.ensure_updated(current, desired, changed=False)

    def ensure_absent(self, current):
        if current is None:
            return self.exit(changed=False, **{self.result_key: {}})
        if not self.check_mode:
            self.doing = 'delete the %s' % self.result_key
            self.delete(current)
        return self.exit(changed=True, diff=self.diff(self.visible(current), {}), **{self.result_key: {}})

    def ensure_created(self, desired):
        self.check_create(desired)
        if self.check_mode:
            predicted = self.present(self.predict_create(desired))
            return self.exit(changed=True, diff=self.diff({}, self.visible(predicted)), **{self.result_key: predicted})
        self.doing = 'create the %s' % self.result_key
        try:
            created = self.present(self.create(desired))
        except ApiError as err:
            existing = self.adopt_after_failed_create(err, desired)
            # Adopted after an ambiguous failure of our own POST: we created it.
            return self.ensure_updated(existing, desired, changed=err.ambiguous)
        return self.exit(changed=True, diff=self.diff({}, self.visible(created)), **{self.result_key: created})

    def adopt_after_failed_create(self, err, desired, find=None):
        """The object a failed create left or found, re-read by identity; re-raises when there is none.

        An ambiguous failure (no response, 5xx) may have created the object: re-reading tells (see
        reread_after_failed_create), and when nothing was created the create is sent again,
        within the retry budget. A name
        conflict means somebody else created it: it is adopted rather than duplicated. `find`
        overrides how the object is looked for (default: the module's find()).
        """
        find = find or self.find
        while err.ambiguous or self.is_name_conflict(err):
            self.doing = 're-read the %s after a failed create' % self.result_key
            existing = self.reread_after_failed_create(err, find)
            if existing is not None:
                return self.present(existing)
            if not err.ambiguous or self.client.budget.wait(self.client.budget.backoff(0)):
                raise err
            self.doing = 'create the %s' % self.result_key
            try:
                return self.present(self.create(desired))
            except ApiError as retry_err:
                err = retry_err
        raise err

    def ensure_updated(self, current, desired, changed):
        changes = changed_fields(desired, current)
        if not changes:
            return self.exit(changed=changed, **{self.result_key: current})
        before = {k: project(current.get(k), v) for k, v in changes.items()}
        if self.check_mode:
            # PagerDuty replaces each field sent in a PUT as a whole, nested objects included.
            updated = dict(current, **copy.deepcopy(changes))
        else:
            self.doing = 'update the %s' % self.result_key
            updated = self.present(self.update(current, changes))
        return self.exit(changed=True, diff=self.diff(before, changes), **{self.result_key: updated})

    def visible(self, obj):
        """`obj` without the fields that are never shown in a diff."""
        return {k: v for k, v in obj.items() if k not in self.secret_fields}

    def diff(self, before, after):
        return {'before': self.visible(before), 'after': self.visible(after)}
