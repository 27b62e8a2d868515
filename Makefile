# Stoker: the two commands a new machine needs are `make run` and `make test`.
# Both install the Debian packages they need first (apt-get, as root or through sudo).

SWIFT       ?= swift
CONFIG      ?=
RUN_ARGS    ?= $(if $(CONFIG),--config $(CONFIG),)
# Packages the build and the server need at run time.
RUN_PACKAGES  := pkg-config libssh-dev
# Packages the test suite needs: the reference whisper module and its interpreter, the peers
# (graphite-web, carbon-c-relay, OpenSSH, the statsd client), systemd-analyze and strace for the
# unit's checks, unshare/nsenter/ip for a server with no configuration in a namespace of its own.
TEST_PACKAGES := $(RUN_PACKAGES) python3 python3-whisper python3-pytest python3-statsd openssh-client python3-yaml graphite-web carbon-c-relay systemd strace iproute2 util-linux python3-venv chromium python3-prometheus-client

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The integration tests' interpreter: Debian's python3 (whisper, graphite-web, pytest) plus the
# PyPI packages Debian lacks, pinned: the official DogStatsD client.
TEST_PYTHON   := .build/test-python
PYPI_PACKAGES := datadog==0.56.0

.PHONY: run test build release bench deps-run deps-test clean fuzz-smoke

# Installs only what dpkg says is missing, so a prepared machine pays nothing.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps-run:
	$(call apt_install,$(RUN_PACKAGES))

deps-test:
	$(call apt_install,$(TEST_PACKAGES))

build:
	$(SWIFT) build

release: deps-run
	$(SWIFT) build -c release --product stoker

# Runs Stoker in the foreground with embedded defaults (data under ./storage); Ctrl-C stops it.
run: release
	$$($(SWIFT) build -c release --show-bin-path)/stoker serve $(RUN_ARGS)

# The whole suite: unit tests, cross-checks against python3-whisper, the differential, then
# integration tests that run the real server against real peers (Debian's python3 has whisper).
test: deps-test $(TEST_PYTHON)/.installed
	$(SWIFT) build --build-tests
	STOKER_REQUIRE_REFERENCES=1 $(SWIFT) test --skip-build --disable-swift-testing
	STOKER_REQUIRE_REFERENCES=1 STOKER_BIN=$$($(SWIFT) build --show-bin-path)/stoker $(TEST_PYTHON)/bin/python -m pytest -q -p no:cacheprovider Tests/Integration
	$(MAKE) fuzz-smoke

$(TEST_PYTHON)/.installed: Makefile
	/usr/bin/python3 -m venv --system-site-packages $(TEST_PYTHON)
	$(TEST_PYTHON)/bin/pip install -q --disable-pip-version-check $(PYPI_PACKAGES)
	touch $@

# Every parser's libFuzzer target for a few seconds from its seed corpus (Fuzz/README.md);
# fails on a crash, a sanitizer report or a build failure.
fuzz-smoke: deps-run
	SWIFT=$(SWIFT) Fuzz/run smoke

# Benchmarks against the C baselines in ../shared/tools (see BENCHMARKS.md).
bench: deps-run
	$(SWIFT) run -c release stoker-bench whisper

clean:
	rm -rf .build
