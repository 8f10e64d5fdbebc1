# Two entry points that work on a fresh clone: `make demo` and `make test` (and `make test-fast`).
# Each creates .venv when missing and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint browser debian

$(BIN)/signoff: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,sql,batch]'
	touch $(BIN)/signoff

# A real run: one flawed candidate is caught (exit 1 is the expected verdict), one correct passes.
demo: $(BIN)/signoff
	$(BIN)/signoff check examples/slugify/spec.py \
	    --candidate examples/slugify/candidate_good.py:slugify \
	    --candidate examples/slugify/candidate_flawed.py:slugify \
	    --json .signoff/demo-report.json; \
	status=$$?; echo "signoff exited $$status (1 = a candidate failed, as expected here)"; \
	test $$status -eq 1

# The HTML report test renders in Debian's chromium; this installs it once (needs root).
browser:
	bash .ci/install-browser

# Every Debian package the tests use (chromium, valgrind, gcc), installed once where missing (needs root).
debian:
	bash .ci/install-debian

test: $(BIN)/signoff debian
	$(BIN)/python -m pytest -q

# The edit-test loop: every test not marked slow (under two minutes on 2 cores); CI runs `make test`.
test-fast: $(BIN)/signoff
	$(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider

lint: $(BIN)/signoff
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy
