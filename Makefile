# Thin wrapper over CMake. The two README commands are `make demo` and `make test`; both install
# missing Debian packages first (scripts/bootstrap.sh, a no-op when everything is present).
BUILD      ?= build
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
# The python3 on PATH gets the viztracer package (its real executable, not a pyenv shim).
PYTHON3    ?= $(shell python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
# Other CPythons (3.12+) found under pyenv: the package is also built and tested for them.
EXTRA_PYTHONS ?= $(shell r=$$(pyenv root 2>/dev/null) && ls -d $$r/versions/3.1[2-9]*/bin/python3 2>/dev/null | tr '\n' ';')

.PHONY: all deps configure build demo test sanitize tsan fuzz bench install clean

all: build

deps:
	@scripts/bootstrap.sh

configure: deps
	@if [ ! -f $(BUILD)/build.ninja ]; then \
	  cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(if $(PYTHON3),-DPython3_EXECUTABLE=$(PYTHON3)) \
	    $(if $(EXTRA_PYTHONS),"-DVZ_EXTRA_PYTHONS=$(EXTRA_PYTHONS)") $(CMAKE_ARGS); \
	fi

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Opens the viewer on the demo trace shipped in assets/.
demo: build
	$(BUILD)/app/vizviewer assets/demo.json

# Every test: unit tests, golden tests, CLI tests, and the headless window test.
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
sanitize: deps
	scripts/sanitize.sh

# The recorder's tests under ThreadSanitizer.
tsan: deps
	scripts/tsan.sh

# libFuzzer targets, FUZZ_SECONDS each (default 60).
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	scripts/bench.sh $(BUILD)

# PREFIX is passed here too, not only at the first configure, so `make install PREFIX=...` on a
# built tree installs there. The viztracer package goes to the site-packages of the configured
# python3 whatever PREFIX is; its vizviewer path and the viztracer command follow PREFIX.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
