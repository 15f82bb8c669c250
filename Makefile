# Mission Control — the one entry point for building and checking.
# `make` lists the targets.

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build both binaries (debug)
	$(CARGO) build --workspace --bins

.PHONY: release
release: ## Build both binaries (release)
	$(CARGO) build --release --workspace --bins

.PHONY: run
run: ## Run the service with zero configuration (SQLite under ./data)
	$(CARGO) run -p mission-control -- serve

.PHONY: fmt
fmt: ## Format the code
	$(CARGO) fmt --all

.PHONY: lint
lint: ## rustfmt check and clippy with warnings denied
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

.PHONY: test
test: ## Run every test (starts private PostgreSQL/Redis unless TEST_DATABASE_URL/TEST_REDIS_URL are set)
	bash tests/run.sh

.PHONY: fuzz
fuzz: ## The full contract fuzz run: Schemathesis, 25 examples per operation, both backends, user and agent
	$(CARGO) build --workspace --bins
	bash tests/schemathesis/install.sh
	bash tests/deps.sh env SCHEMATHESIS_EXAMPLES=25 $(CARGO) nextest run -p system-tests --no-fail-fast -E 'test(schemathesis)'

.PHONY: check
check: lint test ## What CI runs: lint, then all tests

.PHONY: crds
crds: ## Regenerate k8s/crd.yaml from the operator's types, and the chart's copy and values schema
	$(CARGO) run -q -p mission-control-operator -- crd > k8s/crd.yaml
	target/packaging-venv/bin/python tests/packaging/chart_sync.py --write  # venv made by `make test`

.PHONY: openapi
openapi: ## Write the OpenAPI document to target/openapi.json
	@mkdir -p target
	$(CARGO) run -q -p mission-control -- openapi > target/openapi.json

.PHONY: contract
contract: openapi ## Compare the OpenAPI document with the reference contract (developer tool from ../shared)
	../shared/tools/contract-diff target/openapi.json
