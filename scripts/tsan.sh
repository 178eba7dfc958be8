#!/usr/bin/env bash
# Builds the recorder's tests with ThreadSanitizer (gcc) and runs them: the per-thread rings, the
# streaming writer's hand-over and the registry must be free of data races.
#
#   scripts/tsan.sh [DOCTEST_ARGS...]
#
# Environment: TSAN_BUILD (default: build-tsan in the repository root), TSAN_JOBS (build jobs),
#              VZ_STRESS_EVENTS (events per thread of the stress test; default here 100000: the
#              8-thread shape of the full run at a size ThreadSanitizer gets through quickly).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${TSAN_BUILD:-$ROOT/build-tsan}"

cmake -S "$ROOT" -B "$BUILD" -G Ninja \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVZ_TSAN=ON -DVZ_TESTS=ON -DVZ_GUI=OFF -DVZ_FUZZ=OFF -DVZ_BENCH=OFF -DVZ_SANITIZE=OFF >/dev/null
cmake --build "$BUILD" ${TSAN_JOBS:+-j "$TSAN_JOBS"} --target vz_recorder_tests

export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
export VZ_STRESS_EVENTS="${VZ_STRESS_EVENTS:-100000}"
"$BUILD/tests/vz_recorder_tests" "$@"
