// Streaming mode: a background thread drains every thread's ring into the output .vzt while the
// program runs (VztStreamWriter::open_streaming: one write per section, no temporary file), so
// long runs lose nothing, memory stays flat (the rings plus one batch per thread), and a program
// that is killed leaves a file that loads up to its last whole section.
//
// Each wake-up, per thread: the records between the flusher's read position and the writer's
// published position are decoded (the decoder keeps open begins across wake-ups) and the read
// position moves up, which gives the writer its room back. A thread's decoded events are written
// as sections once there are enough of them, or when they have waited long enough:
// - slices that ended while an ancestor is still open are complete subtrees; they are written in
//   groups of equal root depth, each as a Slices block with that depth as its depth offset;
// - complete() events (depth unknown while their parents run) go to an Overflow block, which
//   readers lay out from the times;
// - instants, counter samples and flows go to their own sections.
// Strings, labels (label i = name i) and the thread table are written before the first section
// that refers to them.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "formats/builder.h"
#include "formats/numbers.h"
#include "formats/vzt_writer.h"
#include "recorder/internal.h"
#include "recorder/save_internal.h"

namespace vz::rec::internal {

namespace {

constexpr size_t kFlushEvents = 1 << 16;                  // a thread's batch this big is written
constexpr auto kFlushAge = std::chrono::milliseconds(200);  // ... or once it is this old
constexpr auto kWake = std::chrono::milliseconds(2);        // the flusher's polling period

}  // namespace

class Streamer {
 public:
  Streamer(const std::string& path, const ClockCal& clock, int64_t origin_us, int64_t min_dur,
           const std::string& category)
      : path_(path), clock_(clock), origin_ns_(origin_us * 1000), origin_us_(origin_us),
        min_dur_(min_dur), category_(category) {}
  ~Streamer() { stop_and_join(); }

