#!/usr/bin/env bash
# Command-line tests of the vizviewer binary: --help/--version, usage errors (exit 2), --stats on
# good and bad input (exit 0 / 1 with "error":{"message","offset"} and a stderr line naming the
# file), --convert round trips between .json, .json.gz and .vzt that keep --stats equal, and atomic
# output (a failed conversion leaves the target untouched and no *.tmp-* file behind), and --folded
# (folded stacks whose values sum to the trace's top-level slice durations), and --diff (tables,
# JSON, --by path, and the --fail-if-slower gate's exit status 3).
#
# Usage: tests/cli_test.sh PATH/TO/vizviewer PATH/TO/tests
# Registered as the `cli` ctest. Needs bash, python3 and gzip.
set -u

VZ=${1:?usage: cli_test.sh VIZVIEWER TESTS_DIR}
SRC=${2:?usage: cli_test.sh VIZVIEWER TESTS_DIR}
DATA=$SRC/data
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vz_cli_test.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

checks=0
failures=0
fail() {
  failures=$((failures + 1))
  echo "FAIL: $*" >&2
}
ok() { checks=$((checks + 1)); }

# run CMD...: runs the command with stdout/stderr captured in $TMP/out, $TMP/err; sets $rc.
run() {
  "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
}

# expect_rc WANT DESCRIPTION: checks the last run's exit status.
expect_rc() {
  ok
  if [ "$rc" != "$1" ]; then
    fail "$2: exit status $rc, want $1 (stderr: $(head -c 300 "$TMP/err"))"
    return 1
  fi
}

# A Python helper for JSON checks, so each check is one line here.
cat >"$TMP/check.py" <<'PY'
import json, sys

def load(path):
    with open(path) as f:
        return json.load(f)

def strip(d):
    # "format", "load" and "file" describe the file and the run. Diagnostics carry byte offsets
    # into the file (and a .vzt keeps none), so they are not part of the model's contents.
    for k in ("format", "load", "file", "diagnostics"):
        d.pop(k, None)
    return d

cmd = sys.argv[1]
if cmd == "valid":  # the file holds exactly one JSON document
    load(sys.argv[2])
elif cmd == "stats_ok":  # a successful --stats document
    d = load(sys.argv[2])
    assert "error" not in d, d.get("error")
    for k in ("file", "format", "events", "threads", "instants", "counters", "async_slices", "flows",
              "diagnostics", "load"):
        assert k in d, "missing key " + k
    if len(sys.argv) > 3:
        assert d["format"] == sys.argv[3], "format %r, want %r" % (d["format"], sys.argv[3])
elif cmd == "stats_error":  # a failed --stats document
    d = load(sys.argv[2])
    e = d.get("error")
    assert isinstance(e, dict), "no error object"
    assert isinstance(e.get("message"), str) and e["message"], "no error message"
    assert isinstance(e.get("offset"), int) and e["offset"] >= 0, "no error offset"
    if len(sys.argv) > 3:
        assert e["offset"] == int(sys.argv[3]), "offset %r, want %s" % (e["offset"], sys.argv[3])
elif cmd == "same_stats":  # two --stats documents describe the same model
    a, b = strip(load(sys.argv[2])), strip(load(sys.argv[3]))
    if a != b:
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                print("  %s:\n    source:    %s\n    converted: %s" % (k, json.dumps(a.get(k))[:600],
                                                                     json.dumps(b.get(k))[:600]))
        sys.exit(1)
else:
    sys.exit("unknown check " + cmd)
PY
pycheck() { python3 "$TMP/check.py" "$@"; }

# ---------------------------------------------------------------------------------------------
# --help, --version
# ---------------------------------------------------------------------------------------------

for a in --help -h; do
  run "$VZ" "$a"
  expect_rc 0 "$a" && { grep -q "Usage" "$TMP/out" || fail "$a: no usage text"; }
  grep -q -- "--convert" "$TMP/out" || fail "$a: usage does not mention --convert"
done
for a in --version -V; do
  run "$VZ" "$a"
  expect_rc 0 "$a" && { grep -Eq '^vizviewer [0-9]+\.[0-9]+' "$TMP/out" || fail "$a: prints '$(cat "$TMP/out")'"; }
done
run "$VZ" --stats "$DATA/all_phases.json" --help
expect_rc 0 "--help wins over other arguments"

# ---------------------------------------------------------------------------------------------
# Usage errors: exit 2, a message on stderr, nothing on stdout
# ---------------------------------------------------------------------------------------------

