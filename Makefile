# meshfn: build, render, test.
#
#   make render   build what rendering runs (the functions and render-exec) and render the
#                 repository's root kpt package with them
#   make test     every test: unit, golden, end to end with the real kpt, kustomize and podman
#
# Tools the tests need are installed on first use; Go tools are built into .cache/tools.
# `make test` sets MESHFN_REQUIRE_TOOLS=1: a test that lacks a tool it needs (kpt,
# kustomize, SoftHSM2, openssl, cgo, a container runtime) fails instead of skipping.
# The blueprints name the function images (ghcr.io/meshfn/NAME:VERSION); `make render`
# runs the same pipelines with the binaries from bin/ instead (exec mode), so it needs no
# container runtime. `make images` builds the images with podman or docker.
#
# The first build is the long part (validate-mesh compiles Istio's analyzers); hack/build
# says what it compiles and shows progress. The binaries in bin/ are linked without symbol
# table and DWARF (BUILD_LDFLAGS; stack traces are complete without them; pass
# BUILD_LDFLAGS= for a debugger) and without -trimpath, so that `go test` reuses the
# packages `make build` compiled.

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
TOOLS := $(CURDIR)/.cache/tools
KPT_VERSION := 1.0.0-beta.56
KUSTOMIZE_VERSION := v5.8.2
KUSTOMIZE := $(TOOLS)/kustomize-$(KUSTOMIZE_VERSION)/kustomize
# istioctl at the Istio module validate-mesh links, for generate-waypoint's reference files
ISTIO_MODULE_VERSION := $(shell awk '$$1 == "istio.io/istio" { print $$2 }' go.mod)
ISTIOCTL := $(TOOLS)/istioctl-$(ISTIO_MODULE_VERSION)/istioctl
FUNCTIONS := generate-revision set-namespace-revision inject-sidecar generate-ca-secrets apply-setters validate-mesh generate-waypoint
VERSION := $(shell cat VERSION)
REGISTRY := ghcr.io/meshfn
IMAGE_CONTEXTS := $(CURDIR)/out/images
SOFTHSM_MODULE := /usr/lib/softhsm/libsofthsm2.so
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(BIN):$(PATH)

BUILD_LDFLAGS ?= -s -w
RENDER_COMMANDS := $(addprefix ./functions/,$(FUNCTIONS)) ./hack/render-exec

# The recipes that run containers start with this: hack/container-runtime exports the
# runtime that starts containers here as KPT_FN_RUNTIME (empty where none does), and
# CONTAINERS_CONF when podman needs the repository's settings (hack/podman/containers.conf:
# hosts without CAP_SYS_RESOURCE, or with a hybrid cgroup layout), saying so.
CONTAINER_ENV = KPT_FN_RUNTIME=; eval "$$(hack/container-runtime --env)"

.PHONY: all build functions render render-containers images test golden bench fuzz check-kpt tools istioctl system-deps vet corpora clean

all: build

## build: the function binaries, render-exec and hsm-tool, into bin/
build:
	@GO=$(GO) LDFLAGS='$(BUILD_LDFLAGS)' hack/build $(BIN) $(RENDER_COMMANDS) ./hsm-tool

## functions: what `make render` runs, the function binaries and render-exec, into bin/
functions:
	@GO=$(GO) LDFLAGS='$(BUILD_LDFLAGS)' hack/build $(BIN) $(RENDER_COMMANDS)

## render: render the root package (every blueprint) with the functions from bin/ (exec mode)
render: check-kpt functions
	render-exec -bin $(BIN) . -- --truncate-output=false

## render-containers: render the root package with the function images, as users do
render-containers: check-kpt images
	@$(CONTAINER_ENV); \
	kpt fn render --image-pull-policy never --truncate-output=false .

