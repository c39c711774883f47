# Sluice — the two set-up commands are `make demo` and `make test` (see README.md).
SWIFT    ?= swift
PACKAGES := liblz4-dev libzstd-dev libbrotli-dev libssl-dev libxxhash-dev libarchive-dev pkg-config time zstd lz4 age python3 tar
# `make test-slurm` only: a real Slurm for one host (docs/scale-out.md), plus bc for its timings and python3
# for its generated tree (scripts/make-tree.py).
SLURM_PACKAGES := slurmctld slurmd slurm-client munge bc python3
SECONDS  ?= 60
PREFIX   ?= /usr/local
MAN_PAGE := .build/man/sluice.1

.PHONY: deps deps-slurm build release man install install-files demo test test-slurm test-tsan test-asan bench bench-cold bench-stages fuzz fuzz-build fuzz-merge clean

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
# tests spawn is built the same way); SUITES="DeathTests ArchiveTests" runs only those suites (a
# --filter). Every report, of the test process or of a `sluice` it spawned, is also written to
# .build-tsan/reports/ or .build-asan/reports/ (emptied first); any there fails the target, even when the
# test that spawned the child did not look at its stderr. See docs/reliability.md, "Sanitizers".
SUITES   ?=
empty    :=
space    := $(empty) $(empty)
suite_filter = $(if $(strip $(SUITES)),--filter '^SluiceTests\.($(subst $(space),|,$(strip $(SUITES))))/')
sanitizer_reports = @n=$$(ls $(1) 2>/dev/null | wc -l); if [ "$$n" != 0 ]; then \
	  cat $(1)/*; echo "$(2): $$n sanitizer report file(s) in $(1)"; exit 1; fi; echo "$(2): no sanitizer report"

test-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	rm -rf .build-tsan/reports && mkdir -p .build-tsan/reports
	TSAN_OPTIONS="log_path=$(CURDIR)/.build-tsan/reports/tsan suppressions=$(CURDIR)/Tests/tsan-suppressions.txt" \
	  $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan $(suite_filter)
	$(call sanitizer_reports,.build-tsan/reports,test-tsan)

test-asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	rm -rf .build-asan/reports && mkdir -p .build-asan/reports
	ASAN_OPTIONS=log_path=$(CURDIR)/.build-asan/reports/asan LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt:print_suppressions=0 \
	  $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan $(suite_filter)
	$(call sanitizer_reports,.build-asan/reports,test-asan)

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

# libFuzzer over every reader, each target in memory on one thread (a separate package under Fuzz/, built with
# -sanitize=fuzzer,address; targets in Fuzz/Sources/SluiceFuzz/SluiceFuzz.swift). Per target: RUNS executions when
# RUNS is set, else SECONDS of fuzzing (default 60); JOBS parallel fuzzing processes (default 1). Seeds:
# Tests/Fuzz/corpus/ (the valid files make-corpus.sh wrote) and Tests/Fuzz/merged/ (the minimized corpus of past
# runs, `make fuzz-merge`); dictionaries: Tests/Fuzz/dict/. What a run adds, its log and any crash input go to
# fuzz-corpus-work/ (git-ignored). Fails when a target found a crash. 10 million executions per target
# (`make fuzz RUNS=10000000`) take, on one free core, the CPU time the 10 M runs took (docs/reliability.md,
# "Fuzzing"; estimates from shorter runs marked ~): seek-table 3.5 min, parsers ~16, recipient ~17, age-text 17,
# zstd 20, archive 21, keys ~27, lz4 25, slc 39, and age-file about 4 hours (700 executions per CPU-second once
# its corpus has grown) — about 7 hours in turn; JOBS=2 on two cores halves each.
FUZZ_TARGETS ?= slc zstd lz4 seek-table archive recipient age-text age-file parsers keys
RUNS         ?=
JOBS         ?= 1
FUZZ_BIN      = Fuzz/.build-fuzz/release/SluiceFuzz
# No ASan quarantine: a freed buffer is reused at once instead of having its shadow poisoned, which made the
# readers' MiB-sized per-file buffers cost 3/4 of every execution. Overflows are still caught (redzones);
# a use after free only until the memory is reused. No allocation stacks (malloc_context_size=0): every
# malloc and free unwound and stored its stack (12 % of an age-file execution) for reports only; the
# checks are the same, and a crash input replayed with ASAN_OPTIONS=detect_leaks=0 shows them again.
FUZZ_ASAN     = detect_leaks=0:quarantine_size_mb=0:malloc_context_size=0
# target → seed folder, largest input, dictionaries
fuzz_seeds    = $(word 1,$(subst :, ,$(fuzz_$(1))))
fuzz_max      = $(word 2,$(subst :, ,$(fuzz_$(1))))
fuzz_dicts    = $(subst +, ,$(word 3,$(subst :, ,$(fuzz_$(1)))))
fuzz_slc        := container:65536:slc+recipient
fuzz_zstd       := zstd:65536:zstd
fuzz_lz4        := lz4:65536:lz4
fuzz_seek-table := seek-table:4096:zstd
fuzz_archive    := archive:65536:slc+archive
fuzz_recipient  := recipient:1024:recipient
fuzz_age-text   := age-text:4096:age
fuzz_age-file   := age:65536:age
fuzz_parsers    := parsers:256:parsers
fuzz_keys       := keys:4096:keys
fuzz-build: deps
	cd Fuzz && $(SWIFT) build -c release --scratch-path .build-fuzz --product SluiceFuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing

fuzz: fuzz-build
	@mkdir -p fuzz-corpus-work/artifacts; failed=""; \
	limit="$(if $(RUNS),-runs=$(RUNS),-max_total_time=$(SECONDS))"; \
	$(foreach t,$(FUZZ_TARGETS),\
	  mkdir -p fuzz-corpus-work/$(t) Tests/Fuzz/merged/$(t); \
	  cat $(foreach d,$(call fuzz_dicts,$(t)),Tests/Fuzz/dict/$(d).dict) > fuzz-corpus-work/$(t).dict; \
	  echo "== fuzz $(t): $${limit#-}"; \
	  ASAN_OPTIONS=$(FUZZ_ASAN) SLUICE_FUZZ_TARGET=$(t) $(FUZZ_BIN) fuzz-corpus-work/$(t) \
	    Tests/Fuzz/corpus/$(call fuzz_seeds,$(t)) Tests/Fuzz/merged/$(t) $$limit -max_len=$(call fuzz_max,$(t)) \
	    -dict=fuzz-corpus-work/$(t).dict -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
	    $(if $(filter-out 1,$(JOBS)),-jobs=$(JOBS) -workers=$(JOBS)) \
	    -artifact_prefix=fuzz-corpus-work/artifacts/$(t)- > fuzz-corpus-work/$(t).log 2>&1 || failed="$$failed $(t)"; \
	  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done|stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY|Test unit written' \
	    fuzz-corpus-work/$(t).log fuzz-corpus-work/fuzz-$(t)-*.log 2>/dev/null;) \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in:$$failed (inputs in fuzz-corpus-work/artifacts/)"; exit 1; fi

# Minimizes what the runs found (fuzz-corpus-work/T) with the committed corpus into Tests/Fuzz/merged/T:
# only inputs that add coverage are kept.
fuzz-merge: fuzz-build
	@$(foreach t,$(FUZZ_TARGETS),\
	  mkdir -p fuzz-corpus-work/$(t) fuzz-corpus-work/merged-$(t) Tests/Fuzz/merged/$(t) && \
	  ASAN_OPTIONS=$(FUZZ_ASAN) SLUICE_FUZZ_TARGET=$(t) $(FUZZ_BIN) -merge=1 -max_len=$(call fuzz_max,$(t)) \
	    fuzz-corpus-work/merged-$(t) Tests/Fuzz/merged/$(t) fuzz-corpus-work/$(t) > fuzz-corpus-work/merge-$(t).log 2>&1 && \
	  rm -f Tests/Fuzz/merged/$(t)/* && cp fuzz-corpus-work/merged-$(t)/* Tests/Fuzz/merged/$(t)/ 2>/dev/null; \
	  rm -rf fuzz-corpus-work/merged-$(t); echo "$(t): $$(ls Tests/Fuzz/merged/$(t) | wc -l) inputs";)

clean:
	rm -rf .build .build-tsan .build-asan Fuzz/.build-fuzz
