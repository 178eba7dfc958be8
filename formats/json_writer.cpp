#include "formats/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <algorithm>
#include <condition_variable>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <unordered_map>

#include "formats/json_event.h"
#include "formats/numbers.h"
#include "formats/parallel.h"

namespace vz {
namespace {

constexpr size_t kFlushAt = 1 << 20;

bool is_integer_text(std::string_view s) {
  size_t i = s.size() && s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return false;
  if (s[i] == '0' && s.size() - i > 1) return false;  // "007" is no JSON number
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// True when `v` is exactly one valid JSON value (the reader validated JSON input already; bytes
// from a .vzt are checked here so that the output is always valid JSON).
// Whitespace around it is allowed (written trimmed).
bool valid_json(std::string_view v) {
  const char* err;
  const char* e = v.data() + v.size();
  const char* p = json::skip_ws(v.data(), e);
  const char* q = p < e ? json::skip_value(p, e, &err) : nullptr;
  return q && json::skip_ws(q, e) == e;
}

// A label's `,"name":..,"cat":..` and a thread's `,"pid":..,"tid":..`, escaped once: a trace
// repeats the same few thousand of them millions of times.
struct EscapedCache {
  std::vector<std::string> label;   // per label, built on first use
  std::vector<std::string> thread;  // per thread, built on first use
};

class Out {
 public:
  Out(const Trace& t, const JsonSink& sink) : t_(t), sink_(&sink), cache_(&own_cache_) {
    buf_.reserve(kFlushAt + 4096);
  }
  // A piece formatted on a worker thread into its own buffer (never flushed; the writer hands
  // it to the sink in order), reading the parent's caches, which must hold every label and
  // thread the piece writes (prepare()). Events start with ",": one came before them.
  struct PieceOf {
    Out& parent;
  };
  explicit Out(PieceOf p) : t_(p.parent.t_), sink_(nullptr), cache_(p.parent.cache_), first_(false) {}
  // Fills the caches for `label` and `thread` before pieces read them concurrently.
  void prepare(uint32_t label, uint32_t thread) {
    if (label != kNone) label_json(label);
    if (thread != kNone) thread_json(thread);
  }
  bool first() const { return first_; }
  void sink(const std::string& piece) {
    if (ok_ && !piece.empty()) ok_ = (*sink_)(piece);
  }

  bool ok() const { return ok_; }
  std::string& buf() { return buf_; }
  void raw(std::string_view s) { buf_.append(s); }
  void str(std::string_view s) { append_json_string(buf_, s); }
  void flush() {
    if (!sink_) return;
    if (ok_ && !buf_.empty()) ok_ = (*sink_)(buf_);
    buf_.clear();
  }
  void maybe_flush() {
    if (buf_.size() >= kFlushAt) flush();
  }

  // Starts an event object: {"ph":"X","name":...,"cat":...,"pid":...,"tid":...
  void begin(std::string_view ph, uint32_t label, uint32_t process, uint32_t thread) {
    buf_ += first_ ? "\n" : ",\n";
    first_ = false;
    buf_ += "{\"ph\":";
    str(ph);
    colored_ = label != kNone && label < t_.labels.size() && t_.labels[label].color;
    if (label != kNone) buf_ += label_json(label);
    if (thread != kNone) {
      buf_ += thread_json(thread);
    } else if (process != kNone) {
      buf_ += ",\"pid\":";
      id_value(t_.str(t_.processes[process].pid));
    }
  }
  void pid_as_tid(uint32_t process) {
    buf_ += ",\"tid\":";
    id_value(t_.str(t_.processes[process].pid));
  }
  // A piece (no sink) only reads the shared caches: one it finds empty (prepare() missed it)
  // is built in its own scratch string instead, never written where other pieces read.
  const std::string& label_json(uint32_t label) {
    std::vector<std::string>& cache = cache_->label;
    if (!sink_ && (label >= cache.size() || cache[label].empty())) return build_label(label, scratch_);
    if (cache.size() < t_.labels.size()) cache.resize(t_.labels.size());
    std::string& j = cache[label];
    if (j.empty()) build_label(label, j);
    return j;
  }
  std::string& build_label(uint32_t label, std::string& j) {
    const Label& l = t_.labels[label];
    j = ",\"name\":";
    append_json_string(j, t_.str(l.name));
    if (l.cat != kNoStr) {
      j += ",\"cat\":";
      append_json_string(j, t_.str(l.cat));
    }
    if (l.color) {
      j += ",\"cname\":";
      append_json_string(j, chrome_color_name(l.color));
    }
    return j;
  }
  const std::string& thread_json(uint32_t thread) {
    std::vector<std::string>& cache = cache_->thread;
    if (!sink_ && (thread >= cache.size() || cache[thread].empty())) {
      scratch_.clear();
      return build_thread(thread, scratch_);
    }
    if (cache.size() < t_.threads.size()) cache.resize(t_.threads.size());
    std::string& j = cache[thread];
    if (j.empty()) build_thread(thread, j);
    return j;
  }
  std::string& build_thread(uint32_t thread, std::string& j) {
    std::swap(j, buf_);  // id_value() appends to buf_
    buf_ += ",\"pid\":";
    id_value(t_.str(t_.processes[t_.threads[thread].process].pid));
    buf_ += ",\"tid\":";
    id_value(t_.str(t_.threads[thread].tid));
    std::swap(j, buf_);
    return j;
  }
  void ts(std::string_view key, Time ns) {
    buf_ += ",\"";
    buf_ += key;
    buf_ += "\":";
    append_us(buf_, t_.origin_us, ns);
  }
  void dur(Time ns) {
    buf_ += ",\"dur\":";
    append_us(buf_, 0, ns);
  }
  void member_raw(std::string_view key, ByteRange r) {
    if (r.empty()) return;
    std::string_view v = t_.view(r);
    if (v.empty()) return;
    buf_ += ",\"";
    buf_ += key;
    buf_ += "\":";
    value(v);
  }
  // A value kept as bytes: as strict JSON (Python's NaN as a string, no trailing comma, ...), or
  // as a string when the bytes are not JSON (a damaged .vzt).
  void value(std::string_view v) {
    if (!valid_json(v)) str(v);
    else json::append_strict_json(buf_, v);
  }
  void member_str(std::string_view key, std::string_view v) {
    buf_ += ",\"";
    buf_ += key;
    buf_ += "\":";
    str(v);
  }
  // Integral ids as numbers, anything else as a string.
  void id_value(std::string_view v) {
    if (is_integer_text(v)) buf_ += v;
    else str(v);
  }
  // id or id2 from canonical id text ("local:x" / "global:x" came from id2).
  void id(StrId id) {
    if (id == kNoStr) return;
    std::string_view v = t_.str(id);
    if (v.substr(0, 6) == "local:") {
      buf_ += ",\"id2\":{\"local\":";
      str(v.substr(6));
      buf_ += "}";
    } else if (v.substr(0, 7) == "global:") {
      buf_ += ",\"id2\":{\"global\":";
      str(v.substr(7));
      buf_ += "}";
    } else {
      member_str("id", v);
    }
  }
  // Copies the members of the raw event `r` that this writer does not emit itself.
  // A "cname" there gives way to the label's colour, written with the name.
  void extras(ByteRange r, std::initializer_list<std::string_view> written) {
    if (!r.empty()) json::append_members_except(buf_, t_.view(r), written, colored_ ? "cname" : "");
  }
  void end() { buf_ += "}"; }
  // A whole event kept verbatim (dropped if it is not a JSON object).
  void raw_event(std::string_view ev) {
    if (ev.empty() || ev[0] != '{' || !valid_json(ev)) return;
    buf_ += first_ ? "\n" : ",\n";
    first_ = false;
    json::append_strict_json(buf_, ev);
  }

 private:
  const Trace& t_;
  const JsonSink* sink_;
  EscapedCache own_cache_;
  EscapedCache* cache_;
  std::string scratch_;  // a piece's label / thread text missing from the caches
  std::string buf_;
  bool ok_ = true;
  bool first_ = true;
  bool colored_ = false;  // the event begun last has a label with a colour (its "cname")
};

using KeyList = std::initializer_list<std::string_view>;

// The scope of an async or object event, and the fields of its raw range the model does not name
// (an "id2" that was not its id among them).
void scope_and_extras(Out& o, const Trace& t, StrId id, StrId scope, ByteRange extra) {
  if (scope != kNoStr) o.member_str("scope", t.str(scope));
  o.extras(extra, json::id_event_keys(scope != kNoStr, json::id_text_is_id2(t.str(id))));
}

void write_metadata_events(Out& o, const Trace& t) {
  std::vector<std::vector<uint32_t>> threads_of(t.processes.size());  // in thread_order()
  for (uint32_t th : t.thread_order())
    if (t.threads[th].process < threads_of.size()) threads_of[t.threads[th].process].push_back(th);
  for (uint32_t p : t.process_order()) {
    const Process& pr = t.processes[p];
    // A process's own metadata carries its pid as tid too, as viztracer and Chrome write it, so
    // that every event has a tid for scripts that read them.
    auto meta = [&](std::string_view name, uint32_t thread) {
      o.begin("M", kNone, p, thread);
      if (thread == kNone) o.pid_as_tid(p);
      o.member_str("name", name);
    };
    if (pr.name != kNoStr) {
      meta("process_name", kNone);
      o.raw(",\"args\":{\"name\":");
      o.str(t.str(pr.name));
      o.raw("}}");
    }
    if (pr.labels != kNoStr) {
      meta("process_labels", kNone);
      o.raw(",\"args\":{\"labels\":");
      o.str(t.str(pr.labels));
      o.raw("}}");
    }
    if (pr.has_sort_index) {
      meta("process_sort_index", kNone);
      o.raw(",\"args\":{\"sort_index\":" + std::to_string(pr.sort_index) + "}}");
    }
    for (uint32_t th : threads_of[p]) {
      const Thread& tr = t.threads[th];
      if (tr.name != kNoStr) {
        meta("thread_name", th);
        o.raw(",\"args\":{\"name\":");
        o.str(t.str(tr.name));
        o.raw("}}");
      }
      if (tr.has_sort_index) {
        meta("thread_sort_index", th);
        o.raw(",\"args\":{\"sort_index\":" + std::to_string(tr.sort_index) + "}}");
      }
    }
  }
}

// One slice of a thread: which set (0 nested, 1 overflow), its depth or lane, and its index.
struct SliceRef {
  Time start, end;
  uint32_t set, depth, index;
  bool operator<(const SliceRef& o) const {
    if (start != o.start) return start < o.start;
    if (end != o.end) return end > o.end;  // outer first
    if (set != o.set) return set < o.set;
    if (depth != o.depth) return depth < o.depth;
    return index < o.index;  // zero-length siblings: keep their order
  }
};

// The thread's slices split by B/E-ness (out[0]: X, out[1]: from B/E), each in (start asc,
// end desc) order. A nested set walked in preorder (once for both) is in that order already but
// for ties among zero-length slices (checked: then it is sorted); overflow lanes are sorted and
// merged in.
void collect(const Thread& th, std::vector<SliceRef> out[2]) {
  auto kind = [](const SliceSet& s, uint32_t i) { return written_as_begin(s.flags[i]) ? 1 : 0; };
  auto depth_major = [&](uint32_t k, const SliceSet& s, std::vector<SliceRef>& v, int want) {
    for (uint32_t d = 0; d < s.depths(); ++d)
      for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i)
        if (kind(s, i) == want) v.push_back({s.start[i], s.start[i] + s.dur[i], k, d, i});
  };
  const SliceSet& nested = th.slices;
  bool walked = nested.walk_preorder([&](uint32_t i, uint32_t d) {
    out[kind(nested, i)].push_back({nested.start[i], nested.start[i] + nested.dur[i], 0, d, i});
    return true;
  });
  for (int k = 0; k < 2; ++k) {
    std::vector<SliceRef>& v = out[k];
    bool sorted = walked && std::is_sorted(v.begin(), v.end());
    if (!sorted) {
      v.clear();
      depth_major(0, nested, v, k);
    }
    size_t mid = v.size();
    depth_major(1, th.overflow, v, k);
    if (!sorted) {
      std::sort(v.begin(), v.end());
    } else if (mid < v.size()) {
      std::sort(v.begin() + ptrdiff_t(mid), v.end());
      std::inplace_merge(v.begin(), v.begin() + ptrdiff_t(mid), v.end());
    }
  }
}

void write_begin(Out& o, const SliceSet& s, uint32_t i, uint32_t thread, bool be) {
  o.begin(be ? "B" : "X", s.label[i], kNone, thread);
  o.ts("ts", s.start[i]);
  if (!be) o.dur(s.dur[i]);
  if (s.flags[i] & kSliceHasArgs) o.member_raw("args", s.args_of(i));
  if (s.flags[i] & kSliceHasExtra) {
    if (be) o.extras(s.extra_of(i), VZ_BEGIN_END_KEYS);
    else o.extras(s.extra_of(i), VZ_SLICE_KEYS);
  }
  o.end();
  o.maybe_flush();
}

// A thread's slice events in output order: its X slices, then its B/E slices as B and E events
// with its unmatched E events among them.
struct SliceStream {
  const Trace& t;
  uint32_t thread;
  const SliceSet* sets[2];
  std::vector<SliceRef> xs, bes;
  const std::vector<const OtherEvent*>& strays;
  enum Kind : uint8_t { kX, kB, kE, kStray };
  struct Item {
    Kind kind;
    uint32_t i;  // into xs (X), bes (B, E) or strays
  };
  std::vector<Item> items;