## images: one image per function, ghcr.io/meshfn/NAME:$(VERSION), FROM scratch, with podman or docker;
## static binaries (CGO_ENABLED=0) built with -trimpath, so the same source gives the same image
## (test and bench set IMAGES_OPTIONAL: with SKIP_CONTAINERS=1 they skip the images, saying
## so; with neither installed bench skips them too, but test, which sets CONTAINERS_REQUIRED,
## fails, as where one installed cannot start a container)
images:
	@if [ -n "$(IMAGES_OPTIONAL)" ] && [ -n "$(SKIP_CONTAINERS)" ]; then echo "NOTE: SKIP_CONTAINERS is set: no images, and the container-mode tests and benchmark are skipped"; exit 0; fi; \
	$(CONTAINER_ENV); runtime=$${KPT_FN_RUNTIME:-}; \
	if [ -z "$$runtime" ] && [ -n "$(IMAGES_OPTIONAL)" ]; then \
		if ! command -v podman >/dev/null && ! command -v docker >/dev/null; then \
			if [ -n "$(CONTAINERS_REQUIRED)" ]; then echo "make $(MAKECMDGOALS): neither podman nor docker is installed, so container mode cannot be tested (Debian: apt-get install podman runc); install one, or run without container mode: make $(MAKECMDGOALS) SKIP_CONTAINERS=1" >&2; exit 1; fi; \
			echo "NOTE: neither podman nor docker is installed: no images, and container mode is skipped"; exit 0; \
		fi; \
		echo "make $(MAKECMDGOALS): podman or docker is installed but cannot start a container here (why: above); fix it, or run without container mode: make $(MAKECMDGOALS) SKIP_CONTAINERS=1" >&2; exit 1; \
	fi; \
	if [ -z "$$runtime" ]; then echo "make images: neither podman nor docker can run here (Debian: apt-get install podman runc)" >&2; exit 1; fi; \
	CGO_ENABLED=0 GO=$(GO) FLAGS=-trimpath LDFLAGS='-s -w' hack/build $(IMAGE_CONTEXTS)/bin $(addprefix ./functions/,$(FUNCTIONS)) || exit 1; \
	for f in $(FUNCTIONS); do \
		ctx=$(IMAGE_CONTEXTS)/$$f; mkdir -p $$ctx && cp image/passwd $$ctx/passwd && cp $(IMAGE_CONTEXTS)/bin/$$f $$ctx/function && \
		$$runtime build -q -f image/Containerfile --build-arg FUNCTION=$$f --build-arg VERSION=$(VERSION) \
			-t $(REGISTRY)/$$f:$(VERSION) $$ctx >/dev/null && \
		$$runtime run --rm --network none --user nobody $(REGISTRY)/$$f:$(VERSION) --help >/dev/null || \
		{ echo "make images: building or running $(REGISTRY)/$$f:$(VERSION) with $$runtime failed" >&2; exit 1; }; \
		echo "$$runtime: built $(REGISTRY)/$$f:$(VERSION)"; \
	done

## test: every test, with the tools they need (one missing fails it: MESHFN_REQUIRE_TOOLS=1);
## container mode with podman or docker, unless SKIP_CONTAINERS=1 (MESHFN_SKIP_CONTAINERS)
test bench: IMAGES_OPTIONAL := 1
test: CONTAINERS_REQUIRED := 1
test: check-kpt system-deps build tools vet images corpora
	@$(if $(SKIP_CONTAINERS),KPT_FN_RUNTIME=,$(CONTAINER_ENV)); runtime=$${KPT_FN_RUNTIME:-}; unset KPT_FN_RUNTIME; set -x; \
	MESHFN_CONTAINER_RUNTIME=$$runtime MESHFN_SKIP_CONTAINERS=$(SKIP_CONTAINERS) MESHFN_BIN=$(BIN) MESHFN_KUSTOMIZE=$(KUSTOMIZE) MESHFN_REQUIRE_TOOLS=1 \
		$(GO) test -count=1 ./...

## fuzz: every fuzz target, mutating inputs for FUZZTIME each. make test does not fuzz, so
## that it passes or fails alike on every run: its go test runs each fuzz target on its
## seeds (f.Add) and the inputs committed in the package's testdata/fuzz/FuzzX/ only
FUZZTIME ?= 5m
fuzz:
	hack/fuzz $(FUZZTIME)

## golden: rewrite every golden file from the current output (then review the diff): first
## generate-ca-secrets' golden inputs from its committed certificates (MESHFN_GEN_CA_FIXTURES),
## then, under UPDATE_GOLDEN, every expected file, package archive and golden output the
## tests compare with, generate-waypoint's istioctl references included (MESHFN_ISTIOCTL:
## istioctl built at the Istio module validate-mesh links, into .cache/tools). The tests
## that write golden files need kpt, kustomize and istioctl, which the prerequisites
## provide; none runs in container mode (those compare with what exec mode renders), so
## golden runs without it.
golden: check-kpt build tools istioctl
	MESHFN_GEN_CA_FIXTURES=1 $(GO) test -count=1 -run '^TestWriteFixtures$$' ./functions/generate-ca-secrets/casecrets
	UPDATE_GOLDEN=1 MESHFN_ISTIOCTL=$(ISTIOCTL) MESHFN_BIN=$(BIN) MESHFN_KUSTOMIZE=$(KUSTOMIZE) MESHFN_CONTAINER_RUNTIME= \
		$(GO) test -count=1 ./...

