# oncall.pagerduty: `make demo` and `make test` are all a newcomer needs (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
VENV_OLDEST := .venv-2.16
PY := $(VENV)/bin/python
PY_OLDEST := $(VENV_OLDEST)/bin/python
SIM_PORT ?= 8080
# Python versions of the supported range's ends.
NEWEST_PYTHON := 3.13
OLDEST_PYTHON := 3.11

.PHONY: help demo test sim bench venv unit reliability integration sanity lint changelog-lint install-collection clean

help:
	@echo "make demo   - run the example playbooks twice against the simulator (or PAGERDUTY_API_TOKEN's account)"
	@echo "make test   - everything CI runs: unit, integration (ansible-core 2.16 and 2.21), sanity, lint"
	@echo "make sim    - run the PagerDuty simulator in the foreground on 127.0.0.1:\$$SIM_PORT (8080)"
	@echo "make bench  - requests and time per task, against a hand-written uri playbook (docs/performance.md)"

$(VENV)/.installed: tests/requirements/newest.txt
	rm -rf $(VENV)
	"$$(tests/tools/find_python.sh $(NEWEST_PYTHON))" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(VENV_OLDEST)/.installed: tests/requirements/oldest.txt
	rm -rf $(VENV_OLDEST)
	"$$(tests/tools/find_python.sh $(OLDEST_PYTHON))" -m venv $(VENV_OLDEST)
	$(PY_OLDEST) -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

venv: $(VENV)/.installed $(VENV_OLDEST)/.installed

demo: $(VENV)/.installed
	$(PY) tests/tools/demo.py

sim: $(VENV)/.installed
	$(PY) -m tests.simulator --port $(SIM_PORT)

test: unit reliability integration sanity lint changelog-lint

unit: venv
	$(PY) -m pytest -n 2 tests/unit
	$(PY_OLDEST) -m pytest tests/unit

# Fault matrix, rate limits, concurrency, bad input and secrets; prints its tables (docs/reliability.md).
reliability: $(VENV)/.installed
	$(PY) -m pytest -n 2 tests/reliability

# Not part of make test: API requests and time per task next to a uri playbook (docs/performance.md).
bench: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements/bench.txt
	$(PY) tests/bench/bench.py

integration: venv
	$(PY) tests/tools/run_ansible_test.py integration --local --python $(NEWEST_PYTHON) --color no
	$(PY_OLDEST) tests/tools/run_ansible_test.py integration --local --python $(OLDEST_PYTHON) --color no

sanity: $(VENV)/.installed
	$(PY) tests/tools/run_ansible_test.py sanity --local --requirements --color no

COLLECTIONS := $(CURDIR)/.build/collections

# The collection installed as a user installs it, for tools that resolve its modules by name.
install-collection: $(VENV)/.installed
	$(VENV)/bin/ansible-galaxy collection install --force -p $(COLLECTIONS) . >/dev/null

lint: install-collection
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(VENV)/bin/ansible-lint examples/

changelog-lint: $(VENV)/.installed
	$(VENV)/bin/antsibull-changelog lint

clean:
	rm -rf .build $(VENV) $(VENV_OLDEST) .pytest_cache tests/output
