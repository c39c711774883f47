# Sluice — the two set-up commands are `make demo` and `make test` (see README.md).
SWIFT    ?= swift
PACKAGES := liblz4-dev libzstd-dev libbrotli-dev libssl-dev libxxhash-dev pkg-config
SECONDS  ?= 60

.PHONY: deps build release demo test bench bench-stages fuzz clean

# Installs the Debian packages the C targets link against, only those that are missing.
deps:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product sluice

# Builds in release and runs a real pack → unpack round trip on generated data.
demo: release
	@./scripts/demo.sh "$$($(SWIFT) build -c release --show-bin-path)/sluice"

# The whole test suite (Swift Testing); ends with "Test run with N tests … passed".
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Sluice against the peer CLIs on a real corpus, in one run (see docs/performance.md).
bench: release
	@python3 scripts/bench.py "$$($(SWIFT) build -c release --show-bin-path)/sluice"

# In-process stage throughput (ordo-one/benchmark), a separate package under Benchmarks/.
bench-stages: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build
