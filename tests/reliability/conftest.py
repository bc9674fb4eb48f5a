"""Reports of the reliability suites: each suite adds rows, printed as tables after the run.

Under pytest-xdist the rows are collected in the workers and sent to the controller, which prints.
"""

import collections
import json

import pytest

REPORTS = collections.OrderedDict()


@pytest.fixture(scope='session')
def report():
    """report(title, columns) -> a function that adds one row (a tuple) to that table."""

    def table(title, columns):
        return REPORTS.setdefault(title, {'columns': list(columns), 'rows': []})['rows'].append

    return table


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, 'workeroutput', None)
    if workeroutput is not None:  # an xdist worker: hand the rows to the controller
        workeroutput['reports'] = json.dumps(REPORTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for title, table in json.loads(getattr(node, 'workeroutput', {}).get('reports', '{}')).items():
        REPORTS.setdefault(title, {'columns': table['columns'], 'rows': []})['rows'].extend(table['rows'])


def totals(columns, rows):
    """One line: the number of rows, how many of each outcome, and the sum of each number column."""
    parts = ['%d cases' % len(rows)]
    for index, column in enumerate(columns):
        values = [row[index] for row in rows]
        if column == 'outcome':
            counts = collections.Counter(values)
            parts.append(', '.join('%s %d' % (outcome, count) for outcome, count in sorted(counts.items())))
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            parts.append('%s %s' % (column, round(sum(values), 3)))
    return 'Totals: ' + '; '.join(parts)


def pytest_terminal_summary(terminalreporter):
    for title, table in REPORTS.items():
        columns, rows = table['columns'], sorted(table['rows'], key=lambda r: [str(v) for v in r[:2]])
        if not rows:
            continue
        widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) for i, c in enumerate(columns)]
        terminalreporter.section(title)
        header = '  '.join(str(c).ljust(w) for c, w in zip(columns, widths))
        terminalreporter.write_line(header)
        terminalreporter.write_line('-' * len(header))
        for row in rows:
            terminalreporter.write_line('  '.join(str(v).ljust(w) for v, w in zip(row, widths)))
        terminalreporter.write_line(totals(columns, rows))
