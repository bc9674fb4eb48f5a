"""The bad-input check shared by every test_bad_input*.py: a clear failure, no traceback, no write."""

import json


TABLE = ('Bad input: module, wrong input -> outcome', ['module', 'input', 'outcome', 'writes'])


def case_id(case):
    module, options, dummy = case
    return '%s-%s' % (module.__name__.rsplit('.', 1)[1], '-'.join(sorted(options))[:60])


def check_bad_input(sim, world, run_module, report, module, options, message):
    """Run `module` with `options`: it must fail with `message` in its msg, having written nothing.

    `world` is sim.state() before the task; it must be unchanged afterwards.
    """
    add_row = report(*TABLE)
    result = run_module(module, **options)
    writes = [r for r in sim.writes() if (r['status'] or 0) < 400 and r.get('fault') is None]
    clear = bool(result.get('failed')) and message in result.get('msg', '') and 'Traceback' not in json.dumps(result)
    add_row((module.__name__.rsplit('.', 1)[1], ', '.join(sorted(options)) or '(none)',
             'clear failure' if clear else 'UNCLEAR: %s' % result.get('msg'), len(writes)))
    assert result.get('failed'), result
    assert message in result['msg'], result['msg']
    assert 'exception' not in result and 'Traceback' not in json.dumps(result)
    assert writes == [] and sim.state() == world
