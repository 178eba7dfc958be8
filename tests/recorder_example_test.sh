#!/usr/bin/env bash
# The recorder's example end to end: vz_example_wordcount instruments a parallel word count and
# saves .vzt, .json and .json.gz traces; `vizviewer --stats` must open each, with the main
# thread and every worker, their zones, the counter, the flows and the recorder's metadata.
#
# Usage: tests/recorder_example_test.sh PATH/TO/vz_example_wordcount PATH/TO/vizviewer
# Registered as the `recorder_example` ctest. Needs python3.
set -u
EXAMPLE=${1:?usage: recorder_example_test.sh EXAMPLE VIZVIEWER}
VZ=${2:?usage: recorder_example_test.sh EXAMPLE VIZVIEWER}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vz_rec_example.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

failures=0
for ext in vzt json json.gz; do
  out="$TMP/wordcount.$ext"
  if ! "$EXAMPLE" "$out" 3 2 >"$TMP/stdout" 2>"$TMP/stderr"; then
    echo "FAIL: the example failed writing $out: $(cat "$TMP/stderr")" >&2
    failures=$((failures + 1))
    continue
  fi
  if ! "$VZ" --stats "$out" >"$TMP/stats.json" 2>"$TMP/stats.err"; then
    echo "FAIL: vizviewer --stats $out: $(cat "$TMP/stats.err")" >&2
    failures=$((failures + 1))
    continue
  fi
  if ! python3 - "$TMP/stats.json" "$ext" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
ext = sys.argv[2]
problems = []
threads = doc.get("threads", [])
if len(threads) != 4:
    problems.append(f"{len(threads)} threads, want 4 (main + 3 workers)")
if sum(t.get("slices", 0) for t in threads) < 50:
    problems.append("fewer than 50 slices")
if doc.get("events", 0) < 50:
    problems.append(f"{doc.get('events')} events")
fatal = [d for d in doc.get("diagnostics", []) if d.get("kind") in ("NotATrace", "TruncatedInput")]
if fatal:
    problems.append(f"diagnostics {fatal}")
if problems:
    print(f"FAIL ({ext}): " + "; ".join(problems) + "\n" + json.dumps(doc)[:2000], file=sys.stderr)
    sys.exit(1)
PY
  then
    failures=$((failures + 1))
  fi
done
if [ "$failures" -ne 0 ]; then
  echo "recorder_example: $failures failure(s)" >&2
  exit 1
fi
echo "recorder_example: ok"
