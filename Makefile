# Phiếu — the front door.
#   make demo                 install missing packages, build, run a meeting on loopback
#   make test [SAN=asan|tsan] install missing packages, build, run the whole suite (CTest)
#   make build | bench | fuzz | soak | clean
# MEETING=<file> chooses the demo's meeting file.

SAN      ?=
MEETING  ?= examples/cum4-2024.textproto
# make soak: rounds of the SIGKILL and power-cut tests; SOAK_SECONDS > 0 also
# stops the SIGKILL rounds after that long.
SOAK_ROUNDS  ?= 200
SOAK_SECONDS ?= 0
JOBS     ?= 2
BUILD    := build$(if $(SAN),-$(SAN),)
BUILDTYPE ?= RelWithDebInfo

DEB_PACKAGES := cmake make g++ pkg-config libboost1.81-dev libprotobuf-dev protobuf-compiler \
                libssl-dev openssl libsqlite3-dev sqlite3 libgtest-dev libgmock-dev libbenchmark-dev \
                iproute2

.PHONY: all deps configure build test demo bench fuzz soak clean

all: build

# Installs only what is missing; needs root (or the packages already present).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages:$$missing (run as root, or apt-get install them)"; exit 1; fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILDTYPE) -DPHIEU_SANITIZE=$(SAN) \
	  $(if $(CI),-DPHIEU_WERROR=ON,) > $(BUILD).configure.log 2>&1 || { cat $(BUILD).configure.log; exit 1; }

build: configure
	cmake --build $(BUILD) -j$(JOBS)

test: build
	cd $(BUILD) && ctest -j$(JOBS) --output-on-failure --timeout 600

demo: build
	bash examples/demo.sh $(BUILD) $(MEETING)

bench: build
	bash bench/run.sh $(BUILD)

soak: build
	CRASH_ROUNDS=$(SOAK_ROUNDS) CRASH_SECONDS=$(SOAK_SECONDS) \
	  bash tests/crash/sigkill.sh $(BUILD) examples/cum4-2024.textproto $(BUILD)/soak
	PHIEU_POWER_CUT_ROUNDS=$$(( $(SOAK_ROUNDS) * 5 )) $(BUILD)/bin/power_cut_test

clean:
	rm -rf build build-asan build-tsan build*.configure.log demo-run
