"""Seed data of the simulated PagerDuty account: users, teams, escalation policies, vendors.

The vendor catalogue mirrors the real one where it matters to lookups: real names (and the real
IDs where they are publicly known), "Events API v2" appearing only inside another vendor's name,
"Sentry" next to "IPSentry", and two vendors that share one name, as PagerDuty's catalogue does.
"""

SUBDOMAIN = 'acme'

USERS = [
    ('PUSR001', 'Ada Lovelace', 'ada@example.com'),
    ('PUSR002', 'Grace Hopper', 'grace@example.com'),
    ('PUSR003', 'Alan Turing', 'alan@example.com'),
    ('PUSR004', 'Katherine Johnson', 'katherine@example.com'),
]

TEAMS = [
    ('PTEAM01', 'Platform', 'Platform engineering'),
    ('PTEAM02', 'Payments', 'Payments and billing'),
]

# (id, name, team id or None, user ids on the first rule)
ESCALATION_POLICIES = [
    ('PDEFEP1', 'Default', None, ['PUSR001']),
    ('PPLATEP', 'Platform On-Call', 'PTEAM01', ['PUSR002', 'PUSR003']),
    ('PPAYEP1', 'Payments On-Call', 'PTEAM02', ['PUSR004']),
]

# (id or None, name, generic_service_type). The generic type decides the integration type a
# vendor-specific integration gets; see INTEGRATION_TYPE_OF_GENERIC_SERVICE_TYPE.
NAMED_VENDORS = [
    ('PAM4FGS', 'Datadog', 'events_api_v2'),
    ('PMXRPDJ', 'Postman', 'api'),
    ('PZQ6AUS', 'Amazon CloudWatch', 'aws_cloudwatch'),
    ('PNAGIOS', 'Nagios', 'nagios'),
    ('PNEWREL', 'New Relic', 'events_api_v2'),
    ('PSPLUNK', 'Splunk', 'events_api_v2'),
    ('PKAPG94', 'Sentry', 'events_api_v2'),
    ('PIPSENT', 'IPSentry', 'email'),
    ('PPRTGV2', 'PRTG Notification For PagerDuty Events API v2', 'events_api_v2'),
    ('PRYWPH4', 'Slack to PagerDuty (Legacy)', 'api'),
    ('PLCR001', 'Live Call Routing', 'api'),
    ('PLCR002', 'Live Call Routing', 'api'),
    (None, 'Prometheus', 'events_api_v2'),
    (None, 'Grafana', 'events_api_v2'),
    (None, 'Zabbix', 'events_api_v2'),
    (None, 'Dynatrace', 'events_api_v2'),
    (None, 'AppDynamics', 'api'),
    (None, 'Pingdom', 'pingdom'),
    (None, 'Keynote', 'keynote'),
    (None, 'SQL Monitor', 'sql_monitor'),
    (None, 'Cloudkick', 'cloudkick'),
    (None, 'SolarWinds', 'email'),
    (None, 'Elastic Alerts', 'events_api_v2'),
    (None, 'Stackdriver', 'api'),
    (None, 'Google Cloud Monitoring', 'events_api_v2'),
    (None, 'Azure Monitor', 'events_api_v2'),
    (None, 'GitHub', 'events_api_v2'),
    (None, 'GitLab', 'events_api_v2'),
    (None, 'Jenkins', 'api'),
    (None, 'CircleCI', 'events_api_v2'),
    (None, 'Icinga', 'api'),
    (None, 'Checkmk', 'events_api_v2'),
    (None, 'LogicMonitor', 'api'),
    (None, 'Sumo Logic', 'events_api_v2'),
    (None, 'Loggly', 'api'),
    (None, 'Papertrail', 'api'),
    (None, 'Honeycomb', 'events_api_v2'),
    (None, 'Lightstep', 'events_api_v2'),
    (None, 'Catchpoint', 'api'),
    (None, 'ThousandEyes', 'events_api_v2'),
    (None, 'UptimeRobot', 'email'),
    (None, 'StatusCake', 'api'),
    (None, 'Site24x7', 'api'),
    (None, 'Zendesk', 'api'),
    (None, 'ServiceNow', 'events_api_v2'),
    (None, 'Mezmo', 'events_api_v2'),
    (None, 'Rollbar', 'api'),
    (None, 'Bugsnag', 'api'),
    (None, 'Raygun', 'api'),
    (None, 'Honeybadger', 'api'),
    (None, 'Instana', 'events_api_v2'),
    (None, 'Wavefront', 'api'),
    (None, 'SignalFx', 'api'),
    (None, 'Scout APM', 'email'),
    (None, 'Runscope', 'api'),
    (None, 'Threat Stack', 'api'),
    (None, 'CrowdStrike', 'events_api_v2'),
    (None, 'Amazon GuardDuty', 'aws_cloudwatch'),
    (None, 'Amazon EventBridge', 'events_api_v2'),
    (None, 'Heroku', 'api'),
    (None, 'Sensu', 'events_api_v2'),
    (None, 'Nagios XI', 'nagios'),
    (None, 'Cloudflare', 'events_api_v2'),
    (None, 'Fastly', 'api'),
    (None, 'Twilio', 'api'),
    (None, 'Zapier', 'api'),
    (None, 'Checkly', 'events_api_v2'),
    (None, 'Cronitor', 'api'),
    (None, 'Healthchecks.io', 'events_api_v2'),
    (None, "Dead Man's Snitch", 'email'),
    (None, 'Zenoss', 'api'),
    (None, 'Opsview', 'api'),
    (None, 'WhatsUp Gold', 'email'),
    (None, 'Microsoft SCOM', 'api'),
    (None, 'BigPanda', 'api'),
    (None, 'Moogsoft', 'api'),
]