## bench: Go benchmarks, inject-sidecar's CPU time and peak memory against no-ops (meshfn's
## runtime; kyaml's framework, also at kyaml $(BENCH_KYAML)) and, with BENCH_BASELINE=COMMIT,
## against its build at that commit (same output checked); then a whole kpt fn render of
## 10,000 workloads in exec mode and (where a runtime runs) container mode,
## then validate-mesh on 10,000 Deployments next to Istio's analyzers on the same objects as pods,
## then the whole check of a mesh repository made from the blueprints (render, then validate) at
## BENCH_FLEET_SIZES workloads, blueprints/fleet's layout next to one with validate-mesh as the
## root Kptfile's validator (with BENCH_FLEET_BASELINE=COMMIT: that commit's functions): wall,
## CPU and kpt's peak memory
BENCH_SIZES ?= 1000,10000
BENCH_RUNS ?= 3
BENCH_KYAML ?= v0.20.1
BENCH_FLEET_SIZES ?= 1000,10000
bench: build images
	$(GO) build -o $(BIN)/ ./tests/bench/noop ./tests/bench/kyamlnoop ./tests/bench/timefn ./tests/bench/pipeline ./tests/bench/validate ./tests/bench/istioanalyze ./tests/bench/fleetrender
	$(GO) test -run '^$$' -bench . -benchmem ./internal/... ./functions/...
	$(GO) run ./tests/bench/run -bin $(BIN) -deployments $(BENCH_SIZES) -runs $(BENCH_RUNS) -kyaml $(BENCH_KYAML) \
		$(if $(BENCH_BASELINE),-baseline $(BENCH_BASELINE)) $(if $(BENCH_OUTPUT_MAY_DIFFER),-output-may-differ)
	$(if $(SKIP_CONTAINERS),KPT_FN_RUNTIME=,$(CONTAINER_ENV)); pipeline -bin $(BIN) -timefn $(BIN)/timefn -runtime "$${KPT_FN_RUNTIME:-}"
	validate -bin $(BIN)
	fleetrender -bin $(BIN) -timefn $(BIN)/timefn -workloads $(BENCH_FLEET_SIZES) -runs $(BENCH_RUNS) \
		$(if $(BENCH_FLEET_BASELINE),-baseline $(BENCH_FLEET_BASELINE))

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

## corpora: say which of Istio's test corpora are missing (the tests against them are skipped)
corpora:
	@inject=$${MESHFN_ISTIO_CORPUS:-$(CURDIR)/../shared/istio-inject-corpus}; \
	[ -d "$$inject/cases" ] || echo "NOTE: Istio's injection corpus is not at $$inject (set MESHFN_ISTIO_CORPUS): inject-sidecar's tests against it are skipped"; \
	releases=$${MESHFN_ISTIO_RELEASE_CORPORA:-$(CURDIR)/../shared/istio-release-corpora}; \
	[ -d "$$releases" ] || echo "NOTE: Istio's per-release injection corpora are not at $$releases (set MESHFN_ISTIO_RELEASE_CORPORA): the tests of each release's injector against them are skipped"; \
	analyze=$${MESHFN_ISTIO_ANALYZE_CORPUS:-$(CURDIR)/../shared/istio-analyze-corpus}; \
	[ -d "$$analyze" ] || echo "NOTE: Istio's analyzer corpus is not at $$analyze (set MESHFN_ISTIO_ANALYZE_CORPUS): validate-mesh's tests against it are skipped"

check-kpt:
	@command -v kpt >/dev/null || { echo "kpt is not installed: meshfn needs kpt $(KPT_VERSION) on PATH (https://kpt.dev/installation/)." >&2; exit 1; }
	@v=$$(kpt version 2>/dev/null); if [ "$$v" != "$(KPT_VERSION)" ]; then echo "warning: kpt $$v found; the expected outputs were made with kpt $(KPT_VERSION)" >&2; fi

tools: $(KUSTOMIZE)

## istioctl: istioctl at the Istio module validate-mesh links (ISTIO_MODULE_VERSION), which
## generate-waypoint's reference files come from (make golden rewrites them with it)
istioctl: $(ISTIOCTL)

## system-deps: Debian packages the tests use: SoftHSM2 (a real PKCS#11 token for hsm-tool),
## openssl, gcc (cgo, which PKCS#11 needs: without a C compiler Go turns cgo off), and
## podman with runc (function containers)
system-deps:
	@if [ ! -e $(SOFTHSM_MODULE) ] || ! command -v softhsm2-util >/dev/null; then \
		echo "installing softhsm2 (a PKCS#11 token for the hsm-tool tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2 >/dev/null; \
	fi
	@command -v openssl >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
	@command -v "$$($(GO) env CC)" >/dev/null || { echo "installing gcc (cgo, for PKCS#11 in hsm-tool)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null; }
	@if ! command -v podman >/dev/null && ! hack/container-runtime | grep -q .; then \
		if command -v apt-get >/dev/null; then echo "installing podman and runc (function containers)"; \
			$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null \
			|| echo "NOTE: podman could not be installed: the container-mode tests will be skipped"; \
		else echo "NOTE: no apt-get to install podman: the container-mode tests will be skipped"; fi; \
	fi

$(KUSTOMIZE):
	GOBIN=$(dir $@) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(ISTIOCTL):
	GOBIN=$(dir $@) $(GO) install istio.io/istio/istioctl/cmd/istioctl@$(ISTIO_MODULE_VERSION)

clean:
	rm -rf $(BIN) out
