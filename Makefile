# Phiếu — the front door.
#   make demo                 install missing packages, build, run a meeting on loopback
#   make test [SAN=asan|tsan] install missing packages, build, run the whole suite (CTest)
#   make build | bench | fuzz | soak | clean
# MEETING=<file> chooses the demo's meeting file.

SAN      ?=
MEETING  ?= examples/cum4-2024.textproto
JOBS     ?= 2
BUILD    := build$(if $(SAN),-$(SAN),)
BUILDTYPE ?= RelWithDebInfo

DEB_PACKAGES := cmake make g++ pkg-config libboost1.81-dev libprotobuf-dev protobuf-compiler \
                libssl-dev openssl libsqlite3-dev sqlite3 libgtest-dev libgmock-dev libbenchmark-dev \
                chromium
# node and npm run the browser tests (tests/browser); Debian's nodejs/npm are
# installed only when no node/npm is on the PATH (a machine may carry its own).
NODE_PACKAGES := nodejs npm

.PHONY: all deps browser-deps configure build test demo bench fuzz soak clean

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
	@if ! command -v node > /dev/null || ! command -v npm > /dev/null; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing node/npm (run as root, or apt-get install $(NODE_PACKAGES))"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(NODE_PACKAGES); \
	fi

# playwright-core for the browser tests, exactly as package-lock.json pins it
# (it drives Debian's /usr/bin/chromium; no browser is downloaded).
browser-deps: deps
	@cd tests/browser && { [ -d node_modules/playwright-core ] && npm ls --silent > /dev/null 2>&1 || \
	  npm ci --no-audit --no-fund --silent; }

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILDTYPE) -DPHIEU_SANITIZE=$(SAN) \
	  $(if $(CI),-DPHIEU_WERROR=ON,) > $(BUILD).configure.log 2>&1 || { cat $(BUILD).configure.log; exit 1; }

build: configure
	cmake --build $(BUILD) -j$(JOBS)

test: build browser-deps
	cd $(BUILD) && ctest -j$(JOBS) --output-on-failure --timeout 600

demo: build
	bash examples/demo.sh $(BUILD) $(MEETING)

bench: build
	bash bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan build-tsan build*.configure.log demo-run
