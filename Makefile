# meshfn: build, render, test.
#
#   make render   render the repository's root kpt package with the functions built from source
#   make test     every test: unit, golden, end to end with the real kpt and kustomize
#
# Tools the tests need are installed on first use; Go tools are built into .cache/tools.

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
TOOLS := $(CURDIR)/.cache/tools
KPT_VERSION := 1.0.0-beta.56
KUSTOMIZE_VERSION := v5.8.2
KUSTOMIZE := $(TOOLS)/kustomize-$(KUSTOMIZE_VERSION)/kustomize
FUNCTIONS := generate-revision set-namespace-revision inject-sidecar generate-ca-secrets apply-setters
SOFTHSM_MODULE := /usr/lib/softhsm/libsofthsm2.so
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(BIN):$(PATH)

.PHONY: all build render test golden bench check-kpt tools system-deps vet clean

all: build

## build: the function binaries and hsm-tool, into bin/
build:
	$(GO) build -o $(BIN)/ $(addprefix ./functions/,$(FUNCTIONS)) ./hsm-tool

## render: render the root package (every blueprint) with the exec functions from bin/
render: check-kpt build
	kpt fn render --allow-exec --truncate-output=false .

## test: every test, with the tools they need
test: check-kpt system-deps build tools vet
	MESHFN_BIN=$(BIN) MESHFN_KUSTOMIZE=$(KUSTOMIZE) MESHFN_REQUIRE_TOOLS=1 $(GO) test -count=1 ./...

## golden: rewrite every golden file from the current output (then review the diff)
golden: build tools
	UPDATE_GOLDEN=1 MESHFN_BIN=$(BIN) MESHFN_KUSTOMIZE=$(KUSTOMIZE) $(GO) test -count=1 ./...

## bench: Go benchmarks, then whole-process time and peak memory against a no-op floor
bench: build
	$(GO) build -o $(BIN)/ ./tests/bench/noop
	$(GO) test -run '^$$' -bench . -benchmem ./internal/... ./functions/...
	$(GO) run ./tests/bench/run -bin $(BIN)

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

check-kpt:
	@command -v kpt >/dev/null || { echo "kpt is not installed: meshfn needs kpt $(KPT_VERSION) on PATH (https://kpt.dev/installation/)." >&2; exit 1; }
	@v=$$(kpt version 2>/dev/null); if [ "$$v" != "$(KPT_VERSION)" ]; then echo "warning: kpt $$v found; the expected outputs were made with kpt $(KPT_VERSION)" >&2; fi

tools: $(KUSTOMIZE)

## system-deps: Debian packages the tests use (SoftHSM2, a real PKCS#11 token for hsm-tool)
system-deps:
	@if [ ! -e $(SOFTHSM_MODULE) ] || ! command -v softhsm2-util >/dev/null; then \
		echo "installing softhsm2 (a PKCS#11 token for the hsm-tool tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2 >/dev/null; \
	fi
	@command -v openssl >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }

$(KUSTOMIZE):
	GOBIN=$(dir $@) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

clean:
	rm -rf $(BIN) out