# Generated names fill the catalogue to several hundred vendors, as large as the real one's
# first pages, so that listing everything takes several pages of 100.
_GENERATED_FIRST = ['Cloud', 'Net', 'Stack', 'Data', 'Log', 'Metric', 'Trace', 'Pulse', 'Signal',
                    'Beacon', 'Watch', 'Orbit', 'Vector', 'Harbor', 'Summit', 'Quartz', 'Atlas', 'Relay']
_GENERATED_SECOND = ['Guard', 'Scope', 'Sight', 'Ops', 'Alert', 'Probe', 'Hub', 'Flow', 'Track',
                     'Pilot', 'Lens', 'Ping', 'Pager', 'Monitor', 'Insight', 'Check', 'Radar', 'Grid']
_GENERIC_TYPES_CYCLE = ['events_api_v2', 'api', 'email', 'events_api_v2', 'api']

INTEGRATION_TYPE_OF_GENERIC_SERVICE_TYPE = {
    'events_api_v2': 'events_api_v2_inbound_integration',
    'api': 'generic_events_api_inbound_integration',
    'email': 'generic_email_inbound_integration',
    'aws_cloudwatch': 'aws_cloudwatch_inbound_integration',
    'nagios': 'nagios_inbound_integration',
    'pingdom': 'pingdom_inbound_integration',
    'keynote': 'keynote_inbound_integration',
    'sql_monitor': 'sql_monitor_inbound_integration',
    'cloudkick': 'cloudkick_inbound_integration',
}


def vendor_seed(generated_count=330):
    """(id or None, name, generic_service_type) for the whole catalogue."""
    vendors = list(NAMED_VENDORS)
    names = ['%s%s' % (a, b) for a in _GENERATED_FIRST for b in _GENERATED_SECOND]
    for index, name in enumerate(names[:generated_count]):
        vendors.append((None, name, _GENERIC_TYPES_CYCLE[index % len(_GENERIC_TYPES_CYCLE)]))
    return vendors