  bool open(std::string* error) {
    VztWriteOptions opt;
    opt.level = kSaveZstdLevel;
    if (!w_.open_streaming(path_, opt, error)) return false;
    VztInfo info;
    info.origin_us = origin_us_;
    info.display_time_unit = "ns";
    if (!w_.write_info(info)) {
      if (error) *error = w_.error();
      return false;
    }
    // The thread waits for attach() before it touches the registry: a streamer dropped before
    // (start() failed after opening it, holding the registry's mutex) is joined at once.
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::exception&) {
      if (error) *error = "cannot start the streaming thread";
      return false;
    }
    return true;
  }
  // The session is this streamer's: its thread starts draining the rings.
  void attach() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      attached_ = true;
    }
    cv_.notify_all();
  }

  // Asks the thread to drain everything and finish the file; waits for it.
  void stop_and_join() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // A writer waits for room: run a pass now.
  void wake() { cv_.notify_all(); }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  uint64_t events() const { return events_; }
  const std::string& path() const { return path_; }

 private:
  struct PerThread {
    ThreadBuffer* buf = nullptr;   // null once its ring is freed (the thread exited, all drained)
    pid_t pid = 0;
    int64_t tid = 0;
    std::unique_ptr<Decoder> dec;
    Batch batch;
    uint32_t file_thread = kNone;  // index in the file's thread table
    std::chrono::steady_clock::time_point since;  // oldest unwritten event
    std::string name;          // as last read from the registry
    std::string name_written;  // as last written to the thread table
    std::pair<uint64_t, uint64_t> unmatched_written{0, 0};  // (open begins, orphan ends) written
  };
  static std::pair<uint64_t, uint64_t> unmatched(const PerThread& pt) {
    return {pt.batch.open_begins, pt.batch.orphan_ends};
  }

  void run() {
    try {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return attached_ || stop_; });
      if (!attached_) return;  // dropped before its session began: nothing of the registry is its
      while (!stop_) {
        cv_.wait_for(lock, kWake);
        if (stop_) break;
        lock.unlock();
        pass(false);
        lock.lock();
      }
      lock.unlock();
      pass(true);
      finish();
    } catch (...) {  // out of memory: the file keeps its whole sections; writers stop waiting
      ok_ = false;
      if (error_.empty()) error_ = "out of memory while streaming";
      registry().streaming.store(false, std::memory_order_release);
    }
  }

  // One wake-up: drain every ring; write batches that are big or old (all of them when final).
  void pass(bool final) {
    std::vector<std::pair<ThreadBuffer*, std::string>> bufs;
    {
      Registry& r = registry();
      std::lock_guard<std::mutex> lock(r.mu);
      for (auto& t : r.threads) bufs.push_back({t.get(), t->name});
    }
    auto now = std::chrono::steady_clock::now();
    std::vector<ThreadBuffer*> done;  // exited and drained: their rings go
    for (auto& [buf, name] : bufs) {
      PerThread& pt = state(buf);
      pt.name = name;
      // Read before draining: once the thread has exited, what drain() reads is all it wrote.
      const bool exited = buf->exited.load(std::memory_order_acquire);
      drain(pt);
      bool old = pt.batch.events() > 0 && now - pt.since >= kFlushAge;
      if (final || exited || pt.batch.events() >= kFlushEvents || old) write_batch(pt);
      if (exited) done.push_back(buf);
    }
    free_rings(done);
    if (final) {
      for (auto* list : {&threads_, &exited_open_})
        for (auto& pt : *list) {
          if (pt.dec->open_depth() == 0) continue;
          pt.dec->close_open(last_ts_, pt.batch);
          write_batch(pt);
        }
      for (auto* list : {&threads_, &exited_open_})  // final unmatched counts
        for (auto& pt : *list)
          if (pt.file_thread != kNone) write_thread(pt);
    }
  }

  PerThread& state(ThreadBuffer* buf) {
    for (auto& pt : threads_)
      if (pt.buf == buf) return pt;
    threads_.emplace_back();
    PerThread& pt = threads_.back();
    pt.buf = buf;
    pt.pid = buf->pid;
    pt.tid = buf->tid;
    pt.dec = std::make_unique<Decoder>(clock_, origin_ns_, min_dur_);
    return pt;
  }

  // Threads that have exited and whose records are all in the file: their rings are freed now,
  // not at the next start(), so a program that runs a short-lived thread per task keeps flat
  // memory. The file's thread table already has them, with their unmatched counts; a thread that
  // left calls open keeps only its decoder's stack of them (in exited_open_), closed at the end.
  void free_rings(const std::vector<ThreadBuffer*>& done) {
    if (done.empty()) return;
    for (ThreadBuffer* buf : done) {
      PerThread& pt = state(buf);
      if (pt.file_thread != kNone && pt.unmatched_written != unmatched(pt)) write_thread(pt);
      pt.buf = nullptr;  // (a new thread's buffer may get this address)
      if (pt.dec->open_depth() > 0) {
        Batch empty;  // (the written batch's vectors keep their capacity)
        empty.open_begins = pt.batch.open_begins;
        empty.orphan_ends = pt.batch.orphan_ends;
        pt.batch = std::move(empty);
        pt.dec->trim();
        exited_open_.push_back(std::move(pt));
      }
    }
    threads_.erase(std::remove_if(threads_.begin(), threads_.end(), [](const PerThread& pt) { return pt.buf == nullptr; }),
                   threads_.end());
    std::vector<std::unique_ptr<ThreadBuffer>> gone;
    {
      Registry& r = registry();
      std::lock_guard<std::mutex> lock(r.mu);
      std::vector<std::unique_ptr<ThreadBuffer>> live;
      for (auto& t : r.threads) {
        // (exited: a start() racing with a stop() in progress cannot make this pass free a
        // live thread's buffer that took a freed one's address)
        if (t->exited.load(std::memory_order_acquire) && std::find(done.begin(), done.end(), t.get()) != done.end()) {
          const uint64_t written = snapshot(*t).written;
          r.freed_records += written;
          r.freed_threads += written > 0;  // (Stats::threads: threads that recorded)
          gone.push_back(std::move(t));
        } else {
          t->index = uint32_t(live.size());
          live.push_back(std::move(t));
        }
      }
      r.threads = std::move(live);
    }
  }

  // Decodes the records the writer has published since last time and gives their room back.
  void drain(PerThread& pt) {
    ThreadBuffer& t = *pt.buf;
    Record* rd = t.read.load(std::memory_order_acquire);
    Record* p = published_pos(t);
    if (rd == p) return;
    size_t before = pt.batch.events();
    if (p > rd) {
      pt.dec->feed(rd, size_t(p - rd), pt.batch);
    } else {
      pt.dec->feed(rd, size_t(t.end - rd), pt.batch);
      pt.dec->feed(t.begin, size_t(p - t.begin), pt.batch);
    }
    t.read.store(p, std::memory_order_release);
    if (before == 0 && pt.batch.events() > 0) pt.since = std::chrono::steady_clock::now();
    last_ts_ = std::max(last_ts_, pt.batch.last_ts);
  }

  // Writes strings and labels interned since last time (label i = {name i, Config::category}).
  void sync_names() {
    if (!category_.empty() && cat_ == kNoStr) cat_ = intern(category_);
    if (names_count() == strings_written_) return;
    NamesView nv;
    names_snapshot(nv);
    size_t n = nv.strings.size();
    if (n <= strings_written_) return;
    w_.write_strings(StrId(strings_written_), nv.strings.data() + strings_written_,
                     n - strings_written_);
    std::vector<Label> labels;
    for (size_t i = labels_written_; i < n; ++i) labels.push_back(Label{StrId(i), cat_});
    w_.write_labels(uint32_t(labels_written_), labels.data(), labels.size());
    strings_written_ = labels_written_ = n;
    sites_ = std::move(nv.sites);
  }

  // The process (table entry 0), again whenever its name changed since it was written.
  void write_process(pid_t pid) {
    std::string pname;
    {
      Registry& r = registry();
      std::lock_guard<std::mutex> lock(r.mu);
      pname = r.process_name;
    }
    if (process_written_ && pname == process_name_written_) return;
    Process p;
    p.pid = intern(std::to_string(pid));
    if (!pname.empty()) p.name = intern(pname);
    sync_names();
    w_.write_processes(0, &p, 1);
    process_written_ = true;
    process_name_written_ = pname;
  }

  void write_thread(PerThread& pt) {
    if (!process_written_) write_process(pt.pid);
    Thread th;
    th.process = 0;
    th.tid = intern(std::to_string(pt.tid));
    if (!pt.name.empty()) th.name = intern(pt.name);
    th.unmatched_begin = pt.batch.open_begins;
    th.unmatched_end = pt.batch.orphan_ends;
    pt.unmatched_written = unmatched(pt);
    sync_names();
    if (pt.file_thread == kNone) pt.file_thread = threads_written_++;
    w_.write_threads(pt.file_thread, &th, 1);
  }

  void write_batch(PerThread& pt) {
    Batch& b = pt.batch;
    b.orphan_ts.clear();  // a streamed file keeps their count (the thread table) only
    if (b.events() == 0) return;
    std::vector<NameId> flow_ids;
    for (const DecodedFlow& f : b.flows) flow_ids.push_back(intern(std::to_string(f.id)));
    if (pt.file_thread == kNone || pt.name_written != pt.name) {
      write_thread(pt);
      pt.name_written = pt.name;
    }
    sync_names();
    sanitize_names(b);
    uint32_t th = pt.file_thread;
    std::string_view src(b.args);
    write_slices(th, b);
    std::vector<Instant> ins;
    for (const DecodedInstant& in : b.instants) {
      Instant x;
      x.ts = in.ts;
      x.label = in.name;
      x.thread = th;
      x.scope = vz::Scope(in.scope);
      if (in.args_len) x.args = ByteRange{in.args_off, in.args_len};
      ins.push_back(x);
    }
    w_.write_instants(ins.data(), ins.size(), src);
    write_counters(th, b);
    std::vector<FlowEvent> fl;
    for (size_t i = 0; i < b.flows.size(); ++i) {
      const DecodedFlow& f = b.flows[i];
      FlowEvent x;
      x.ts = f.ts;
      x.label = f.name;
      x.thread = th;
      x.id = flow_ids[i];
      x.phase = f.phase;
      x.bind_enclosing = f.phase == 'f';
      fl.push_back(x);
    }
    w_.write_flows(fl.data(), fl.size(), src);
    events_ += b.events();
    registry().streamed_records.store(events_, std::memory_order_relaxed);
    uint64_t open = b.open_begins, orphans = b.orphan_ends;
    b.clear();
    b.open_begins = open, b.orphan_ends = orphans;  // cumulative: the thread table shows them
  }

  // Name ids the file has no string for (a bogus id from the C API) become id 0, "", as at
  // save(): the file never points past its string table.
  void sanitize_names(Batch& b) const {
    auto fix = [&](uint32_t& id) {
      if (id >= strings_written_) id = 0;
    };
    for (DecodedSlice& x : b.slices) fix(x.name);
    for (DecodedInstant& x : b.instants) fix(x.name);
    for (DecodedCounter& x : b.counters) fix(x.name);
    for (auto& kv : b.values) fix(kv.first);
    for (DecodedFlow& x : b.flows) fix(x.name);
  }

  // B/E slices in groups of complete subtrees of equal root depth; complete() events as an
  // overflow block.
  void write_slices(uint32_t th, Batch& b) {
    std::vector<DecodedSlice> be, cx;
    for (const DecodedSlice& s : b.slices) ((s.flags & kDecComplete) ? cx : be).push_back(s);
    for (const DecodedSlice& s : b.slices) {
      if (s.name >= used_.size()) used_.resize(size_t(s.name) + 1, 0);
      used_[s.name] = 1;
    }
    // A slice is a root (its parent is still open) when every later slice is at least as deep.
    size_t n = be.size();
    std::vector<uint8_t> root(n, 0);
    uint32_t min_later = UINT32_MAX;
    for (size_t i = n; i-- > 0;) {
      root[i] = be[i].depth < min_later;
      min_later = std::min(min_later, be[i].depth);
    }
    size_t from = 0;
    while (from < n) {
      // The group ends at the last root with the depth of the next root.
      size_t k = from;
      while (!root[k]) ++k;
      uint32_t d = be[k].depth;
      size_t to = k + 1;
      for (size_t j = k + 1; j < n; ++j)
        if (root[j]) {
          if (be[j].depth != d) break;
          to = j + 1;
        }
      std::vector<DecodedSlice> g(be.begin() + from, be.begin() + to);
      for (DecodedSlice& s : g) s.depth -= d;
      SliceSet set;
      if (build_slice_set(g.data(), g.size(), nullptr, set)) {
        w_.write_slices(th, vzt::SliceSetKind::Nested, set, {}, d);
      } else {
        cx.insert(cx.end(), g.begin(), g.end());
      }
      from = to;
    }
    if (!cx.empty()) {
      SliceSet o;
      o.nested = false;
      o.depth_begin = {0, uint32_t(cx.size())};
      for (const DecodedSlice& s : cx) {
        o.start.push_back(s.start);
        o.dur.push_back(s.dur);
        o.label.push_back(s.name);
        o.flags.push_back(slice_flags(s.flags));
      }
      w_.write_slices(th, vzt::SliceSetKind::Overflow, o, {});
    }
  }

  // Counter samples grouped by name; a series per key (NaN where a sample lacks the key), or,
  // where that would cost far more than the samples (keys that rarely meet), one counter per key.
  void write_counters(uint32_t th, const Batch& b) {
    struct Group {
      std::vector<uint32_t> samples;                   // indexes into b.counters
      std::unordered_map<uint32_t, uint32_t> series;   // key -> series
      uint64_t values = 0;
    };
    std::map<uint32_t, Group> by_name;
    for (uint32_t i = 0; i < b.counters.size(); ++i) {
      const DecodedCounter& c = b.counters[i];
      Group& g = by_name[c.name];
      g.samples.push_back(i);
      g.values += c.n;
      for (uint32_t k = 0; k < c.n; ++k) g.series.emplace(b.values[c.first + k].first, uint32_t(g.series.size()));
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (auto& [name, g] : by_name) {
      if (counter_dense_fits(g.series.size(), g.samples.size(), g.values)) {
        Counter x;
        x.name = name;
        x.series.resize(g.series.size());
        for (auto& [key, k] : g.series) x.series[k].key = key;
        for (uint32_t i : g.samples) {
          const DecodedCounter& c = b.counters[i];
          x.ts.push_back(c.ts);
          x.tid_of_sample.push_back(th);
          for (CounterSeries& s : x.series) s.values.push_back(nan);
          for (uint32_t j = 0; j < c.n; ++j) {
            const auto& [key, v] = b.values[c.first + j];
            x.series[g.series[key]].values.back() = v;  // a duplicate key: last wins
          }
        }
        w_.write_counter(x, {});
        continue;
      }
      std::vector<Counter> out(g.series.size());
      std::vector<uint32_t> last(g.series.size(), kNone);  // per key: its latest sample
      for (auto& [key, k] : g.series) {
        out[k].name = name;
        out[k].series.push_back(CounterSeries{key, {}});
      }
      for (uint32_t i : g.samples) {
        const DecodedCounter& c = b.counters[i];
        for (uint32_t j = 0; j < c.n; ++j) {
          const auto& [key, v] = b.values[c.first + j];
          const uint32_t k = g.series[key];
          Counter& x = out[k];
          if (last[k] == i) {
            x.series[0].values.back() = v;  // a duplicate key: last wins
            continue;
          }
          last[k] = i;
          x.ts.push_back(c.ts);
          x.tid_of_sample.push_back(th);
          x.series[0].values.push_back(v);
        }
      }
      for (const Counter& x : out) w_.write_counter(x, {});
    }
  }

  void finish() {
    sync_names();
    // Where each zone's function is.
    std::vector<std::pair<StrId, FunctionLocation>> fns;
    for (uint32_t id = 0; id < used_.size(); ++id)
      if (used_[id] && id < sites_.size() && sites_[id].file != kNoName)
        fns.push_back({id, FunctionLocation{sites_[id].file, sites_[id].line}});
    w_.write_functions(fns.data(), fns.size());
    if (process_written_) write_process(getpid());  // a name set since
    std::vector<std::pair<std::string, std::string>> user;
    {
      Registry& r = registry();
      std::lock_guard<std::mutex> lock(r.mu);
      user = r.metadata;
    }
    std::string source;
    const std::vector<MetadataEntry> entries = recorder_metadata(
        user, 0, 0, 0, true, source, [&](const std::string& key) { return StrId(intern(key)); });
    sync_names();
    w_.write_metadata(entries.data(), entries.size(), source);
    VztInfo info;
    info.origin_us = origin_us_;
    info.display_time_unit = "ns";
    info.events = events_;
    w_.write_info(info);
    std::string err;
    ok_ = w_.finish(&err);
    if (!ok_) error_ = err.empty() ? w_.error() : err;
  }

  std::string path_;
  ClockCal clock_;
  int64_t origin_ns_, origin_us_, min_dur_;
  VztStreamWriter w_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool attached_ = false;  // stream_attach() gave it the session
  bool ok_ = false;
  std::string error_;
  std::deque<PerThread> threads_;       // threads with a ring
  std::deque<PerThread> exited_open_;   // exited with calls open, rings freed (free_rings)
  size_t strings_written_ = 1;  // id 0 ("") is implicit
  size_t labels_written_ = 0;   // label i = {string i, cat_}, label 0 included
  std::vector<SiteInfo> sites_;
  std::vector<uint8_t> used_;  // names of written slices
  std::string category_;  // Config::category: every label's
  StrId cat_ = kNoStr;
  bool process_written_ = false;
  std::string process_name_written_;
  uint32_t threads_written_ = 0;
  uint64_t events_ = 0;
  int64_t last_ts_ = INT64_MIN;
};