  void write(Out& o, const Item& it) const {
    switch (it.kind) {
      case kX:
        write_begin(o, *sets[xs[it.i].set], xs[it.i].index, thread, false);
        break;
      case kB:
        write_begin(o, *sets[bes[it.i].set], bes[it.i].index, thread, true);
        break;
      case kE: {
        o.begin("E", kNone, kNone, thread);
        o.ts("ts", bes[it.i].end);
        // A kept E event: its args and other fields as they were
        const SliceSet& s = *sets[bes[it.i].set];
        if (s.flags[bes[it.i].index] & kSliceEndEvent)
          o.extras(s.end_of(bes[it.i].index), {"ph", "pid", "tid", "ts"});  // (its own name and cat too)
        o.end();
        o.maybe_flush();
        break;
      }
      case kStray:
        o.raw_event(t.view(strays[it.i]->raw));
        o.maybe_flush();
        break;
    }
  }
  uint32_t label(const Item& it) const {
    if (it.kind == kX) return sets[xs[it.i].set]->label[xs[it.i].index];
    if (it.kind == kB) return sets[bes[it.i].set]->label[bes[it.i].index];
    return kNone;
  }
};

// Writes the stream's items. Big threads are formatted in pieces on all cores (each piece into
// its own buffer) and the pieces handed to the sink in order, by whichever worker finished the
// piece the sink waits for, while the others go on formatting: the same bytes as one thread
// writing them, with the sink's copying overlapping the formatting.
void write_items(Out& o, const SliceStream& st, unsigned workers) {
  // At most kPieces pieces of kPiece events are held at once (~16 MB of typical events).
  constexpr size_t kPiece = 16384, kParallelFrom = 2 * kPiece, kPieces = 8;
  const std::vector<SliceStream::Item>& items = st.items;
  size_t next = 0;
  if (workers > 1 && items.size() >= kParallelFrom) {
    for (const SliceStream::Item& it : items) o.prepare(st.label(it), st.thread);
    // The first event written decides the separator; after it every event starts with ",".
    while (o.first() && next < items.size()) st.write(o, items[next++]);
    o.flush();
    const size_t from = next, npieces = (items.size() - from + kPiece - 1) / kPiece;
    std::vector<std::unique_ptr<Out>> pieces;
    for (size_t k = 0; k < std::min<size_t>(kPieces, 2 * size_t(workers)); ++k)
      pieces.push_back(std::make_unique<Out>(Out::PieceOf{o}));
    const size_t nbuf = pieces.size();
    // Piece k is formatted into buffer k % nbuf once piece k - nbuf has been sunk.
    std::mutex mu;
    std::condition_variable freed;      // `sunk` went up, or `stop`
    std::vector<uint8_t> done(npieces, 0);  // formatted, not sunk yet
    size_t sunk = 0;                    // pieces handed to the sink
    bool sinking = false, stop = false;  // a worker is handing pieces over; give up
    parallel_for(npieces, workers, [&](size_t k) {
      try {
        {
          std::unique_lock<std::mutex> lk(mu);
          freed.wait(lk, [&] { return stop || k < sunk + nbuf; });
          if (stop) return;
        }
        Out& p = *pieces[k % nbuf];
        p.buf().clear();
        for (size_t j = from + k * kPiece, e = std::min(items.size(), j + kPiece); j < e; ++j)
          st.write(p, items[j]);
        std::unique_lock<std::mutex> lk(mu);
        done[k] = 1;
        if (sinking) return;  // that worker hands this piece over too, once it is next
        sinking = true;
        while (!stop && sunk < npieces && done[sunk]) {
          const std::string& piece = pieces[sunk % nbuf]->buf();
          lk.unlock();  // the others format (and mark pieces done) meanwhile
          o.sink(piece);
          lk.lock();
          ++sunk;
          if (!o.ok()) stop = true;  // (never back to false: a worker's failure set it too)
          freed.notify_all();
        }
        sinking = false;
      } catch (...) {
        std::lock_guard<std::mutex> lk(mu);
        stop = true;
        freed.notify_all();
        throw;
      }
    });
    return;
  }
  for (; next < items.size(); ++next) st.write(o, items[next]);
}

// X slices, then the slices that came from B/E as B and E events, so event counts survive a round
// trip. The B/E stream is written in nesting order (a B, its children, its E) with the
// unmatched E events of the thread at their timestamps: the reader pairs each E with the most
// recent open B in (ts, file order), so it rebuilds exactly these slices.
void write_thread_slices(Out& o, const Trace& t, uint32_t th, std::vector<const OtherEvent*>& strays,
                         unsigned workers) {
  const Thread& thread = t.threads[th];
  std::stable_sort(strays.begin(), strays.end(),
                   [](const OtherEvent* a, const OtherEvent* b) { return a->ts < b->ts; });
  SliceStream st{t, th, {&thread.slices, &thread.overflow}, {}, {}, strays, {}};
  std::vector<SliceRef> refs[2];
  collect(thread, refs);
  st.xs = std::move(refs[0]);
  st.bes = std::move(refs[1]);
  using Item = SliceStream::Item;
  st.items.reserve(st.xs.size() + 2 * st.bes.size() + strays.size());
  for (uint32_t i = 0; i < st.xs.size(); ++i) st.items.push_back(Item{SliceStream::kX, i});
  size_t next_stray = 0;
  std::vector<uint32_t> stack;  // open B items (into bes)
  constexpr Time kNever = std::numeric_limits<Time>::max();
  // Emits, in time order, the E events due at or before `limit` (closing E first on a tie).
  auto flush_until = [&](Time limit) {
    for (;;) {
      bool can_pop = !stack.empty() && st.bes[stack.back()].end <= limit;
      bool can_stray = next_stray < strays.size() && strays[next_stray]->ts <= limit;
      if (!can_pop && !can_stray) return;
      if (can_pop && (!can_stray || st.bes[stack.back()].end <= strays[next_stray]->ts)) {
        uint32_t i = stack.back();
        stack.pop_back();
        const SliceRef& r = st.bes[i];
        if (st.sets[r.set]->flags[r.index] & kSliceOpen) continue;  // never closed: no E
        st.items.push_back(Item{SliceStream::kE, i});
      } else {
        st.items.push_back(Item{SliceStream::kStray, uint32_t(next_stray++)});
      }
    }
  };
  for (uint32_t i = 0; i < st.bes.size(); ++i) {
    flush_until(st.bes[i].start);
    st.items.push_back(Item{SliceStream::kB, i});
    stack.push_back(i);
  }
  flush_until(kNever);
  write_items(o, st, workers);
}

void write_instant(Out& o, const Instant& in) {
  char ph[2] = {in.phase, 0};
  o.begin(ph, in.label, kNone, in.thread);
  o.ts("ts", in.ts);
  o.raw(in.scope == Scope::Global ? ",\"s\":\"g\"" : in.scope == Scope::Process ? ",\"s\":\"p\"" : ",\"s\":\"t\"");
  o.member_raw("args", in.args);
  o.extras(in.extra, VZ_INSTANT_KEYS);
  o.end();
  o.maybe_flush();
}

void write_counters(Out& o, const Trace& t) {
  char num[64];
  std::vector<uint32_t> order(t.counters.size());
  std::vector<std::string> names(t.counters.size());  // (made once, not per comparison)
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i, names[i] = counter_name(t, t.counters[i]);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    std::string_view px = t.str(t.processes[t.counters[a].process].pid);
    std::string_view py = t.str(t.processes[t.counters[b].process].pid);
    if (px != py) return id_less(px, py);
    return names[a] < names[b];
  });
  for (uint32_t ci : order) {
    const Counter& c = t.counters[ci];
    auto extra = c.extras.begin();  // the next sample with other fields
    // A series with no number at all (every value NaN or null) is written as null in the first
    // sample, so that it is still there when read back (asked only of a series without a value
    // in the first sample).
    auto no_number = [](const CounterSeries& s) {
      return std::all_of(s.values.begin(), s.values.end(), [](double v) { return std::isnan(v); });
    };
    for (size_t i = 0; i < c.ts.size(); ++i) {
      o.begin("C", kNone, c.process, c.tid_of_sample[i]);
      o.member_str("name", t.str(c.name));
      o.id(c.id);
      if (c.cat != kNoStr) o.member_str("cat", t.str(c.cat));
      o.ts("ts", c.ts[i]);
      o.raw(",\"args\":{");
      bool first = true;
      for (const CounterSeries& s : c.series) {
        double v = s.values[i];
        if (std::isnan(v) && !(i == 0 && no_number(s))) continue;
        if (!first) o.raw(",");
        first = false;
        o.str(t.str(s.key));
        o.raw(":");
        if (std::isnan(v)) {
          o.raw("null");
          continue;
        }
        if (std::isinf(v)) {
          o.raw(v > 0 ? "1e999" : "-1e999");
          continue;
        }
        auto r = std::to_chars(num, num + sizeof num, v);
        o.raw(std::string_view(num, size_t(r.ptr - num)));
      }
      o.raw("}");
      // Its other fields as they were (a tid only where the model has one: a counter read from
      // JSON is its process's).
      if (extra != c.extras.end() && extra->index == i)
        o.extras((extra++)->range, json::id_event_keys(false, json::id_text_is_id2(t.str(c.id))));
      o.end();
      o.maybe_flush();
    }
  }
}

