# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty's vendor catalogue: looking vendors up by exact name (any case), substring or ID."""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import Lookups
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Kind, doing


def resolve_vendor(client, value, option='vendor'):
    """The one vendor named (in any case) or identified by `value`; an error naming `option` otherwise."""
    return Lookups.of(client).resolve('vendors', value, option, 'vendor', case_sensitive=False)


def sort_by_name(objects):
    return sorted(objects, key=lambda o: ((o.get('name') or '').casefold(), o.get('id') or ''))


class VendorInfo(Kind):
    """pd_vendor_info: read vendors; never writes."""

    argument_spec = dict(
        name=dict(type='str'),
        query=dict(type='str'),
        id=dict(type='str'),
    )
    option_rules = dict(mutually_exclusive=[('name', 'query', 'id')])

    def validate(self):
        self.fail_if_blank('name', 'query', 'id')

    def run(self):
        name, query, vendor_id = self.params['name'], self.params['query'], self.params['id']
        with doing('look up vendors'):
            if vendor_id:
                found = self.client.get_object('vendors', 'vendor', vendor_id.strip())
                vendors = [found] if found else []
            elif name:
                vendors = self.lookups.find_by_name('vendors', name.strip(), case_sensitive=False)
            else:
                vendors = list(self.client.paginate('/vendors', 'vendors', {'query': query} if query else None))
        return dict(changed=False, vendors=sort_by_name(vendors))