good="$DATA/all_phases.json"
usage_error() {
  run "$VZ" "$@"
  expect_rc 2 "usage error: vizviewer $*" || return
  [ -s "$TMP/err" ] || fail "usage error '$*': nothing on stderr"
  [ -s "$TMP/out" ] && fail "usage error '$*': output on stdout"
}
usage_error --stats
usage_error --stats "$good" "$good"
usage_error --convert
usage_error --convert "$good"
usage_error --convert "$good" "$TMP/a.json" "$TMP/b.json"
usage_error --convert "$good" "$TMP/out.txt"
usage_error --convert "$good" "$TMP/out"
usage_error "$good" --convert "$TMP/x.json"
usage_error --no-such-option
usage_error --stats --bogus  # an option where the FILE goes
usage_error --stats --stats
usage_error --convert --bogus "$TMP/x.json"
usage_error "$good" --size 100x100 --screenshot "$TMP/small.png"
grep -q "320x240" "$TMP/err" || grep -q "built without the window" "$TMP/err" ||
  fail "--size 100x100: the message does not give the limits ($(cat "$TMP/err"))"
usage_error "$good" --folded ""
usage_error --diff "$good" "$good" --fail-if-slower -5  # a negative threshold trips on nothing changed
usage_error --diff "$good" "$good" --top 0x2
usage_error --diff "$good" "$good" --top +2
usage_error "$good" --screenshot "$TMP/shot.jpg"  # a PNG is written: the name must say so
for opt in --server_only -s; do  # viztracer's vizviewer option for its web server: none here
  usage_error "$opt" "$good"
  grep -q "starts no web server" "$TMP/err" || grep -q "built without the window" "$TMP/err" ||
    fail "$opt: no message saying why ($(cat "$TMP/err"))"
done
[ -e "$TMP/out.txt" ] || [ -e "$TMP/a.json" ] && fail "a usage error created an output file"

# A report that cannot be written (a full disk: /dev/full) is a failure, not a success.
if [ -w /dev/full ]; then
  for mode in "--stats $good" "--diff $good $good" "--diff $good $good --json"; do
    # shellcheck disable=SC2086
    "$VZ" $mode >/dev/full 2>"$TMP/err"
    rc=$?
    expect_rc 1 "vizviewer $mode > /dev/full" && { grep -q "cannot write" "$TMP/err" || fail "$mode > /dev/full: no message"; }
  done
fi

# ---------------------------------------------------------------------------------------------
# --stats on good input
# ---------------------------------------------------------------------------------------------

