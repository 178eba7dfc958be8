#!/usr/bin/env bash
# Traces written by real producers, made here and now by the tools themselves: clang's
# -ftime-trace (object form, X events listed as they end, a thread per "Total" summary), CMake's
# --profiling-format=google-trace (array form, B/E pairs) and, when node is installed, Node's
# --trace-events-enabled (async begins never closed, X, B/E, I, metadata) and, when Chromium is
# installed, its own startup trace (flows, async slices, instants, B never closed). For each one,
# `vizviewer --stats` must agree with producers_check.py's independent count (threads, slices,
# depth, top-level time, unmatched B/E, instants, async slices, counters) with no diagnostic but
# the expected ones; `--convert` to .vzt and .json.gz and back must keep --stats equal (but for
# repeated naming metadata, which the model keeps once); and the window must open it (a screenshot, when xvfb-run is there).
#
# Usage: tests/producers_test.sh PATH/TO/vizviewer PATH/TO/tests [GUI (1, or 0 for a build
# without the window)]
# Registered as the `producers` ctest. Needs bash, python3, clang++ and cmake (both installed by
# scripts/bootstrap.sh, so their absence is a failure); node and chromium are optional.
set -u
VZ=${1:?usage: producers_test.sh VIZVIEWER TESTS_DIR [GUI]}
SRC=${2:?usage: producers_test.sh VIZVIEWER TESTS_DIR [GUI]}
GUI=${3:-1}  # 0: vizviewer was built without the window (the sanitizer build): no screenshots
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vz_producers.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

failures=0
checked=0
fail() {
  failures=$((failures + 1))
  echo "FAIL: $*" >&2
}

# stats FILE OUT: --stats of FILE into OUT without the fields that name the file or time the load,
# the diagnostics (their offsets are the source's; a .vzt keeps none, as in cli_test.sh) and the
# event count, which goes to OUT.events.
stats() {
  "$VZ" --stats "$1" >"$TMP/raw.json" 2>"$TMP/err" || { fail "--stats $1: $(head -c 300 "$TMP/err")"; return 1; }
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[2] + ".events", "w").write(str(d.pop("events")))
for k in ("file", "format", "load", "diagnostics"):
    d.pop(k, None)
json.dump(d, open(sys.argv[2], "w"), sort_keys=True, indent=1)' "$TMP/raw.json" "$2" ||
    { fail "--stats $1: not the JSON document expected"; return 1; }
}

# repeated_names FILE: how many naming metadata events (process/thread name, sort index, labels)
# repeat an earlier one word for word. The model keeps one name per process and thread, so a
# converted file has that many events fewer (Node writes its metadata twice).
repeated_names() {
  python3 -c '
import json, sys
def key(v):
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
d = json.load(open(sys.argv[1]))
seen, n = set(), 0
for e in d.get("traceEvents", []) if isinstance(d, dict) else d:
    if e.get("ph") == "M" and e.get("name") in ("process_name", "thread_name", "process_sort_index",
                                                 "thread_sort_index", "process_labels"):
        k = json.dumps([key(e.get("pid")), key(e.get("tid")) if e.get("name").startswith("thread") else "",
                        e.get("name"), e.get("args")], sort_keys=True)
        n += k in seen
        seen.add(k)
print(n)' "$1"
}

# check NAME FILE [ALLOWED DIAGNOSTIC KINDS...]
check() {
  local name=$1 file=$2
  shift 2
  if [ ! -s "$file" ]; then
    fail "$name: the producer wrote no trace"
    return
  fi
  "$VZ" --stats "$file" >"$TMP/$name.stats" 2>"$TMP/err" || { fail "$name: --stats exit status $? ($(head -c 300 "$TMP/err"))"; return; }
  python3 "$SRC/producers_check.py" "$file" "$TMP/$name.stats" --allow "$@" || fail "$name: --stats differs from the count"
  stats "$file" "$TMP/$name.want" || return
  local ext repeats want_events
  repeats=$(repeated_names "$file") && [ -n "$repeats" ] || { fail "$name: could not count its metadata"; return; }
  want_events=$(($(cat "$TMP/$name.want.events") - repeats))
  for ext in vzt json.gz; do
    "$VZ" --convert "$file" "$TMP/$name.$ext" 2>"$TMP/err" || { fail "$name: --convert to .$ext: $(head -c 300 "$TMP/err")"; continue; }
    "$VZ" --convert "$TMP/$name.$ext" "$TMP/$name.back.json" 2>"$TMP/err" || { fail "$name: --convert .$ext back: $(head -c 300 "$TMP/err")"; continue; }
    for f in "$TMP/$name.$ext" "$TMP/$name.back.json"; do
      stats "$f" "$TMP/$name.got" || continue
      diff -u "$TMP/$name.want" "$TMP/$name.got" >"$TMP/diff" || fail "$name: --stats of $(basename "$f") differs: $(head -c 600 "$TMP/diff")"
      # A .vzt records the count it was converted from; JSON written from the model counts what it holds.
      local want=$want_events
      case "$f" in *.vzt) want=$(cat "$TMP/$name.want.events") ;; esac
      [ "$(cat "$TMP/$name.got.events")" = "$want" ] ||
        fail "$name: $(basename "$f") has $(cat "$TMP/$name.got.events") events, want $want"
    done
  done
  if [ "$GUI" = 1 ] && command -v xvfb-run >/dev/null; then
    xvfb-run -a -s "-screen 0 1280x720x24" "$VZ" "$file" --size 1280x720 --screenshot "$TMP/$name.png" >/dev/null 2>"$TMP/err" ||
      fail "$name: the window did not open it: $(head -c 300 "$TMP/err")"
    [ -s "$TMP/$name.png" ] || fail "$name: no screenshot"
  fi
  checked=$((checked + 1))
}