// An async end kept as it is: no begin was open for it when it came, or it has no valid time
// (then it pairs with nothing, and goes with the other events kept as they are).
bool kept_async_end(const Trace& t, const OtherEvent& ev) {
  const std::string_view ph = t.str(ev.phase);
  return ev.thread == kNone && (ph == "e" || ph == "F");
}

// Whether a kept event has a valid "ts", and its process, from its "pid" as the reader reads one
// (kNone: none of the trace's).
bool timed_raw(std::string_view raw, const std::unordered_map<std::string, uint32_t>& by_pid, uint32_t* process) {
  json::Tok obj, ts, pid;
  const char* err = nullptr;
  Time t = 0;
  if (!json::parse_value(raw.data(), raw.data() + raw.size(), &obj, &err) || obj.kind != '{' ||
      !json::find_member(obj, "ts", &ts) || (ts.kind != 'n' && ts.kind != 's') ||
      parse_us(ts.sv(), 0, &t) == NumStatus::NotNumber)
    return false;
  *process = kNone;
  if (json::find_member(obj, "pid", &pid) && (pid.kind == 'n' || pid.kind == 's')) {
    std::string text;
    if (!canonical_number(pid.sv(), text)) text = std::string(pid.sv());
    auto it = by_pid.find(text);
    if (it != by_pid.end()) *process = it->second;
  }
  return true;
}

