#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for a while.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      default: 60 s each; fuzz_json fuzz_gzip fuzz_vzt
#
# Environment:
#   FUZZ_BUILD    build directory (default: build-fuzz in the repository root)
#   FUZZ_JOBS     parallel build jobs (default: ninja's choice)
#   FUZZ_RSS_MB   libFuzzer -rss_limit_mb (default 2048)
#   FUZZ_ARGS     extra libFuzzer flags
#   FUZZ_CMAKE_ARGS  extra CMake arguments for the configure step
#
# The corpus each target grows lives in $FUZZ_BUILD/corpus/<target> (kept between runs); the
# checked-in seeds in tests/fuzz/corpus/ and the regression inputs in tests/fuzz/regressions/ are
# read as well, and the .vzt seeds are made here from the JSON seeds. A crash, leak, timeout or
# out-of-memory input is saved under $FUZZ_BUILD/crashes/ and the script exits non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECS="${1:-60}"
if [ $# -gt 0 ]; then shift; fi
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_json fuzz_gzip fuzz_vzt)
BUILD="${FUZZ_BUILD:-$ROOT/build-fuzz}"
RSS_MB="${FUZZ_RSS_MB:-2048}"
SEEDS="$ROOT/tests/fuzz/corpus"

command -v clang++ >/dev/null || { echo "fuzz: clang++ is required" >&2; exit 1; }

# shellcheck disable=SC2086  # FUZZ_CMAKE_ARGS is a list
cmake -S "$ROOT" -B "$BUILD" -G Ninja \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVZ_FUZZ=ON -DVZ_GUI=OFF -DVZ_TESTS=OFF -DVZ_BENCH=OFF ${FUZZ_CMAKE_ARGS:-} >/dev/null
if ! cmake --build "$BUILD" --target "${TARGETS[@]}" fuzz_make_seeds ${FUZZ_JOBS:+-j "$FUZZ_JOBS"}; then
  echo "fuzz: build failed. If the fuzz targets are unknown, the top-level CMakeLists.txt must add" >&2
  echo "      tests/fuzz when VZ_FUZZ is ON even with VZ_TESTS=OFF." >&2
  exit 1
fi

bin() {  # where the build put a target
  local p="$BUILD/tests/fuzz/$1"
  [ -x "$p" ] || p="$(find "$BUILD" -type f -name "$1" -perm -u+x | head -n 1)"
  if [ -z "$p" ] || [ ! -x "$p" ]; then
    echo "fuzz: $1 was not built" >&2
    exit 1
  fi
  echo "$p"
}

CORPUS="$BUILD/corpus"
CRASHES="$BUILD/crashes"
mkdir -p "$CORPUS" "$CRASHES"

# .vzt seeds from the JSON seeds (compressed and uncompressed sections).
VZT_SEEDS="$BUILD/corpus-seeds/vzt"
rm -rf "$VZT_SEEDS"
mkdir -p "$VZT_SEEDS"
# One process per seed: a seed that trips a sanitizer in the writer costs only its own .vzt.
make_seeds="$(bin fuzz_make_seeds)"
: > "$VZT_SEEDS.log"
for seed in "$SEEDS"/json/*.json; do
  ASAN_OPTIONS="detect_leaks=0" "$make_seeds" "$VZT_SEEDS" "$seed" >> "$VZT_SEEDS.log" 2>&1 ||
    echo "fuzz: warning: could not make a .vzt seed from $(basename "$seed") (see $VZT_SEEDS.log)"
done
rm -f "$VZT_SEEDS"/*.tmp-*

# The regression inputs (each once a crash, a hang or an out-of-memory) are read as seeds too,
# so every run replays them; the unit tests load them as well (regression_test.cpp).
REGRESSIONS="$BUILD/corpus-seeds/regressions"
rm -rf "$REGRESSIONS"
mkdir -p "$REGRESSIONS/json" "$REGRESSIONS/vzt" "$REGRESSIONS/gzip"
for f in "$ROOT"/tests/fuzz/regressions/*; do
  case "$f" in
    *.json) cp "$f" "$REGRESSIONS/json/" ;;
    *.vzt) cp "$f" "$REGRESSIONS/vzt/" ;;
    *.gz) cp "$f" "$REGRESSIONS/gzip/" ;;
  esac
done

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
summary=()
for t in "${TARGETS[@]}"; do
  kind="${t#fuzz_}"
  exe="$(bin "$t")"
  mkdir -p "$CORPUS/$kind"
  dirs=("$CORPUS/$kind")
  [ -d "$SEEDS/$kind" ] && dirs+=("$SEEDS/$kind")
  [ "$kind" = vzt ] && dirs+=("$VZT_SEEDS")
  [ -n "$(ls -A "$REGRESSIONS/$kind" 2>/dev/null)" ] && dirs+=("$REGRESSIONS/$kind")
  dict=()
  [ "$kind" != vzt ] && [ -f "$ROOT/tests/fuzz/json.dict" ] && dict=(-dict="$ROOT/tests/fuzz/json.dict")
  log="$BUILD/$t.log"
  echo "fuzz: $t for ${SECS}s (log: $log)"
  before=$(find "$CRASHES" -type f -name "$t-*" | wc -l)
  set +e
  # shellcheck disable=SC2086
  "$exe" -max_total_time="$SECS" -timeout=10 -rss_limit_mb="$RSS_MB" -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$CRASHES/$t-" "${dict[@]}" ${FUZZ_ARGS:-} \
    "${dirs[@]}" > "$log" 2>&1
  rc=$?
  set -e
  after=$(find "$CRASHES" -type f -name "$t-*" | wc -l)
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*')"
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    status=1
    summary+=("$t: FAILED (exit $rc); inputs in $CRASHES/:")
    echo "fuzz: $t FAILED (exit $rc); the end of its log:" >&2
    grep -E 'ERROR|SUMMARY|invariant|runtime error|Test unit written' "$log" | head -n 20 >&2 || true
    tail -n 30 "$log" >&2
    while IFS= read -r f; do summary+=("    $f"); done < <(find "$CRASHES" -type f -name "$t-*" -newer "$exe")
  else
    summary+=("$t: ok, ${runs:-?} runs, coverage ${cov:-?}, corpus $(find "$CORPUS/$kind" -type f | wc -l) files")
  fi
done

echo
printf '%s\n' "${summary[@]}"
exit "$status"
