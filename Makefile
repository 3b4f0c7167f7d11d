# inscriptions — the two commands a newcomer needs:
#   make run    installs what is missing, migrates, seeds and serves http://127.0.0.1:8080
#   make test   installs what is missing and runs every test (SMTP server and browser included)
# and, for the figures in the README:
#   make bench  builds in release mode and measures the server under load

SHELL := /bin/bash
CARGO ?= cargo
NPM_STAMP := node_modules/.installed-from-lock

.PHONY: run test check lint unit browser bench deps npm-deps chromium clean-data

## Node packages (DSFR, reference data, maildev, playwright-core, axe-core), from
## package-lock.json. .dsfr.yml records the acceptance of the DSFR terms, which
## its install script asks for.
$(NPM_STAMP): package.json package-lock.json .dsfr.yml
	npm ci --no-audit --no-fund
	@touch $@

npm-deps: $(NPM_STAMP)

## Debian's Chromium, for the browser tests (test tools that download their own
## browser cannot work here).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installation de chromium (Debian)…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

deps: npm-deps

run: deps
	$(CARGO) run --quiet -- migrate
	$(CARGO) run --quiet -- serve

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --quiet -- -D warnings

## Rust tests: unit tests and integration tests against the real router, a fresh
## SQLite file per test, and maildev (started by the tests) as SMTP server.
unit: npm-deps
	$(CARGO) test --all-targets

## Browser tests: Debian's Chromium driven by playwright-core, audited by axe-core
## (tests/browser/; screenshots of every visited page in target/screenshots/).
browser: npm-deps chromium
	$(CARGO) build --quiet
	node --test --test-concurrency=1 tests/browser/

test: lint unit browser

bench: npm-deps
	bash bench/run.sh

clean-data:
	rm -rf data