// Kept async ends with a valid time go among their process's slices in time order, each before
// the first slice that begins at or after it: read again, it finds no begin open for it, and an
// end at its time that closed a slice still comes first (pairing takes events of equal times in
// file order). Per process (the last entry: none of the trace's), in time order; `placed` marks
// them among Trace::others, which write_rest() leaves to write_async().
struct AsyncStrays {
  std::vector<std::vector<const OtherEvent*>> by_process;
  std::vector<uint8_t> placed;
};

AsyncStrays place_async_strays(const Trace& t) {
  AsyncStrays s;
  s.by_process.resize(t.processes.size() + 1);
  s.placed.assign(t.others.size(), 0);
  std::unordered_map<std::string, uint32_t> by_pid;
  for (uint32_t p = 0; p < t.processes.size(); ++p) by_pid.emplace(std::string(t.str(t.processes[p].pid)), p);
  for (size_t i = 0; i < t.others.size(); ++i) {
    const OtherEvent& ev = t.others[i];
    uint32_t p = kNone;
    if (!kept_async_end(t, ev) || !timed_raw(t.view(ev.raw), by_pid, &p)) continue;
    s.by_process[p == kNone ? t.processes.size() : p].push_back(&ev);
    s.placed[i] = 1;
  }
  for (auto& v : s.by_process)
    std::stable_sort(v.begin(), v.end(), [](const OtherEvent* a, const OtherEvent* b) { return a->ts < b->ts; });
  return s;
}

