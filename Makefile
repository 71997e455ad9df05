# The two commands of the README: `make preflight` and `make test`.
# Everything is installed into a virtualenv built from .python-version and the pinned
# requirements, so a fresh machine needs only Python (pyenv) and make.

VENV ?= .venv
PYTHON_VERSION ?= $(shell grep -v '^\s*\#' .python-version | head -n1 | tr -d '[:space:]')
# Set CORNER to a file of pins that replace the project's (another Django), e.g.
# `make test VENV=.venv-oldest PYTHON_VERSION=3.11 CORNER=ci/django-4.2.txt`.
CORNER ?=
PY := $(VENV)/bin/python
CONFIG_VARS ?= deploy/production.env.example
PYTEST_ARGS ?=

.PHONY: setup preflight push test lint docs messages bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml .python-version scripts/find-python $(CORNER)
	@interpreter=$$(scripts/find-python $(PYTHON_VERSION)) && \
	  echo "Creating $(VENV) with $$interpreter" && \
	  "$$interpreter" -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
ifeq ($(strip $(CORNER)),)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
else
	@names=$$(sed -n 's/^\([A-Za-z0-9_.-]*\)==.*/\1/p' $(CORNER) | paste -sd'|') && \
	  grep -v -i -E "^($$names)==" requirements.txt > $(VENV)/requirements.txt && \
	  grep -v -i -E "^($$names)==|^-r " requirements-dev.txt > $(VENV)/requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check \
	  -r $(VENV)/requirements.txt -r $(VENV)/requirements-dev.txt -r $(CORNER)
endif
# deploytools as the distribution a user installs (editable: this checkout), so a project of
# tests/projects that pins deploytools==0.1.0 finds the version it pins, as on a user's machine.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Preflight this checkout with the example production config (README: use your app's own).
# Findings (exit 1) are the report's job to explain, so make only fails when preflight could
# not check at all (exit 2) -- unless STRICT=1, for scripts that gate on it.
STRICT ?=
preflight: setup
	@$(PY) manage.py preflight --config-vars $(CONFIG_VARS) $(ARGS); rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "preflight: problems found (exit 1); fix them before pushing."; fi; \
	  if [ -n "$(STRICT)" ]; then exit $$rc; else [ $$rc -ne 2 ]; fi

# Everything, including the tests, then push local/production to Heroku if nothing fails.
push: setup
	$(PY) manage.py preflight --config-vars $(CONFIG_VARS) --push $(ARGS)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .venv-* .pytest_cache .mypy_cache .ruff_cache staticfiles build dist *.egg-info

# Regenerate the README's settings and check tables from the code.
docs: setup
	$(PY) scripts/write_docs.py

# Regenerate the French catalogue from the code, then its compiled .mo (committed: Heroku's
# build does not run compilemessages). Needs GNU gettext. Idempotent: makemessages leaves the
# .po alone when only its date would change, and msgfmt writes the same .mo from the same .po.
# `--add-location file` keeps line numbers out of the .po, so moving code changes nothing.
messages: setup
	cd deploytools && $(abspath $(PY)) -m django makemessages --locale fr --add-location file --no-obsolete
	cd deploytools && $(abspath $(PY)) -m django compilemessages --locale fr

# Every benchmark; each prints its ratio measured side by side in one run, and its target.
bench: setup
	$(PY) bench/check_overhead.py
	$(PY) bench/preflight_speed.py
	$(PY) bench/release_noop.py
	$(PY) bench/release_pending.py
	$(PY) bench/production_check_latency.py
	$(PY) bench/package_index_latency.py
