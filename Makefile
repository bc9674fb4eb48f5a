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

.PHONY: help demo test sim bench venv unit reliability ecosystem molecule docs docs-lint docs-test integration integration-newest integration-oldest sanity lint changelog-lint install-collection clean request-journal-clear request-contract

help:
	@echo "make demo   - run the example playbooks twice against the simulator; with PAGERDUTY_API_TOKEN set it"
	@echo "              refuses unless DEMO_REAL_ACCOUNT=yes (or 'yes' on a terminal): then it runs in that real account"
	@echo "make test   - everything CI runs: unit, integration (ansible-core 2.16 and 2.21), sanity, lint, and every"
	@echo "              request the collection sent checked against the APIs' published request schemas"
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

# The simulator needs only the standard library: any Python 3.9 or later runs it.
sim:
	python3 -m tests.simulator --port $(SIM_PORT)

# Every API request the simulators of a run receive, one JSON line each (tests/simulator/server.py,
# RequestJournal): every simulator started with SIM_REQUEST_JOURNAL set writes to it, in the tests' process or not.
REQUEST_JOURNAL := $(CURDIR)/tests/output/request-journal.jsonl

test: export SIM_REQUEST_JOURNAL := $(REQUEST_JOURNAL)
test: request-journal-clear unit reliability integration ecosystem molecule sanity lint changelog-lint docs-test
	$(MAKE) --no-print-directory request-contract

request-journal-clear:
	mkdir -p tests/output && rm -f $(REQUEST_JOURNAL)

# The collection's requests in the journal against PagerDuty's and Datadog's published request schemas; the
# operations sent and never sent are in tests/output/request-contract.txt. Skips without ../shared/reference.
request-contract: $(VENV)/.installed
	$(PY) tests/tools/check_requests.py $(REQUEST_JOURNAL)

# Four workers on two cores: most of the time goes to waiting out the simulator's read lag and delays (a run
# with two used 46% of the CPU), not to computing.
unit: venv
	$(PY) -m pytest -n 4 tests/unit
	$(PY_OLDEST) -m pytest -n 4 tests/unit

# Fault matrix, rate limits, concurrency, the conformance battery, bad input and secrets; prints its tables
# (docs/reliability.md). Its tests mostly wait for the simulator's delays and lags, so four workers share two
# cores without slowing each other.
reliability: $(VENV)/.installed
	ONCALL_TEST_EXECUTION=in_process $(PY) -m pytest -n 4 tests/reliability

# Not part of make test: API requests and time per task next to a uri playbook (docs/performance.md).
bench: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements/bench.txt
	$(PY) tests/bench/bench.py

# The release tarball installed and run, and the demo as an AWX job through ansible-runner.
ecosystem: $(VENV)/.installed
	$(PY) -m pytest tests/ecosystem

# Converge, idempotence and verify over every module (extensions/molecule/default).
molecule: install-collection
	cd extensions && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(CURDIR)/$(VENV)/bin/molecule test

# Every target on both execution paths (in process, then forced to the module path), on the newest
# and the oldest ansible-core at the same time.
integration: venv
	$(MAKE) --no-print-directory -j2 --output-sync=target integration-newest integration-oldest

integration-newest:
	$(PY) tests/tools/run_ansible_test.py integration --local --python $(NEWEST_PYTHON) --color no
	ONCALL_TEST_EXECUTION=module $(PY) tests/tools/run_ansible_test.py integration --local --python $(NEWEST_PYTHON) --color no

integration-oldest:
	$(PY_OLDEST) tests/tools/run_ansible_test.py integration --local --python $(OLDEST_PYTHON) --color no
	ONCALL_TEST_EXECUTION=module $(PY_OLDEST) tests/tools/run_ansible_test.py integration --local --python $(OLDEST_PYTHON) --color no

sanity: $(VENV)/.installed
	$(PY) tests/tools/run_ansible_test.py sanity --local --requirements --color no

COLLECTIONS := $(CURDIR)/.build/collections
DOC_PLAYBOOKS := $(shell mktemp -u -d /tmp/oncall-pagerduty-doc-playbooks.XXXXXX)

# The collection installed as a user installs it, for tools that resolve its modules by name.
install-collection: $(VENV)/.installed
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(VENV)/bin/ansible-galaxy collection install --force -p $(COLLECTIONS) . >/dev/null

lint: install-collection
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(VENV)/bin/ansible-lint examples/ extensions/
	@# The guides' playbooks, linted where they are written out (ansible-lint skips files outside its project).
	rm -rf $(DOC_PLAYBOOKS) && $(PY) tests/tools/doc_playbooks.py $(DOC_PLAYBOOKS)
	cd $(DOC_PLAYBOOKS) && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) \
	    $(CURDIR)/$(VENV)/bin/ansible-lint --profile production --offline .

DOCSITE := $(CURDIR)/.build/docsite
INSTALLED := $(COLLECTIONS)/ansible_collections/oncall/pagerduty

# The HTML site: module pages from the modules' own documentation, and the guides of docs/docsite.
docs: install-collection
	$(PY) tests/tools/build_docs.py $(DOCSITE) $(COLLECTIONS)

docs-lint: install-collection
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) \
	    $(VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs $(INSTALLED)

# The built site in headless Chromium (Debian's chromium, installed here if missing): every module page renders.
docs-test: docs docs-lint
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	DOCSITE=$(DOCSITE) $(PY) -m pytest tests/docs

changelog-lint: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/antsibull-changelog lint

clean:
	rm -rf .build $(VENV) $(VENV_OLDEST) .pytest_cache tests/output
