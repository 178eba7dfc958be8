#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer (gcc) and runs them.
#
#   scripts/sanitize.sh [CTEST_ARGS...]
#
# Environment: SAN_BUILD (default: build-asan in the repository root), SAN_JOBS (build jobs),
#              SAN_GUI (default OFF: the window and render code link Mesa, whose leaks drown ASan).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SAN_BUILD:-$ROOT/build-asan}"

cmake -S "$ROOT" -B "$BUILD" -G Ninja \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVZ_SANITIZE=ON -DVZ_TESTS=ON -DVZ_GUI="${SAN_GUI:-OFF}" -DVZ_FUZZ=OFF -DVZ_BENCH=OFF \
  -DPython3_EXECUTABLE="$(python3 -c 'import sys; print(sys.executable)')" >/dev/null
cmake --build "$BUILD" ${SAN_JOBS:+-j "$SAN_JOBS"}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd "$BUILD"
ctest --output-on-failure -j "$(nproc)" "$@"