for f in "$DATA"/*.json; do
  run "$VZ" --stats "$f"
  expect_rc 0 "--stats $(basename "$f")" || continue
  ok
  pycheck stats_ok "$TMP/out" json || fail "--stats $(basename "$f"): bad document"
done
run "$VZ" "$good" --stats  # FILE first works too
expect_rc 0 "vizviewer FILE --stats"

# ---------------------------------------------------------------------------------------------
# --stats on bad input: exit 1, "error":{"message","offset"}, stderr names the file and offset
# ---------------------------------------------------------------------------------------------

printf 'hello, not a trace' >"$TMP/garbage.json"
printf '   \n  xyz' >"$TMP/offset6.json"
: >"$TMP/empty.json"
printf '\x1f\x8b\x08\x00garbage-after-gzip-magic' >"$TMP/badgzip.json.gz"
printf '\x00\x01\x02\x03binary' >"$TMP/binary.vzt"
printf '{"traceEvents": 42}' >"$TMP/no_array.json"
printf '    ' >"$TMP/blank.json"
bad_input() {  # FILE [OFFSET]
  run "$VZ" --stats "$1"
  expect_rc 1 "--stats $(basename "$1")" || return
  ok
  pycheck stats_error "$TMP/out" ${2:+"$2"} || fail "--stats $(basename "$1"): no proper error object"
  ok
  grep -qF -- "$1" "$TMP/err" || fail "--stats $(basename "$1"): stderr does not name the file: $(cat "$TMP/err")"
  ok
  grep -q "offset" "$TMP/err" || fail "--stats $(basename "$1"): stderr has no offset: $(cat "$TMP/err")"
}
bad_input "$TMP/garbage.json" 0
bad_input "$TMP/offset6.json" 6
bad_input "$TMP/empty.json" 0
bad_input "$TMP/blank.json"
bad_input "$TMP/badgzip.json.gz"
bad_input "$TMP/binary.vzt"
bad_input "$TMP/no_array.json"
bad_input "$TMP/does-not-exist.json" 0
bad_input "$TMP"  # a directory

# Truncated files of every format: never a crash; exit 0 or 1 with a valid document.
"$VZ" --convert "$DATA/all_phases.json" "$TMP/trunc_src.vzt" 2>/dev/null || fail "convert to .vzt for truncation"
"$VZ" --convert "$DATA/all_phases.json" "$TMP/trunc_src.json.gz" 2>/dev/null || fail "convert to .json.gz"
for src in "$DATA/all_phases.json" "$TMP/trunc_src.vzt" "$TMP/trunc_src.json.gz"; do
  [ -f "$src" ] || continue
  size=$(wc -c <"$src")
  for cut in 1 2 5 9 17 33 64 100 $((size / 3)) $((size / 2)) $((size - 7)) $((size - 1)); do
    [ "$cut" -gt 0 ] && [ "$cut" -lt "$size" ] || continue
    ext=${src##*trunc_src}
    [ "$ext" = "$src" ] && ext=.json
    head -c "$cut" "$src" >"$TMP/cut$ext"
    run "$VZ" --stats "$TMP/cut$ext"
    ok
    if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
      fail "--stats on $(basename "$src") cut to $cut bytes: exit status $rc"
      continue
    fi
    ok
    pycheck valid "$TMP/out" 2>/dev/null || fail "--stats on $(basename "$src") cut to $cut bytes: invalid JSON"
    if [ "$rc" = 1 ]; then
      ok
      pycheck stats_error "$TMP/out" 2>/dev/null || fail "--stats on $(basename "$src") cut to $cut: exit 1 without error"
    fi
  done
done

# ---------------------------------------------------------------------------------------------
# --convert round trips keep --stats equal
# ---------------------------------------------------------------------------------------------

stats_of() {  # FILE OUT
  "$VZ" --stats "$1" >"$2" 2>/dev/null
}
same_stats() {  # SOURCE_STATS CONVERTED_STATS DESCRIPTION
  ok
  local diff
  if ! diff=$(pycheck same_stats "$1" "$2" 2>&1); then
    fail "$3: --stats differ
$diff"
  fi
}
convert() {  # IN OUT: converts, checking the exit status
  run "$VZ" --convert "$1" "$2"
  expect_rc 0 "--convert $(basename "$1") $(basename "$2")"
}

for f in "$DATA"/*.json; do
  name=$(basename "$f" .json)
  dir="$TMP/rt_$name"
  mkdir -p "$dir"
  stats_of "$f" "$dir/src.stats"
  # Each chain: IN -> ... -> OUT, compared with the source's stats at every step.
  for chain in "json" "json.gz json" "vzt json" "json.gz vzt json.gz json" "vzt vzt.vzt"; do
    prev="$f"
    step=0
    label="$name"
    for ext in $chain; do
      step=$((step + 1))
      out="$dir/${chain// /_}.$step.$ext"
      label="$label -> $ext"
      convert "$prev" "$out" || break
      stats_of "$out" "$dir/out.stats"
      want=${ext%%.vzt}
      [ "$ext" = "vzt.vzt" ] && want=vzt
      ok
      pycheck stats_ok "$dir/out.stats" "$want" || fail "$label: bad --stats document"
      same_stats "$dir/src.stats" "$dir/out.stats" "$label"
      if [ "$ext" = json ]; then
        ok
        pycheck valid "$out" || fail "$label: the written JSON is not strict JSON"
      fi
      if [ "$ext" = json.gz ]; then
        ok
        gzip -dc "$out" >"$dir/inflated.json" && pycheck valid "$dir/inflated.json" ||
          fail "$label: the .json.gz does not inflate to strict JSON"
      fi
      prev="$out"
    done
  done
  # A .vzt holds the same model as its source: JSON -> .vzt -> JSON writes the same bytes as
  # JSON -> JSON (so every kind of event the JSON reader keeps survives the .vzt).
  convert "$f" "$dir/direct.json" && convert "$f" "$dir/via.vzt" && convert "$dir/via.vzt" "$dir/via.json" && {
    ok
    cmp -s "$dir/direct.json" "$dir/via.json" || fail "$name: JSON -> .vzt -> JSON differs from JSON -> JSON"
  }
  # Converting twice gives identical bytes (the writers are deterministic).
  convert "$f" "$dir/again1.json" && convert "$dir/again1.json" "$dir/again2.json" &&
    convert "$dir/again2.json" "$dir/again3.json" && {
    ok
    cmp -s "$dir/again2.json" "$dir/again3.json" || fail "$name: JSON -> JSON is not stable on the second round"
  }
done

# ---------------------------------------------------------------------------------------------
# Atomic output: failures leave the target untouched and no temporary behind
# ---------------------------------------------------------------------------------------------

out="$TMP/atomic"
mkdir -p "$out"
for ext in json json.gz vzt; do
  target="$out/existing.$ext"
  "$VZ" --convert "$DATA/viztracer_like.json" "$target" 2>/dev/null
  cp "$target" "$out/before"
  for bad in "$TMP/garbage.json" "$TMP/empty.json" "$TMP/does-not-exist.json" "$TMP/badgzip.json.gz"; do
    run "$VZ" --convert "$bad" "$target"
    expect_rc 1 "--convert $(basename "$bad") onto an existing .$ext"
    ok
    cmp -s "$target" "$out/before" || fail "--convert $(basename "$bad") changed the existing target .$ext"
    ok
    grep -qF -- "$bad" "$TMP/err" || fail "--convert $(basename "$bad"): stderr does not name the input"
  done
  # Writing into a directory that does not exist, or onto a directory.
  run "$VZ" --convert "$good" "$out/no/such/dir/x.$ext"
  expect_rc 1 "--convert into a missing directory (.$ext)"
  [ -s "$TMP/err" ] || fail "--convert into a missing directory: no message"
  mkdir -p "$out/isdir.$ext"
  run "$VZ" --convert "$good" "$out/isdir.$ext"
  expect_rc 1 "--convert onto a directory (.$ext)"
  ok
  [ -d "$out/isdir.$ext" ] || fail "--convert onto a directory replaced it"
  # A successful conversion replaces the existing target.
  run "$VZ" --convert "$DATA/all_phases.json" "$target"
  expect_rc 0 "--convert onto an existing .$ext"
  ok
  cmp -s "$target" "$out/before" && fail "--convert did not replace the existing .$ext"
done
# In-place conversion (IN == OUT) works: the input is read before the output is renamed over it.
cp "$DATA/all_phases.json" "$out/inplace.json"
stats_of "$out/inplace.json" "$out/inplace.before"
run "$VZ" --convert "$out/inplace.json" "$out/inplace.json"
expect_rc 0 "--convert IN IN"
stats_of "$out/inplace.json" "$out/inplace.after"
same_stats "$out/inplace.before" "$out/inplace.after" "in-place conversion"

# ---------------------------------------------------------------------------------------------
# --folded: folded stacks of the whole trace (values are self times in ns)
# ---------------------------------------------------------------------------------------------

cat >"$TMP/folded.py" <<'PY'
import json, sys

def top_level_ns(path):
    # Sum of the durations of X slices that no other slice of their thread contains.
    with open(path) as f:
        events = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X"]
    total = 0
    for e in events:
        s, d = round(e["ts"] * 1000), round(e["dur"] * 1000)
        inside = any(o is not e and (o["pid"], o["tid"]) == (e["pid"], e["tid"]) and
                     round(o["ts"] * 1000) <= s and s + d <= round((o["ts"] + o["dur"]) * 1000)
                     for o in events)
        total += 0 if inside else d
    return total

trace, folded = sys.argv[1], sys.argv[2]
lines = open(folded).read().split("\n")
assert lines[-1] == "", "no final newline"
stacks = {}
for line in lines[:-1]:
    frames, _, value = line.rpartition(" ")
    assert frames and value.isdigit() and int(value) > 0, "bad line %r" % line
    assert frames not in stacks, "stack twice: %r" % frames
    stacks[frames] = int(value)
want = top_level_ns(trace)
got = sum(stacks.values())
assert got == want, "folded values sum to %d, top-level slices to %d" % (got, want)
for frames, value in [(k.split("=")[0], int(k.split("=")[1])) for k in sys.argv[3:]]:
    assert stacks.get(frames) == value, "%r: %r, want %d" % (frames, stacks.get(frames), value)
PY

stacks="$DATA/call_stacks.json"
run "$VZ" "$stacks" --folded "$TMP/stacks.folded"
expect_rc 0 "vizviewer FILE --folded OUT"
ok
grep -q "stacks" "$TMP/err" || fail "--folded: no summary on stderr"
ok
[ -s "$TMP/out" ] && fail "--folded: output on stdout"
ok
python3 "$TMP/folded.py" "$stacks" "$TMP/stacks.folded" "main=30000" "main;parse;read:file=8000" \
  "main;compute;fib;fib=8000" "overlap=10000" "worker;sleep=1250" "worker=19250" ||
  fail "--folded: wrong folded stacks: $(head -c 400 "$TMP/stacks.folded")"
run "$VZ" --folded "$TMP/stacks2.folded" "$stacks"  # flag first works too
expect_rc 0 "vizviewer --folded OUT FILE"
ok
cmp -s "$TMP/stacks.folded" "$TMP/stacks2.folded" || fail "--folded: output depends on argument order"
# The same stacks from the .vzt of the trace, and every test trace sums to its top-level slices.
"$VZ" --convert "$stacks" "$TMP/stacks.vzt" 2>/dev/null || fail "convert call_stacks to .vzt"
run "$VZ" "$TMP/stacks.vzt" --folded "$TMP/stacks3.folded"
expect_rc 0 "--folded on a .vzt"
ok
cmp -s "$TMP/stacks.folded" "$TMP/stacks3.folded" || fail "--folded: .vzt and JSON give different stacks"
for f in "$DATA/viztracer_like.json" "$DATA/all_phases.json"; do
  run "$VZ" "$f" --folded "$TMP/other.folded"
  expect_rc 0 "--folded $(basename "$f")"
done
# 40 000 nested calls: each line repeats its whole stack, ~8 GB of folded text. Refused at once,
# with the size, and nothing written.
python3 - "$TMP/deep.json" <<'PY'
import sys
n = 40000
with open(sys.argv[1], "w") as f:
    f.write('{"traceEvents":[')
    f.write(",".join('{"ph":"X","name":"frame_%d","pid":1,"tid":1,"ts":%d,"dur":%d}' % (i, i, 2 * (n - i) + 1)
                     for i in range(n)))
    f.write("]}")
PY
run "$VZ" "$TMP/deep.json" --folded "$TMP/deep.folded"
expect_rc 1 "--folded refuses quadratic output"
grep -q "GB" "$TMP/err" || fail "--folded: the refusal does not give the size: $(cat "$TMP/err")"
[ -e "$TMP/deep.folded" ] && fail "--folded: a refused output was written"
ok
# --diff by path on the same: the table shows the tail of each path (not the whole 40 000-frame
# key of every row); --json, whose keys are whole paths (~8 GB), is refused with the size.
run "$VZ" --diff "$TMP/deep.json" "$TMP/deep.json" --by path --top 0
expect_rc 0 "--diff --by path on 40 000 nested calls"
grep -q "40000 of 40000 rows" "$TMP/out" || fail "--diff deep: $(head -c 300 "$TMP/out")"
grep -q '^\.\.\.' "$TMP/out" || fail "--diff deep: long paths are not cut to their tail"
run "$VZ" --diff "$TMP/deep.json" "$TMP/deep.json" --by path --top 0 --json
expect_rc 1 "--diff --json refuses quadratic keys"
grep -q "GB" "$TMP/err" || fail "--diff --json: the refusal does not give the size: $(cat "$TMP/err")"
run "$VZ" --diff "$TMP/deep.json" "$TMP/deep.json" --by path --json
expect_rc 0 "--diff --json --top 20 on deep paths"
ok
run "$VZ" --help
ok
grep -q -- "--folded" "$TMP/out" || fail "--help does not mention --folded"
usage_error --folded
usage_error "$stacks" --folded
usage_error "$stacks" --folded "$TMP/a.folded" extra
usage_error "$stacks" "$TMP/a.folded" --folded
[ -e "$TMP/a.folded" ] && fail "a --folded usage error created an output file"
# Failures: exit 1, and an existing output stays untouched.
cp "$TMP/stacks.folded" "$TMP/keep.folded"
run "$VZ" "$TMP/garbage.json" --folded "$TMP/keep.folded"
expect_rc 1 "--folded on garbage"
ok
cmp -s "$TMP/stacks.folded" "$TMP/keep.folded" || fail "--folded on garbage changed the output"
run "$VZ" "$stacks" --folded "$TMP/no/such/dir/x.folded"
expect_rc 1 "--folded into a missing directory"
[ -s "$TMP/err" ] || fail "--folded into a missing directory: no message"

# ---------------------------------------------------------------------------------------------
# The window's view options: malformed values are usage errors, found before any window opens
# ---------------------------------------------------------------------------------------------

usage_error "$good" --tab bogus
usage_error "$good" --tab
usage_error "$good" --range 5ms
usage_error "$good" --range 5ms:1ms
usage_error "$good" --range abc:def
usage_error "$good" --range 1parsec:2parsec
usage_error "$good" --size 10x10
usage_error "$good" --mouse
usage_error "$good" --mouse 10
usage_error "$good" --mouse -1,5
usage_error "$good" --select
usage_error "$good" --search
usage_error "$good" --tracks
usage_error --bench-frames
usage_error "$good" --no-such-option
usage_error "$good" "$good" "$good"
usage_error "$good" --tab nope

# ---------------------------------------------------------------------------------------------
# --diff: two runs compared per function / call path, and the --fail-if-slower gate (exit 3).
# diff_b.json is diff_a.json with `compute` 50% slower (10 -> 15 ms, so `main` +12.5% and the
# traced time 60 -> 65 ms, +8.3%), `legacy_init` removed and `cache_warmup` added; its events come
# in another order, so the two string tables differ.
# ---------------------------------------------------------------------------------------------

da="$DATA/diff_a.json"
db="$DATA/diff_b.json"
run "$VZ" --diff "$da" "$db"
expect_rc 0 "--diff A B"
ok
grep -Eq '^compute +1 +1 +10\.000 ms +15\.000 ms +\+5\.000 ms +\+50\.0% .* both$' "$TMP/out" ||
  fail "--diff: no 'compute ... +5.000 ms +50.0%' row: $(head -c 800 "$TMP/out")"
ok
grep -q '^traced time: 60.000 ms -> 65.000 ms (+5.000 ms, +8.3%)$' "$TMP/out" ||
  fail "--diff: wrong traced-time header: $(head -3 "$TMP/out")"
ok
grep -Eq '^legacy_init .* -2\.000 ms +-100\.0% .* removed$' "$TMP/out" || fail "--diff: legacy_init not removed"
ok
grep -Eq '^cache_warmup .* \+1\.000 ms +- .* added$' "$TMP/out" || fail "--diff: cache_warmup not added"
ok
[ "$(sed -n 6p "$TMP/out" | cut -d' ' -f1)" = compute ] || fail "--diff: the largest change is not first"
run "$VZ" --diff "$da" "$db" --top 2
ok
[ "$(grep -c ' both$\| added$\| removed$' "$TMP/out")" = 2 ] || fail "--diff --top 2: not 2 rows"

cat >"$TMP/diff.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["key"]: r for r in d["rows"]}
assert d["total_a_ns"] == 60000000 and d["total_b_ns"] == 65000000, d
assert d["delta_total_ns"] == 5000000 and abs(d["delta_pct"] - 25 / 3) < 1e-3, d
c = rows[sys.argv[2]]
assert c["status"] == "both" and c["a"]["total_ns"] == 10000000 and c["b"]["total_ns"] == 15000000, c
assert c["delta_total_ns"] == 5000000 and c["delta_pct"] == 50 and c["delta_self_ns"] == 5000000, c
assert c["a"]["count"] == 1 and c["b"]["count"] == 1 and c["a"]["self_ns"] == 6000000, c
assert rows[sys.argv[3]]["status"] == "added" and rows[sys.argv[3]]["delta_pct"] is None
assert rows[sys.argv[4]]["status"] == "removed" and rows[sys.argv[4]]["delta_pct"] == -100
assert d["row_count"] == 8 and len(d["rows"]) == 8, d["row_count"]
if len(sys.argv) > 5:
    g = d["gate"]
    assert g["failed"] == (sys.argv[5] == "failed") and g["total_tripped"] is False, g
    assert g["tripped_rows"] == sys.argv[6:], g
else:
    assert "gate" not in d
PY
run "$VZ" --diff "$da" "$db" --json
expect_rc 0 "--diff --json"
python3 "$TMP/diff.py" "$TMP/out" compute cache_warmup legacy_init || fail "--diff --json: wrong document"
run "$VZ" --diff "$da" "$db" --json --by path
expect_rc 0 "--diff --json --by path"
python3 "$TMP/diff.py" "$TMP/out" "main;compute" "main;cache_warmup" "main;legacy_init" ||
  fail "--diff --json --by path: wrong document"

# The gate: compute grew 50% and main 12.5%.
run "$VZ" --diff "$da" "$db" --fail-if-slower 20
expect_rc 3 "--diff --fail-if-slower 20"
ok
grep -q 'fail-if-slower 20: compute ' "$TMP/err" || fail "--fail-if-slower: stderr does not name compute"
ok
grep -q 'main' "$TMP/err" && fail "--fail-if-slower 20: main (+12.5%) tripped the gate"
run "$VZ" --diff "$da" "$db" --fail-if-slower 80
expect_rc 0 "--diff --fail-if-slower 80"
ok
[ -s "$TMP/err" ] && fail "--fail-if-slower 80: stderr not empty: $(cat "$TMP/err")"
run "$VZ" --diff "$da" "$db" --fail-if-slower=5 --json
expect_rc 3 "--diff --fail-if-slower 5 (the traced time, +8.3%, trips too)"
ok
grep -q 'traced time' "$TMP/err" || fail "--fail-if-slower 5: the traced time not reported"
run "$VZ" --diff "$da" "$db" --fail-if-slower 20 --min-time 20ms --json
expect_rc 0 "--diff --fail-if-slower 20 --min-time 20ms (compute under the noise floor)"
python3 "$TMP/diff.py" "$TMP/out" compute cache_warmup legacy_init passed || fail "--min-time: wrong gate"
run "$VZ" --diff "$da" "$db" --fail-if-slower 20 --json --by path
expect_rc 3 "--diff --by path --fail-if-slower 20"
python3 "$TMP/diff.py" "$TMP/out" "main;compute" "main;cache_warmup" "main;legacy_init" failed "main;compute" ||
  fail "--diff --by path --fail-if-slower 20: wrong gate"
run "$VZ" --diff "$da" "$da" --fail-if-slower 0
expect_rc 0 "--diff of a trace with itself, --fail-if-slower 0"
# --loose-names: a viztracer function whose line and directory moved is one row, in both runs.
printf '[{"ph":"X","name":"work (/old/src/app.py:10)","pid":1,"tid":1,"ts":0,"dur":10}]' > "$TMP/la.json"
printf '[{"ph":"X","name":"work (/new/src/app.py:12)","pid":1,"tid":1,"ts":0,"dur":15}]' > "$TMP/lb.json"
run "$VZ" --diff "$TMP/la.json" "$TMP/lb.json" --json
expect_rc 0 "--diff of moved functions"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sorted(r["status"] for r in d["rows"]) == ["added", "removed"], d' \
  "$TMP/out" || fail "--diff: moved functions should not match without --loose-names"
run "$VZ" --diff "$TMP/la.json" "$TMP/lb.json" --json --loose-names
expect_rc 0 "--diff --loose-names"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["rows"]; assert len(r) == 1 and r[0]["name"] == "work (app.py)" and r[0]["status"] == "both" and r[0]["delta_total_ns"] == 5000, r' \
  "$TMP/out" || fail "--diff --loose-names: one matched row expected: $(cat "$TMP/out")"
# --by path in text: each row's innermost frames with their files' directories left out, so one
# function under two callers reads as two rows that tell apart, its name whole.
python3 - "$TMP/pa.json" "$TMP/pb.json" <<'PY'
import json, sys
d = "/home/someone/projects/a-rather-long-project-name/src/package"
def ev(name, ts, dur): return {"ph": "X", "pid": 1, "tid": 1, "ts": ts, "dur": dur, "name": name}
for path, k in ((sys.argv[1], 1), (sys.argv[2], 2)):
    json.dump([ev(f"main ({d}/app.py:1)", 0, 100 * k), ev(f"first ({d}/a.py:5)", 1, 40 * k),
               ev(f"parse_record ({d}/records.py:12)", 2, 30 * k), ev(f"second ({d}/b.py:7)", 50, 40 * k),
               ev(f"parse_record ({d}/records.py:12)", 51, 20 * k)], open(path, "w"))
PY
run "$VZ" --diff "$TMP/pa.json" "$TMP/pb.json" --by path --top 0
expect_rc 0 "--diff --by path of long viztracer names"
grep -q 'first (a.py:5);parse_record (records.py:12)' "$TMP/out" || fail "--by path: first's parse_record row: $(cat "$TMP/out")"
grep -q 'second (b.py:7);parse_record (records.py:12)' "$TMP/out" || fail "--by path: second's parse_record row: $(cat "$TMP/out")"
# A candidate that recorded nothing, or was cut short, fails the gate as "could not compare" (1),
# not as "no slowdown" (0).
printf '{"traceEvents":[{"ph":"C","pid":1,"ts":0,"name":"mem","args":{"v":1}}]}' > "$TMP/nothing.json"
run "$VZ" --diff "$da" "$TMP/nothing.json" --fail-if-slower 5
expect_rc 1 "--diff --fail-if-slower against a run that traced nothing"
grep -q 'nothing.json traced nothing' "$TMP/err" || fail "--fail-if-slower: no word of the empty run: $(cat "$TMP/err")"
run "$VZ" --diff "$da" "$TMP/nothing.json" --fail-if-slower 5 --json
expect_rc 1 "--diff --fail-if-slower --json against a run that traced nothing"
python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["gate"]; assert g["comparable"] is False and g["failed"] is None and "traced nothing" in g["reason"], g' \
  "$TMP/out" || fail "--fail-if-slower --json: the gate object of an empty run: $(cat "$TMP/out")"
head -c $(( $(wc -c < "$db") * 2 / 3 )) "$db" > "$TMP/cut.json"
run "$VZ" --diff "$da" "$TMP/cut.json" --fail-if-slower 50
expect_rc 1 "--diff --fail-if-slower against a run cut short"
grep -q 'cut.json was cut short' "$TMP/err" || fail "--fail-if-slower: no word of the cut run: $(cat "$TMP/err")"
run "$VZ" --diff "$da" "$TMP/cut.json"
expect_rc 0 "--diff without the gate against a run cut short (compares what loaded)"
# Names wider in bytes than in characters line up, and a long one keeps its last 45 characters;
# a long viztracer name keeps its qualname and cuts its path's start.
long=$(printf 'é%.0s' $(seq 60))
py="Scraper.crawl (/home/someone/projects/crawler/src/crawler/scraper.py:36)"
for side in a b; do
  printf '[{"ph":"X","name":"uni \xe2\x9c\x93 \xc3\xa9","pid":1,"tid":1,"ts":0,"dur":5},
{"ph":"X","name":"plain","pid":1,"tid":1,"ts":10,"dur":5},
{"ph":"X","name":"%s","pid":1,"tid":1,"ts":30,"dur":5},
{"ph":"X","name":"%s","pid":1,"tid":1,"ts":20,"dur":5}]' "$py" "$long" > "$TMP/w_$side.json"
done
run "$VZ" --diff "$TMP/w_a.json" "$TMP/w_b.json"
expect_rc 0 "--diff of non-ASCII names"
python3 - "$TMP/out" <<'PY' || fail "--diff: non-ASCII names misalign the table: $(cat "$TMP/out")"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
header = next(l for l in lines if l.startswith("name "))
rows = [l for l in lines if l.endswith("  both")]
assert len(rows) == 4, lines
assert all(l.index("  both") + 2 == header.index("status") for l in rows), lines  # (characters)
assert any(l.startswith("..." + "\u00e9" * 45 + " ") for l in rows), rows
assert any(l.startswith("Scraper.crawl (...") and "/scraper.py:36) " in l for l in rows), rows
PY

# Per-side scope: one thread each (by tid, PID:TID or name), a range of each.
run "$VZ" --diff "$da" "$db" --thread-a 2 --thread-b 1:2 --json
expect_rc 0 "--diff --thread-a 2 --thread-b 1:2"
python3 - "$TMP/out" <<'PY' || fail "--diff --thread-a/-b: not only the worker thread"
import json, sys
d = json.load(open(sys.argv[1]))
assert [r["key"] for r in d["rows"]] == ["worker"], d["rows"]
assert d["scope_a"]["thread"] == "2" and d["scope_b"]["thread"] == "1:2", d
assert d["total_a_ns"] == d["total_b_ns"] == 20000000, d
PY
run "$VZ" --diff "$da" "$db" --thread main --range 9ms:21ms --json
expect_rc 0 "--diff --thread main --range 9ms:21ms"
python3 - "$TMP/out" <<'PY' || fail "--diff --thread main --range: wrong clipped totals"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["key"]: r for r in d["rows"]}
# main clipped to [9, 21] ms = 12 ms on both sides; compute 10 ms in A, 11 ms of B's 15 ms.
assert d["total_a_ns"] == d["total_b_ns"] == 12000000, d
assert rows["compute"]["a"]["total_ns"] == 10000000 and rows["compute"]["b"]["total_ns"] == 11000000, rows
assert "worker" not in rows and "save" not in rows, rows
assert d["scope_a"]["range_ns"] == [9000000, 21000000], d
PY
run "$VZ" --diff "$da" "$db" --range-b 25ms:40ms
expect_rc 0 "--diff --range-b"
grep -q '^scope: A every thread, whole trace; B every thread, 25.000 ms .. 40.000 ms$' "$TMP/out" ||
  fail "--diff --range-b: no scope line: $(head -3 "$TMP/out")"
# A side's own option wins over the general one, before or after it.
for order in "--range-b 25ms:40ms --range 1ms:2ms" "--range 1ms:2ms --range-b 25ms:40ms"; do
  # shellcheck disable=SC2086  # two options
  run "$VZ" --diff "$da" "$db" $order
  grep -q '^scope: A every thread, 1.000 ms .. 2.000 ms; B every thread, 25.000 ms .. 40.000 ms$' "$TMP/out" ||
    fail "--diff $order: $(head -3 "$TMP/out")"
done
run "$VZ" --diff "$da" "$db" --thread 7
expect_rc 1 "--diff --thread with a thread neither run has"
grep -q "no thread '7'; threads are: 1:1 (main), 1:2" "$TMP/err" || fail "--diff --thread 7: $(cat "$TMP/err")"

# Usage errors (2) and unloadable files (1).
usage_error --diff
usage_error --diff "$da"
usage_error --diff "$da" "$db" "$db"
usage_error --diff "$da" "$db" --by bogus
usage_error --diff "$da" "$db" --by
usage_error --diff "$da" "$db" --top -1
usage_error --diff "$da" "$db" --top many
usage_error --diff "$da" "$db" --fail-if-slower
usage_error --diff "$da" "$db" --fail-if-slower ten
usage_error --diff "$da" "$db" --fail-if-slower nan
usage_error --diff "$da" "$db" --min-time 5parsecs
usage_error --diff "$da" "$db" --no-such-option
usage_error --diff "$da" "$db" --range 5:3
usage_error --diff "$da" "$db" --range-a 5ms
usage_error --diff "$da" "$db" --thread-b
run "$VZ" --diff "$da" "$TMP/no_such_file.json"
expect_rc 1 "--diff with a missing file"
ok
grep -q 'no_such_file' "$TMP/err" || fail "--diff with a missing file: stderr does not name it"
run "$VZ" --diff "$TMP/garbage.json" "$db" --fail-if-slower 10
expect_rc 1 "--diff with an unreadable A"

ok
leftovers=$(find "$TMP" -name '*.tmp-*' | head -5)
[ -z "$leftovers" ] || fail "temporary files left behind: $leftovers"
ok
leftovers=$(find "$DATA" -newer "$TMP/check.py" -type f | head -5)
[ -z "$leftovers" ] || fail "the test wrote into the source tree: $leftovers"

echo "cli_test: $checks checks, $failures failures"
[ "$failures" = 0 ]
