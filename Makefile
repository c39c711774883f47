# Sluice — the two set-up commands are `make demo` and `make test` (see README.md).
SWIFT    ?= swift
PACKAGES := liblz4-dev libzstd-dev libbrotli-dev libssl-dev libxxhash-dev libarchive-dev pkg-config time zstd lz4 age python3 tar
# `make test-slurm` only: a real Slurm for one host (docs/scale-out.md), plus bc for its timings and python3
# for its generated tree (scripts/make-tree.py).
SLURM_PACKAGES := slurmctld slurmd slurm-client munge bc python3
SECONDS  ?= 60
PREFIX   ?= /usr/local
MAN_PAGE := .build/man/sluice.1

.PHONY: deps deps-slurm build release man install install-files demo test test-slurm test-tsan test-asan bench bench-cold bench-stages fuzz clean

# Installs the Debian packages the C targets link against, only those that are missing.
deps:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

# The same for the Slurm test's packages, without recommends (no systemd units or docs needed).
deps-slurm:
	@missing=""; for p in $(SLURM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

# The Swift runtime and Foundation are linked in statically: the binary runs on machines without a
# Swift toolchain and starts in ~5 ms instead of ~10 (docs/performance.md, "Start-up").
release: deps
	$(SWIFT) build -c release --product sluice --static-swift-stdlib

# The man page, generated from the same definitions as --help and the completions by
# swift-argument-parser's generate-manual tool (the one its plugin runs), from the debug build (the
# text does not depend on it). Help texts are ASCII: the generator drops other characters.
man: deps
	$(SWIFT) build --product sluice
	$(SWIFT) build --product generate-manual
	@bin="$$($(SWIFT) build --show-bin-path)"; mkdir -p $(dir $(MAN_PAGE)) && \
	"$$bin/generate-manual" "$$bin/sluice" --output-directory $(dir $(MAN_PAGE)) && echo "man page: $(MAN_PAGE)"

# The release binary, its man page and bash/zsh/fish completions under $(DESTDIR)$(PREFIX).
install: release
	$(SWIFT) build --product generate-manual
	@$(MAKE) --no-print-directory install-files BIN="$$($(SWIFT) build -c release --show-bin-path)/sluice" \
	  MAN_TOOL="$$($(SWIFT) build --show-bin-path)/generate-manual"

# What install copies and writes, without building: BIN (a built sluice) as $(PREFIX)/bin/sluice, and its
# man page (by MAN_TOOL, generate-manual) and completions made from the installed copy. InstallTests runs it.
install-files:
	@test -x "$(BIN)" && test -x "$(MAN_TOOL)" || { echo "install-files: give BIN=path/to/sluice MAN_TOOL=path/to/generate-manual"; exit 2; }
	@root="$(DESTDIR)$(PREFIX)"; \
	install -d "$$root/bin" "$$root/share/man/man1" "$$root/share/bash-completion/completions" \
	  "$$root/share/zsh/site-functions" "$$root/share/fish/vendor_completions.d" && \
	install -m 755 "$(BIN)" "$$root/bin/sluice" && \
	"$(MAN_TOOL)" "$$root/bin/sluice" --output-directory "$$root/share/man/man1" && \
	chmod 644 "$$root/share/man/man1/sluice.1" && \
	"$$root/bin/sluice" --generate-completion-script bash > "$$root/share/bash-completion/completions/sluice" && \
	"$$root/bin/sluice" --generate-completion-script zsh > "$$root/share/zsh/site-functions/_sluice" && \
	"$$root/bin/sluice" --generate-completion-script fish > "$$root/share/fish/vendor_completions.d/sluice.fish" && \
	echo "installed sluice, sluice(1) and completions under $$root"

# Builds in release and runs a real pack → unpack round trip on generated data.
demo: release
	@./scripts/demo.sh "$$($(SWIFT) build -c release --show-bin-path)/sluice"

# The whole test suite (Swift Testing); ends with "Test run with N tests … passed". generate-manual is
# built for InstallTests (make install-files into a DESTDIR).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build --product generate-manual
	$(SWIFT) test --skip-build

# Sharding on a real one-host Slurm: sbatch --array, merge, kill-and-retry, round trip (scripts/test-slurm.sh).
# Skipped, with a message, only where the Slurm packages cannot be installed.
test-slurm: deps
	@if ! $(MAKE) --no-print-directory deps-slurm; then \
	  echo "test-slurm: SKIPPED: cannot install $(SLURM_PACKAGES) (no apt or no network here)"; exit 0; \
	fi; \
	$(SWIFT) build --product sluice && ./scripts/test-slurm.sh "$$($(SWIFT) build --show-bin-path)/sluice"

# The whole suite under ThreadSanitizer / AddressSanitizer, each in its own build folder (the CLI the
# tests spawn is built the same way). See docs/reliability.md, "Sanitizers".
test-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan

test-asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt \
	  $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

# Sluice against the peer CLIs on a real corpus, in one run (see docs/performance.md).
bench: release
	@python3 scripts/bench.py "$$($(SWIFT) build -c release --show-bin-path)/sluice"

# The file-to-file rows again with the page cache emptied before every run, and Sluice's cold read
# throughput beside dd's (as root it drops the caches; see docs/performance.md, "Cold cache").
bench-cold: release
	@BENCH_CACHE=cold python3 scripts/bench.py "$$($(SWIFT) build -c release --show-bin-path)/sluice"

# In-process stage throughput (ordo-one/benchmark), a separate package under Benchmarks/.
bench-stages: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

# libFuzzer over the container decoder, the zstd and LZ4 readers, the CLI's parsers and age's text codings and files,
# SECONDS per target (a separate package under Fuzz/, built with -sanitize=fuzzer,address). Seeds: Tests/Fuzz/corpus/;
# what a run adds and any crash input go to fuzz-corpus-work/ (git-ignored). Fails when a target found a crash. See docs/reliability.md.
FUZZ_TARGETS := stream seekable inspect parsers zstd lz4 age-text age-file
FUZZ_BIN      = Fuzz/.build-fuzz/release/SluiceFuzz
fuzz: deps
	cd Fuzz && $(SWIFT) build -c release --scratch-path .build-fuzz --product SluiceFuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
	@mkdir -p fuzz-corpus-work/artifacts; failed=""; \
	for t in $(FUZZ_TARGETS); do \
	  case $$t in parsers) seeds=Tests/Fuzz/corpus/parsers; max=256;; zstd|lz4) seeds=Tests/Fuzz/corpus/$$t; max=65536;; age-text) seeds=Tests/Fuzz/corpus/age-text; max=4096;; age-file) seeds=Tests/Fuzz/corpus/age; max=65536;; *) seeds=Tests/Fuzz/corpus/container; max=65536;; esac; \
	  mkdir -p fuzz-corpus-work/$$t; \
	  echo "== fuzz $$t: $(SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=0 SLUICE_FUZZ_TARGET=$$t $(FUZZ_BIN) fuzz-corpus-work/$$t $$seeds \
	    -max_total_time=$(SECONDS) -max_len=$$max -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 \
	    -artifact_prefix=fuzz-corpus-work/artifacts/$$t- > fuzz-corpus-work/$$t.log 2>&1 || failed="$$failed $$t"; \
	  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done|stat::number_of_executed_units|ERROR|SUMMARY|^artifact_prefix|Test unit written' fuzz-corpus-work/$$t.log; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in:$$failed (inputs in fuzz-corpus-work/artifacts/)"; exit 1; fi

clean:
	rm -rf .build .build-tsan .build-asan Fuzz/.build-fuzz