void StreamerDelete::operator()(Streamer* s) const { delete s; }

std::unique_ptr<Streamer, StreamerDelete> stream_open(const Config& config, const ClockCal& clock,
                                                      int64_t origin_us, std::string* error) {
  std::unique_ptr<Streamer, StreamerDelete> s(
      new Streamer(config.output_file, clock, origin_us, config.min_duration_ns, config.category));
  std::string err;
  if (!s->open(&err)) {
    if (error) *error = err.empty() ? "cannot open " + config.output_file : err;
    s.reset();
  }
  return s;
}

void stream_attach(std::unique_ptr<Streamer, StreamerDelete> s) {
  Registry& r = registry();
  s->attach();  // (its thread waits for the registry's mutex, held here, before its first pass)
  r.streamer = std::move(s);
  // A program that returns from main or calls exit() without stop() still gets its last events
  // and the file's footer: the stream is finished at exit.
  static const bool at_exit = std::atexit([] {
    bool streaming;
    {
      Registry& reg = registry();
      std::lock_guard<std::mutex> lock(reg.mu);
      streaming = reg.streamer != nullptr && reg.pid == getpid();
    }
    if (streaming) vz::rec::stop();
  }) == 0;
  (void)at_exit;
}

void stream_wake() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);  // the streamer cannot go away meanwhile
  if (r.streamer) r.streamer->wake();
}

bool stream_stop(std::string* message) {
  Registry& r = registry();
  std::unique_ptr<Streamer, StreamerDelete> s;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    s = std::move(r.streamer);
    if (s) r.stream_stopping = true;
  }
  if (!s) return false;
  // Whatever happens below (an exception building the message included), the
  // session stops streaming and start() and save() waiting for it go on.
  struct Done {
    Registry& r;
    ~Done() {
      {
        std::lock_guard<std::mutex> lock(r.mu);
        r.streaming.store(false, std::memory_order_release);
        r.stream_stopping = false;
      }
      r.stream_done.notify_all();
    }
  } done{r};
  s->stop_and_join();
  if (s->ok()) {
    *message = "streamed " + std::to_string(s->events()) + " events to " + s->path();
  } else {
    *message = "streaming to " + s->path() + " failed: " + s->error();
  }
  std::lock_guard<std::mutex> lock(r.mu);
  r.streamed_session = true;
  r.stream_ok = s->ok();
  r.stream_summary = *message;
  return true;
}

}  // namespace vz::rec::internal
