# Two commands matter: `make run` and `make test`. Everything else is what they stand on.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run PORT=8080 HOST=0.0.0.0` serves elsewhere than http://127.0.0.1:8000.
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test lint typecheck pytest install lock clean migrate browser

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/phonebank serve --demo --host $(HOST) --port $(PORT)

migrate: $(STAMP)
	$(BIN)/phonebank db upgrade

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy phonebank

# The browser tests drive Debian's Chromium; install it where it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The suite runs on SQLite, then again on PostgreSQL when PHONEBANK_TEST_DATABASE_URL is set.
pytest: $(STAMP) browser
	env -u PHONEBANK_TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$PHONEBANK_TEST_DATABASE_URL" ]; then \
		echo "== again on $${PHONEBANK_TEST_DATABASE_URL%%://*} =="; \
		$(BIN)/pytest; \
	fi

test: lint typecheck pytest

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^phonebank' > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) phonebank.db phonebank.db-wal phonebank.db-shm test-artifacts