void write_async(Out& o, const Trace& t, const AsyncStrays& placed) {
  const std::vector<std::vector<const OtherEvent*>>& strays = placed.by_process;
  std::vector<size_t> stray_at(strays.size(), 0);
  auto strays_until = [&](size_t p, Time ts) {  // (ts: the next slice's start, or past every one)
    for (size_t& k = stray_at[p]; k < strays[p].size() && strays[p][k]->ts <= ts; ++k) {
      o.raw_event(t.view(strays[p][k]->raw));
      o.maybe_flush();
    }
  };
  std::vector<uint32_t> rank(t.processes.size());
  std::vector<uint32_t> procs = t.process_order();
  for (uint32_t i = 0; i < procs.size(); ++i) rank[procs[i]] = i;
  std::vector<const AsyncSlice*> order;
  for (const AsyncSlice& a : t.async_slices) order.push_back(&a);
  std::stable_sort(order.begin(), order.end(), [&](const AsyncSlice* a, const AsyncSlice* b) {
    if (a->process != b->process) return rank[a->process] < rank[b->process];
    return a->start < b->start;
  });
  for (size_t i = 0; i < order.size(); ++i) {
    const AsyncSlice& a = *order[i];
    if (i > 0 && order[i - 1]->process != a.process) strays_until(order[i - 1]->process, kMaxAbsTime);
    strays_until(a.process, a.start);
    char b[2] = {a.phase, 0};
    o.begin(b, a.label, a.process, a.thread);
    o.id(a.id);
    o.ts("ts", a.start);
    o.member_raw("args", a.args);
    scope_and_extras(o, t, a.id, a.scope, a.extra);
    o.end();
    if (!(a.flags & kSliceOpen)) {
      char e[2] = {a.phase == 'S' ? 'F' : 'e', 0};
      if (a.end_thread < t.threads.size()) o.begin(e, a.label, t.threads[a.end_thread].process, a.end_thread);
      else o.begin(e, a.label, a.process, a.thread);
      o.id(a.id);
      o.ts("ts", a.start + a.dur);
      o.member_raw("args", a.end_args);
      scope_and_extras(o, t, a.id, a.scope, a.end_extra);
      o.end();
    }
    o.maybe_flush();
  }
  for (uint32_t p : procs) strays_until(p, kMaxAbsTime);  // (after each process's last slice)
  strays_until(t.processes.size(), kMaxAbsTime);
  for (const AsyncMark& m : t.async_marks) {
    char ph[2] = {m.phase, 0};
    o.begin(ph, m.label, m.process, m.thread);
    o.id(m.id);
    o.ts("ts", m.ts);
    o.member_raw("args", m.args);
    scope_and_extras(o, t, m.id, m.scope, m.extra);
    o.end();
    o.maybe_flush();
  }
}

