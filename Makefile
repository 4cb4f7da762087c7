# Phiếu — the front door.
#   make demo                 install missing packages, build, run a meeting on loopback
#   make test [SAN=asan|tsan] install missing packages, build, run the whole suite (CTest)
#   make build | bench | clean
#   make soak [SOAK_ROUNDS=200] [SOAK_SECONDS=0]  crash rounds: SIGKILL under casting delegates, power cuts
#   make fuzz [FUZZ_SECONDS=60] clang + libFuzzer (ASan+UBSan): each fuzz target for that long
#   make fuzz-smoke           the same build, each target for 3 s (part of make test without SAN)
# MEETING=<file> chooses the demo's meeting file.

SAN      ?=
MEETING  ?= examples/cum4-2024.textproto
# make soak: SOAK_ROUNDS rounds of the SIGKILL test (SOAK_SECONDS > 0 stops
# it after that long), then 5 x SOAK_ROUNDS power cuts.
SOAK_ROUNDS  ?= 200
SOAK_SECONDS ?= 0
JOBS     ?= 2
BUILD    := build$(if $(SAN),-$(SAN),)
BUILDTYPE ?= RelWithDebInfo

DEB_PACKAGES := cmake make g++ pkg-config libboost1.81-dev libprotobuf-dev protobuf-compiler \
                libssl-dev openssl libsqlite3-dev sqlite3 libgtest-dev libgmock-dev libbenchmark-dev \
                iproute2 chromium
# node and npm run the browser tests (tests/browser); Debian's nodejs/npm are
# installed only when no node/npm is on the PATH (a machine may carry its own).
NODE_PACKAGES := nodejs npm

# Only `make fuzz` needs these (clang-14 and its libFuzzer runtime).
FUZZ_PACKAGES := clang-14 libclang-rt-14-dev
FUZZ_SECONDS  ?= 60
FUZZ_TARGETS  := frame crypto meeting record service

.PHONY: all deps fuzz-deps browser-deps configure build test demo bench fuzz fuzz-build fuzz-smoke soak clean

all: build

# Installs only what is missing of a package list; needs root (or the
# packages already present).
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages:$$missing (run as root, or apt-get install them)"; exit 1; fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))
	@if ! command -v node > /dev/null || ! command -v npm > /dev/null; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing node/npm (run as root, or apt-get install $(NODE_PACKAGES))"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(NODE_PACKAGES); \
	fi

# playwright-core for the browser tests, exactly as package-lock.json pins it
# (it drives Debian's /usr/bin/chromium; no browser is downloaded).
browser-deps: deps
	@cd tests/browser && { [ -d node_modules/playwright-core ] && npm ls --silent > /dev/null 2>&1 || \
	  npm ci --no-audit --no-fund --silent; }

fuzz-deps: deps
	$(call install_missing,$(FUZZ_PACKAGES))

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILDTYPE) -DPHIEU_SANITIZE=$(SAN) \
	  $(if $(CI),-DPHIEU_WERROR=ON,) > $(BUILD).configure.log 2>&1 || { cat $(BUILD).configure.log; exit 1; }

build: configure
	cmake --build $(BUILD) -j$(JOBS)

# The plain suite also gives each fuzz target a libFuzzer smoke run (make
# fuzz-smoke: clang build of the fuzz targets only, about 6 CPU-minutes from
# empty, then 3 s per target); FUZZ_SMOKE= (empty) leaves it out.
FUZZ_SMOKE ?= $(if $(SAN),,1)
# TSan runs 5-15x slower: its default per-test limit is longer.
TEST_TIMEOUT ?= $(if $(filter tsan,$(SAN)),900,600)
test: build browser-deps
	cd $(BUILD) && ctest -j$(JOBS) --output-on-failure --timeout $(TEST_TIMEOUT)
	$(if $(FUZZ_SMOKE),$(MAKE) fuzz-smoke,)

demo: build
	bash examples/demo.sh $(BUILD) $(MEETING)

bench: build
	bash bench/run.sh $(BUILD)

# The libFuzzer build (clang, ASan+UBSan): only the fuzz targets are built.
fuzz-build: fuzz-deps
	@cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=$(BUILDTYPE) -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DPHIEU_FUZZ=ON -DPHIEU_BUILD_BENCH=OFF $(if $(CI),-DPHIEU_WERROR=ON,) \
	  > build-fuzz.configure.log 2>&1 || { cat build-fuzz.configure.log; exit 1; }
	cmake --build build-fuzz -j$(JOBS) --target fuzz_targets

# The smoke run of the test suite: each target for 3 s (ctest fuzz_smoke_*).
fuzz-smoke: fuzz-build
	cd build-fuzz && ctest -j$(JOBS) --output-on-failure --timeout 600

# Each target for FUZZ_SECONDS on its seed corpus; fails on any crash, leak or
# timeout, whose input is kept in build-fuzz/fuzz-run/<target>/crashes/.
fuzz: fuzz-build
	@fail=""; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  mkdir -p build-fuzz/fuzz-run; \
	  if tests/fuzz/run_fuzzer.sh build-fuzz/bin/fuzz_$$t tests/fuzz/corpus/$$t build-fuzz/fuzz-run/$$t \
	       $(FUZZ_SECONDS) > build-fuzz/fuzz-run/$$t.log 2>&1; then \
	    grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^Done " build-fuzz/fuzz-run/$$t.log || true; \
	  else \
	    tail -40 build-fuzz/fuzz-run/$$t.log; fail="$$fail $$t"; \
	  fi; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz: crashes in:$$fail (inputs in build-fuzz/fuzz-run/*/crashes/)"; exit 1; fi; \
	echo "fuzz: no crash in $(FUZZ_SECONDS) s per target"

soak: build
	CRASH_ROUNDS=$(SOAK_ROUNDS) CRASH_SECONDS=$(SOAK_SECONDS) \
	  bash tests/crash/sigkill.sh $(BUILD) examples/cum4-2024.textproto $(BUILD)/soak
	PHIEU_POWER_CUT_ROUNDS=$$(( $(SOAK_ROUNDS) * 5 )) $(BUILD)/bin/power_cut_test

clean:
	rm -rf build build-asan build-tsan build-fuzz build*.configure.log demo-run