# clang -ftime-trace: a small translation unit with templates, so there are nested frontend and
# backend events on several "Total" threads.
cat >"$TMP/unit.cpp" <<'EOF'
#include <map>
#include <string>
#include <vector>
template <int N> struct Fib { static constexpr long v = Fib<N - 1>::v + Fib<N - 2>::v; };
template <> struct Fib<1> { static constexpr long v = 1; };
template <> struct Fib<0> { static constexpr long v = 0; };
long words(const std::vector<std::string>& v) {
  std::map<std::string, long> m;
  for (const auto& s : v) m[s] += Fib<40>::v;
  long n = 0;
  for (const auto& [k, c] : m) n += c + long(k.size());
  return n;
}
EOF
if clang++ -std=c++17 -O1 -ftime-trace -ftime-trace-granularity=50 -c "$TMP/unit.cpp" -o "$TMP/unit.o" 2>"$TMP/err"; then
  check clang "$TMP/unit.json"
else
  fail "clang++ -ftime-trace failed: $(head -c 300 "$TMP/err")"
fi

# CMake's profiling output: a project that runs functions, loops and an included file.
mkdir -p "$TMP/proj"
cat >"$TMP/proj/helpers.cmake" <<'EOF'
function(count_to n out)
  set(acc "")
  foreach(i RANGE ${n})
    string(APPEND acc "${i},")
  endforeach()
  set(${out} "${acc}" PARENT_SCOPE)
endfunction()
EOF
cat >"$TMP/proj/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(profiled NONE)
include(helpers.cmake)
foreach(k RANGE 20)
  count_to(${k} r)
endforeach()
EOF
if cmake -S "$TMP/proj" -B "$TMP/proj/build" --profiling-format=google-trace \
    --profiling-output="$TMP/cmake.json" >/dev/null 2>"$TMP/err"; then
  check cmake "$TMP/cmake.json"
else
  fail "cmake --profiling-output failed: $(head -c 300 "$TMP/err")"
fi

# Node's trace events: promises, file handles and timers, some never closed.
if command -v node >/dev/null; then
  cat >"$TMP/work.js" <<'EOF'
const fs = require('fs');
const zlib = require('zlib');
async function main() {
  for (let i = 0; i < 10; i++) {
    await fs.promises.readFile(__filename);
    zlib.gzipSync(Buffer.alloc(50000, i));
    await new Promise((r) => setTimeout(r, 1));
  }
}
main();
EOF
  if (cd "$TMP" && node --trace-events-enabled \
        --trace-event-categories v8,node,node.async_hooks,node.fs.async work.js >/dev/null 2>"$TMP/err"); then
    check node "$TMP/node_trace.1.log" unmatched_async_begin
  else
    fail "node --trace-events-enabled failed: $(head -c 300 "$TMP/err")"
  fi
else
  echo "producers: node is not installed; its trace events are not checked"
fi

# Chromium's own startup trace (flows, async slices, instants of every scope, B never closed, now
# and then an X overlapping a sibling), when Chromium is installed (it is not a build dependency).
if command -v chromium >/dev/null; then
  cat >"$TMP/page.html" <<'EOF'
<html><body><canvas id=c width=200 height=100></canvas><script>
let n = 0;
function frame() {
  document.getElementById('c').getContext('2d').fillRect(n % 150, 0, 50, 50);
  if (++n < 30) requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
</script></body></html>
EOF
  if timeout 120 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$TMP/chromium-profile" \
      --trace-startup='*' --trace-startup-format=json --trace-startup-file="$TMP/chrome.json" \
      --trace-startup-duration=2 --virtual-time-budget=2000 "file://$TMP/page.html" >/dev/null 2>&1; then
    check chrome "$TMP/chrome.json" unmatched_begin unmatched_async_begin overlapping_slice
  else
    fail "chromium --trace-startup failed"
  fi
else
  echo "producers: chromium is not installed; its startup trace is not checked"
fi

echo "producers: $checked traces checked, $failures failures"
[ "$failures" -eq 0 ] && [ "$checked" -ge 2 ]