void write_rest(Out& o, const Trace& t, const std::vector<uint8_t>& placed_strays) {
  for (const FlowEvent& f : t.flows) {
    if (f.phase == 'X') continue;  // bind_id on a slice: its extra fields carry it
    char ph[2] = {f.phase, 0};
    o.begin(ph, f.label, kNone, f.thread);
    o.id(f.id);
    o.ts("ts", f.ts);
    if (f.bind_enclosing) o.raw(",\"bp\":\"e\"");
    o.member_raw("args", f.args);
    o.extras(f.extra, json::id_event_keys(false, json::id_text_is_id2(t.str(f.id)), true));
    o.end();
    o.maybe_flush();
  }
  for (const ObjectEvent& ob : t.objects) {
    char ph[2] = {ob.phase, 0};
    o.begin(ph, ob.label, ob.process, ob.thread);
    o.id(ob.id);
    o.ts("ts", ob.ts);
    o.member_raw("args", ob.args);
    scope_and_extras(o, t, ob.id, ob.scope, ob.extra);
    o.end();
    o.maybe_flush();
  }
  for (size_t i = 0; i < t.others.size(); ++i) {
    const OtherEvent& ev = t.others[i];
    std::string_view raw = t.view(ev.raw);
    if (raw.empty() || (ev.thread != kNone && t.str(ev.phase) == "E") || placed_strays[i]) continue;
    o.raw_event(raw);
    o.maybe_flush();
  }
}

}  // namespace

