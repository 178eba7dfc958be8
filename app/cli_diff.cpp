// `vizviewer --diff A B`: compares two traces per function or call path (analysis/diff.h) and
// prints the rows with the largest changes as an aligned text table or one JSON document. With
// --fail-if-slower it is a CI performance gate: exit status 3 when B is slower beyond a threshold.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "analysis/call_tree.h"
#include "analysis/diff.h"
#include "app/cli_internal.h"
#include "formats/numbers.h"

namespace vz {
namespace {

constexpr size_t kNameWidth = 48;  // widest name column in the text table
constexpr uint64_t kMaxJsonKeyBytes = uint64_t(1) << 30;  // keys of a --json report, at most

// The parsed command line.
struct DiffArgs {
  std::string file_a, file_b;
  size_t top = 20;           // rows shown; 0 = all
  bool json = false;
  DiffBy by = DiffBy::Name;
  bool loose = false;        // --loose-names: viztracer names without their directory and line
  bool gate = false;         // --fail-if-slower given
  double pct = 0;            // its threshold
  Time min_time = 1000000;   // --min-time: rows under this on both sides never trip the gate
  // Per-side scope: --thread-a/-b (or --thread for both) and --range-a/-b (or --range).
  std::string thread[2];     // "TID", "PID:TID" or a thread name; empty: every thread
  bool has_range[2] = {false, false};
  Time range_t0[2] = {0, 0}, range_t1[2] = {0, 0};  // relative to that trace's start
};

// "1.5ms" -> ns; a bare number is microseconds (like the viewer's --range).
bool parse_duration(std::string_view s, Time* out) {
  struct Unit { const char* suffix; double ns; };
  static const Unit kUnits[] = {{"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  double scale = 1e3;
  for (const Unit& u : kUnits) {
    std::string_view suf = u.suffix;
    if (s.size() > suf.size() && s.ends_with(suf)) {
      s.remove_suffix(suf.size());
      scale = u.ns;
      break;
    }
  }
  std::string num(s);
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || !(v >= 0 && v * scale < 9e18)) return false;
  *out = Time(v * scale);
  return true;
}

// "START:END" with durations as above, END > START.
bool parse_range_arg(std::string_view s, Time* t0, Time* t1) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  return parse_duration(s.substr(0, colon), t0) && parse_duration(s.substr(colon + 1), t1) && *t1 > *t0;
}

// A finite decimal number.
bool parse_number(std::string_view s, double* out) {
  std::string num(s);
  char* end = nullptr;
  *out = std::strtod(num.c_str(), &end);
  return !num.empty() && end == num.c_str() + num.size() && std::isfinite(*out);
}

// Parses argv (without the program name); returns 0 or the usage-error status.
int parse_diff_args(const std::vector<std::string_view>& args, DiffArgs* o) {
  std::vector<std::string_view> files;
  bool thread_own[2] = {false, false}, range_own[2] = {false, false};  // set by --thread-a/-b, --range-a/-b
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    std::string_view v;
    auto value = [&](std::string_view name) {
      if (a == name) {
        if (i + 1 >= args.size()) return false;
        v = args[++i];
        return true;
      }
      if (a.size() > name.size() && a.starts_with(name) && a[name.size()] == '=') {
        v = a.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    std::string bad;
    if (a == "--diff") continue;
    if (a == "--json") {
      o->json = true;
    } else if (a == "--loose-names") {
      o->loose = true;
    } else if (value("--top")) {
      double n = 0;
      const bool digits = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || !parse_number(v, &n)) bad = "--top wants a count (digits)";
      o->top = n > 1e15 ? 0 : size_t(n);  // more rows than any trace has: all of them
    } else if (value("--by")) {
      if (v == "name") o->by = DiffBy::Name;
      else if (v == "path") o->by = DiffBy::Path;
      else bad = "--by wants name or path";
    } else if (value("--fail-if-slower")) {
      o->gate = true;
      if (!parse_number(v, &o->pct) || o->pct < 0)
        bad = "--fail-if-slower wants a percentage of 0 or more (e.g. 10)";
    } else if (value("--min-time")) {
      if (!parse_duration(v, &o->min_time)) bad = "--min-time wants a duration (e.g. 1ms)";
    } else if (value("--thread") || value("--thread-a") || value("--thread-b")) {
      if (v.empty()) bad = std::string(a.substr(0, a.find('='))) + " wants a thread id, PID:TID or name";
      // A side's own option wins over the general one, in whatever order they come.
      const bool general = !a.starts_with("--thread-");
      for (int side = 0; side < 2; ++side) {
        if ((side == 0 && a.starts_with("--thread-b")) || (side == 1 && a.starts_with("--thread-a"))) continue;
        if (general && thread_own[side]) continue;
        o->thread[side] = v;
        thread_own[side] = thread_own[side] || !general;
      }
    } else if (value("--range") || value("--range-a") || value("--range-b")) {
      Time t0 = 0, t1 = 0;
      if (!parse_range_arg(v, &t0, &t1)) {
        bad = std::string(a.substr(0, a.find('='))) + " wants START:END relative to the trace start (e.g. 0:1.5ms)";
      }
      const bool general = !a.starts_with("--range-");
      for (int side = 0; side < 2; ++side) {
        if ((side == 0 && a.starts_with("--range-b")) || (side == 1 && a.starts_with("--range-a"))) continue;
        if (general && range_own[side]) continue;
        range_own[side] = range_own[side] || !general;
        o->has_range[side] = true;
        o->range_t0[side] = t0;
        o->range_t1[side] = t1;
      }
    } else if (a.starts_with("--")) {
      bad = "--diff: unknown or incomplete option '" + std::string(a) + "'";
    } else {
      files.push_back(a);
    }
    if (!bad.empty()) return usage_error(bad + (v.empty() ? "" : ", got '" + std::string(v) + "'"));
  }
  if (files.size() != 2) return usage_error("usage: vizviewer --diff A B [--top N] [--json] "
                                            "[--by name|path] [--loose-names] [--fail-if-slower PCT] [--min-time T] "
                                            "[--thread[-a|-b] T] [--range[-a|-b] START:END]");
  o->file_a = files[0];
  o->file_b = files[1];
  return 0;
}

// The thread a --thread value names: "PID:TID", a tid, or a thread name. Sets *error (listing
// the candidates) when none or several threads match.
uint32_t find_thread(const Trace& t, const std::string& want, std::string* error) {
  std::vector<uint32_t> hits;
  const size_t colon = want.find(':');
  for (uint32_t th : t.thread_order()) {
    const Thread& x = t.threads[th];
    const std::string_view pid = t.str(t.processes[x.process].pid), tid = t.str(x.tid), name = t.str(x.name);
    const bool by_pid_tid = colon != std::string::npos && want.substr(0, colon) == pid && want.substr(colon + 1) == tid;
    if (by_pid_tid || tid == want || (!name.empty() && name == want)) hits.push_back(th);
  }
  if (hits.size() == 1) return hits[0];
  std::string list;
  const std::vector<uint32_t>& show = hits.empty() ? t.thread_order() : hits;
  for (size_t i = 0; i < show.size() && i < 12; ++i) {
    const Thread& x = t.threads[show[i]];
    list += std::string(i ? ", " : "") + std::string(t.str(t.processes[x.process].pid)) + ":" +
            std::string(t.str(x.tid));
    if (x.name) list += " (" + std::string(t.str(x.name)) + ")";
  }
  if (show.size() > 12) list += ", ...";
  *error = (hits.empty() ? "no thread '" + want + "'; threads are: " : "'" + want + "' names several threads: ") +
           list + (hits.empty() ? "" : " (use PID:TID)");
  return kNone;
}

// A duration in the largest unit that keeps it >= 1 ("12.345 ms"); `sign` prefixes '+' to > 0.
std::string format_ns(Time ns, bool sign = false) {
  double v = double(ns), a = std::fabs(v);
  char buf[64];
  const char* plus = sign && ns > 0 ? "+" : "";
  if (a >= 1e9) std::snprintf(buf, sizeof buf, "%s%.3f s", plus, v / 1e9);
  else if (a >= 1e6) std::snprintf(buf, sizeof buf, "%s%.3f ms", plus, v / 1e6);
  else if (a >= 1e3) std::snprintf(buf, sizeof buf, "%s%.3f us", plus, v / 1e3);
  else std::snprintf(buf, sizeof buf, "%s%lld ns", plus, (long long)ns);
  return buf;
}

// A percentage with a sign ("+50.0%"), or "-" when there is none.
std::string format_pct(double pct) {
  if (std::isnan(pct)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", pct);
  return buf;
}

// Characters of UTF-8 text (bytes that do not continue a sequence): its width in the table.
size_t text_width(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

// `s` cut to its last `width` characters behind "..." (whole UTF-8 characters).
std::string keep_tail(const std::string& s, size_t width) {
  const size_t chars = text_width(s);
  if (chars <= width) return s;
  size_t cut = 0;
  for (size_t drop = chars - (width - 3); drop > 0; --drop) {
    ++cut;
    while (cut < s.size() && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) ++cut;
  }
  return "..." + s.substr(cut);
}

// The first characters of `s` that fit in `width` (3 of them "...").
std::string keep_head(const std::string& s, size_t width) {
  if (text_width(s) <= width) return s;
  size_t cut = 0;
  for (size_t chars = 0; cut < s.size() && chars < width - 3; ++chars) {
    ++cut;
    while (cut < s.size() && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) ++cut;
  }
  return s.substr(0, cut) + "...";
}

// The key as one line of at most kNameWidth characters: control bytes become spaces. A longer
// key keeps its last characters (a path's leaf) behind "...", except a viztracer name,
// "qualname (/path/file.py:line)", which keeps its qualname and cuts its location's start
// instead ("qualname (...file.py:line)"), or a qualname too long for that, its start. A path cut to
// its leaf by shown_key ("...;leaf") drops the "...;" when the leaf needs its room.
std::string table_name(const std::string& key) {
  std::string s = key.empty() ? "(unnamed)" : key;
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  if (text_width(s) <= kNameWidth) return s;
  if (s.starts_with("...;")) {
    s = s.substr(4);
    if (text_width(s) + 4 <= kNameWidth) return "...;" + s;
  }
  if (text_width(s) <= kNameWidth) return s;
  const size_t open = s.find(" (");
  if (open != std::string::npos && s.back() == ')' && s.find(';') == std::string::npos) {
    const std::string qual = s.substr(0, open + 2);
    const size_t qw = text_width(qual);
    if (qw + 8 <= kNameWidth) return qual + keep_tail(s.substr(open + 2), kNameWidth - qw);
    return keep_head(s, kNameWidth);  // the qualname alone is wider: its start
  }
  return keep_tail(s, kNameWidth);
}

// What table_name shows of a row's key: by path, the innermost frames (short_frame) that fill the
// name column behind "...;", the leaf always whole enough to name its function, so rows of one
// function under different callers tell apart; a table of deep paths costs the rows it shows.
std::string shown_key(const DiffResult& r, uint32_t row) {
  if (r.by == DiffBy::Name) return diff_key(r, row);
  std::string key;
  for (uint32_t at = row; at != kNone; at = r.rows[at].parent) {
    std::string frame;
    append_folded_frame(short_frame(r.rows[at].name), frame);
    if (at == row) {
      key = frame;
      continue;
    }
    const bool outermost = r.rows[at].parent == kNone;
    if (text_width(frame) + 1 + text_width(key) + (outermost ? 0 : 4) > kNameWidth) return "...;" + key;
    key = frame + ";" + key;
  }
  return key;
}

// Bytes of the keys of `rows` in the JSON report: by path each key is the row's whole path.
uint64_t json_key_bytes(const DiffResult& r, const std::vector<uint32_t>& rows) {
  if (r.by == DiffBy::Name) {
    uint64_t n = 0;
    for (uint32_t i : rows) n += r.rows[i].name.size();
    return n;
  }
  // Path lengths, parents first (a caller's row is one level shallower).
  std::vector<uint32_t> by_depth(r.rows.size());
  for (uint32_t i = 0; i < by_depth.size(); ++i) by_depth[i] = i;
  std::sort(by_depth.begin(), by_depth.end(), [&](uint32_t a, uint32_t b) { return r.rows[a].depth < r.rows[b].depth; });
  std::vector<uint64_t> len(r.rows.size(), 0);
  std::string frame;
  for (uint32_t i : by_depth) {
    frame.clear();
    append_folded_frame(r.rows[i].name, frame);
    len[i] = frame.size() + (r.rows[i].parent == kNone ? 0 : len[r.rows[i].parent] + 1);
  }
  uint64_t n = 0;
  for (uint32_t i : rows) n += len[i];
  return n;
}

// The rows shown: the top N by |delta total|.
std::vector<uint32_t> shown_rows(const DiffResult& r, size_t top) {
  std::vector<uint32_t> order = order_by_delta(r);
  if (top > 0 && order.size() > top) order.resize(top);
  return order;
}

// One side's scope in words: "every thread, whole trace", "thread 1:2 (main), 0 ns .. 1.500 ms".
std::string scope_text(const DiffArgs& o, int side) {
  std::string s = o.thread[side].empty() ? "every thread" : "thread " + o.thread[side];
  if (o.has_range[side]) s += ", " + format_ns(o.range_t0[side]) + " .. " + format_ns(o.range_t1[side]);
  else s += ", whole trace";
  return s;
}

// The text report: a header with both files and the traced times, then an aligned table.
void print_text(const DiffArgs& o, const DiffResult& r) {
  std::printf("diff by %s: A = %s, B = %s\n", o.by == DiffBy::Name ? "name" : "path",
              o.file_a.c_str(), o.file_b.c_str());
  if (!o.thread[0].empty() || !o.thread[1].empty() || o.has_range[0] || o.has_range[1])
    std::printf("scope: A %s; B %s\n", scope_text(o, 0).c_str(), scope_text(o, 1).c_str());
  std::printf("traced time: %s -> %s (%s, %s)\n", format_ns(r.total_a).c_str(),
              format_ns(r.total_b).c_str(), format_ns(r.delta_total, true).c_str(),
              format_pct(r.delta_pct).c_str());
  std::vector<uint32_t> rows = shown_rows(r, o.top);
  std::printf("%zu of %zu rows by |delta total|\n\n", rows.size(), r.rows.size());
  size_t w = 4;
  std::vector<std::string> names;
  for (uint32_t i : rows) {
    names.push_back(table_name(shown_key(r, i)));
    w = std::max(w, text_width(names.back()));
  }
  std::printf("%-*s %9s %9s %13s %13s %13s %8s %13s %13s  %s\n", int(w), "name", "count A",
              "count B", "total A", "total B", "delta total", "delta %", "self A", "self B", "status");
  for (size_t k = 0; k < rows.size(); ++k) {
    const DiffRow& d = r.rows[rows[k]];
    // (padded by characters, not bytes: printf's width counts bytes)
    const int pad = int(w + names[k].size() - text_width(names[k]));
    std::printf("%-*s %9llu %9llu %13s %13s %13s %8s %13s %13s  %s\n", pad, names[k].c_str(),
                (unsigned long long)d.a.count, (unsigned long long)d.b.count,
                format_ns(d.a.total).c_str(), format_ns(d.b.total).c_str(),
                format_ns(d.delta_total, true).c_str(), format_pct(d.delta_pct).c_str(),
                format_ns(d.a.self).c_str(), format_ns(d.b.self).c_str(),
                diff_status_name(d.status));
  }
}

// A JSON number, or null for NaN.
void append_pct(std::string& o, double pct) {
  if (std::isnan(pct)) {
    o += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", pct);
  o += buf;
}

// `,"key":{"count":..,"total_ns":..,"self_ns":..}`.
void append_sums(std::string& o, const char* key, const DiffSums& s) {
  o += std::string(",\"") + key + "\":{\"count\":" + std::to_string(s.count) +
       ",\"total_ns\":" + std::to_string(s.total) + ",\"self_ns\":" + std::to_string(s.self) + "}";
}

// The JSON report (README, `--diff`); `gate` is null without --fail-if-slower.
void print_json(const DiffArgs& o, const DiffResult& r, const DiffGate* gate, const std::string& incomparable) {
  std::string j = "{\"a\":";
  append_json_string(j, o.file_a);
  j += ",\"b\":";
  append_json_string(j, o.file_b);
  j += std::string(",\"by\":\"") + (o.by == DiffBy::Name ? "name" : "path") + "\"";
  for (int side = 0; side < 2; ++side) {
    j += side == 0 ? ",\"scope_a\":{\"thread\":" : ",\"scope_b\":{\"thread\":";
    if (o.thread[side].empty()) j += "null";
    else append_json_string(j, o.thread[side]);
    if (o.has_range[side]) {
      j += ",\"range_ns\":[" + std::to_string(o.range_t0[side]) + "," + std::to_string(o.range_t1[side]) + "]}";
    } else {
      j += ",\"range_ns\":null}";
    }
  }
  j += ",\"total_a_ns\":" + std::to_string(r.total_a) + ",\"total_b_ns\":" + std::to_string(r.total_b) +
       ",\"delta_total_ns\":" + std::to_string(r.delta_total) + ",\"delta_pct\":";
  append_pct(j, r.delta_pct);
  j += ",\"row_count\":" + std::to_string(r.rows.size()) + ",\"rows\":[";
  std::vector<uint32_t> rows = shown_rows(r, o.top);
  for (size_t k = 0; k < rows.size(); ++k) {
    const DiffRow& d = r.rows[rows[k]];
    j += k ? ",{\"key\":" : "{\"key\":";
    append_json_string(j, diff_key(r, rows[k]));
    j += ",\"name\":";
    append_json_string(j, d.name);
    j += ",\"depth\":" + std::to_string(d.depth) + ",\"status\":\"" + diff_status_name(d.status) + "\"";
    append_sums(j, "a", d.a);
    append_sums(j, "b", d.b);
    j += ",\"delta_total_ns\":" + std::to_string(d.delta_total) +
         ",\"delta_self_ns\":" + std::to_string(d.delta_self) + ",\"delta_pct\":";
    append_pct(j, d.delta_pct);
    j += "}";
  }
  j += "]";
  if (gate) {
    j += ",\"gate\":{\"threshold_pct\":";
    append_pct(j, o.pct);
    j += ",\"min_time_ns\":" + std::to_string(o.min_time) + ",\"total_tripped\":" +
         (gate->total_tripped ? "true" : "false") + ",\"tripped_rows\":[";
    for (size_t k = 0; k < gate->rows.size(); ++k) {
      if (k) j += ",";
      append_json_string(j, diff_key(r, gate->rows[k]));
    }
    j += "]";
    if (incomparable.empty()) {
      j += std::string(",\"comparable\":true,\"failed\":") + (gate->tripped() ? "true" : "false") + "}";
    } else {  // exit 1: neither passed nor failed
      j += ",\"comparable\":false,\"reason\":";
      append_json_string(j, incomparable);
      j += ",\"failed\":null}";
    }
  }
  j += "}\n";
  std::fwrite(j.data(), 1, j.size(), stdout);
}

// Names what tripped the gate on stderr.
void report_gate(const DiffArgs& o, const DiffResult& r, const DiffGate& g) {
  auto growth = [](Time a, double pct) { return a == 0 ? std::string("from 0") : format_pct(pct); };
  if (g.total_tripped)
    std::fprintf(stderr, "vizviewer: --fail-if-slower %g: traced time %s -> %s (%s)\n", o.pct,
                 format_ns(r.total_a).c_str(), format_ns(r.total_b).c_str(),
                 growth(r.total_a, r.delta_pct).c_str());
  for (uint32_t i : g.rows) {
    const DiffRow& d = r.rows[i];
    std::fprintf(stderr, "vizviewer: --fail-if-slower %g: %s %s -> %s (%s)\n", o.pct,
                 table_name(shown_key(r, i)).c_str(), format_ns(d.a.total).c_str(),
                 format_ns(d.b.total).c_str(), growth(d.a.total, d.delta_pct).c_str());
  }
}

}  // namespace

int run_diff(const std::vector<std::string_view>& args) {
  DiffArgs o;
  if (int rc = parse_diff_args(args, &o)) return rc;
  LoadResult lb;
  std::thread load_b([&] { lb = load_file(o.file_b); });  // the two loads overlap
  LoadResult la = load_file(o.file_a);
  load_b.join();
  report(o.file_a, la);
  report(o.file_b, lb);
  if (!la.ok || !lb.ok) return 1;
  DiffQuery q;
  q.by = o.by;
  q.loose = o.loose;
  const Trace* traces[2] = {la.trace.get(), lb.trace.get()};
  DiffSide* sides[2] = {&q.a, &q.b};
  for (int side = 0; side < 2; ++side) {
    const Trace& t = *traces[side];
    if (!o.thread[side].empty()) {
      std::string error;
      sides[side]->thread = find_thread(t, o.thread[side], &error);
      if (sides[side]->thread == kNone) {
        std::fprintf(stderr, "vizviewer: %s: %s\n", (side == 0 ? o.file_a : o.file_b).c_str(), error.c_str());
        return 1;
      }
    }
    if (o.has_range[side]) {
      sides[side]->t0 = t.start + o.range_t0[side];
      sides[side]->t1 = t.start + o.range_t1[side];
    }
  }
  DiffResult r = diff_traces(*la.trace, *lb.trace, q);
  DiffGate gate;
  if (o.gate) gate = diff_gate(r, o.pct, o.min_time);
  // A gate passes only on two whole runs that traced something: a candidate that crashed (cut
  // short: a .vzt without its end, a gzip stream or JSON text cut off) or recorded nothing would
  // otherwise read as "no slowdown". (A JSON array without its closing bracket is allowed by the
  // Trace Event Format, so that alone is not a cut.)
  std::string incomparable;
  for (int side = 0; o.gate && side < 2 && incomparable.empty(); ++side) {
    const std::string& file = side == 0 ? o.file_a : o.file_b;
    const Diagnostics& dg = traces[side]->diagnostics;
    if (dg.count(DiagKind::TruncatedInput))
      incomparable = file + " was cut short (see above): a partial run";
    else if ((side == 0 ? r.total_a : r.total_b) == 0)
      incomparable = file + " traced nothing in the compared scope";
  }
  if (o.json) {
    // Each key is a whole call path: deep paths make a report quadratic in their depth.
    std::vector<uint32_t> keyed = shown_rows(r, o.top);
    if (o.gate) keyed.insert(keyed.end(), gate.rows.begin(), gate.rows.end());
    if (const uint64_t bytes = json_key_bytes(r, keyed); bytes > kMaxJsonKeyBytes) {
      std::fprintf(stderr,
                   "vizviewer: --diff --json: the keys of %zu rows would take %.1f GB (each is a whole call "
                   "path); show fewer rows (--top N) or compare --by name\n",
                   keyed.size(), double(bytes) / 1e9);
      return 1;
    }
    print_json(o, r, o.gate ? &gate : nullptr, incomparable);
  } else {
    print_text(o, r);
  }
  if (!o.gate) return 0;
  if (!incomparable.empty()) {
    std::fprintf(stderr, "vizviewer: --fail-if-slower: %s; the gate needs two whole runs\n", incomparable.c_str());
    return 1;
  }
  report_gate(o, r, gate);
  return gate.tripped() ? 3 : 0;
}

}  // namespace vz
