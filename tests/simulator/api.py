"""What every part of the simulated PagerDuty API shares: its error envelope and its clock."""

import datetime

ERROR_MESSAGES = {
    2001: 'Invalid Input Provided',
    2006: 'Authentication failed',
    2010: 'Access Denied',
    2019: 'Product Limit Reached',
    2020: 'Rate Limit Exceeded',
    2100: 'Not Found',
    5001: 'Not Found',
    5002: 'Service Not Found',
}


class ApiFailure(Exception):
    """An error response, in PagerDuty's envelope."""

    def __init__(self, status, code, errors=None, message=None, headers=None):
        super().__init__(message or ERROR_MESSAGES.get(code, 'Error'))
        self.status = status
        self.body = {'error': {'code': code, 'message': message or ERROR_MESSAGES.get(code, 'Error')}}
        if errors:
            self.body['error']['errors'] = list(errors)
        self.headers = headers or {}


def takes_no_body(handler):
    """Mark an endpoint PagerDuty documents as taking no request body ("This API does not require a request
    body"): a POST to it without one is not refused as not JSON."""
    handler.takes_no_body = True
    return handler


def invalid(*errors):
    return ApiFailure(400, 2001, errors)


def not_found(code=2100, message=None):
    return ApiFailure(404, code, message=message)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def timestamp(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def now():
    return timestamp(utc_now())


def parse_time(value):
    """An ISO 8601 time with a zone (Z or an offset) as an aware datetime, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