bool write_json(const Trace& t, const JsonSink& sink, unsigned workers) {
  if (workers == 0) workers = default_workers();
  Out o(t, sink);
  o.raw("{\"traceEvents\":[");
  write_metadata_events(o, t);
  // Unmatched E events are written within their thread's B/E stream, not with the others.
  std::vector<std::vector<const OtherEvent*>> strays(t.threads.size());
  for (const OtherEvent& ev : t.others)
    if (ev.thread != kNone && t.str(ev.phase) == "E") strays[ev.thread].push_back(&ev);
  for (uint32_t th : t.thread_order()) {
    write_thread_slices(o, t, th, strays[th], workers);
    for (const Instant& in : t.threads[th].instants) write_instant(o, in);
  }
  for (const Instant& in : t.process_instants) write_instant(o, in);
  for (const Instant& in : t.global_instants) write_instant(o, in);
  write_counters(o, t);
  const AsyncStrays async_strays = place_async_strays(t);
  write_async(o, t, async_strays);
  write_rest(o, t, async_strays.placed);
  o.raw("\n]");
  for (const MetadataEntry& m : t.metadata) {
    std::string_view v = t.view(m.value);
    if (v.empty() || t.str(m.key) == "traceEvents") continue;  // (the key of the events above)
    o.raw(",\n");
    o.str(t.str(m.key));
    o.raw(":");
    o.value(v);
    o.maybe_flush();
  }
  o.raw("}\n");
  o.flush();
  return o.ok();
}

}  // namespace vz
