// gen_trace: a fast, standalone generator of viztracer-like Chrome Trace Event JSON files.
//
//   gen_trace --size-mb N [--seed S] [--processes P] [--threads T] [--format minified|pretty] OUT.json
//
// Writes about N MB (N * 1,000,000 bytes) in the object form viztracer writes:
//   {"traceEvents":[ ... ],"viztracer_metadata":{...},"file_info":{"files":{...},"functions":{...}}}
//
// What is in it
// - Per thread, a simulated Python program: persistent outer frames (<module>/main/run, or
//   threading's _bootstrap chain) whose innermost frame loops over "tasks": fib-like binary
//   recursion, deep linear recursion (up to a few hundred levels), loops over many short C calls
//   (0.1-5 us), random helper trees, and rare long calls (sleep / I/O, up to tens of ms).
// - Every call is an X event, cat "FEE", name "func (/path/file.py:line)", ts/dur in microseconds
//   with 3 decimals (ns precision). Like viztracer, an event is written when the call *returns*,
//   so children come before their parents; threads are interleaved in (approximate) end order.
// - A few B/E pairs, i instants of scope t/p/g, C counters with 1-3 series, some X args
//   (viztracer's log_func_args shape), process_name/thread_name M events (written last, as
//   viztracer does), several processes and threads.
// - --format pretty puts one event per line; minified (default) writes no newlines at all.
//
// Size: about 119 bytes per event (the fixed fields of an X event alone take ~88; names with
// file paths the rest). Only the C++ standard library is used; the output is streamed through a
// 16 MB buffer: ~1.9 GB/s of user time, so writing a file is bound by the page cache (1 GB in
// about 3 s here).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

class Out {
 public:
  explicit Out(std::FILE* f) : f_(f), buf_(new char[kCap]) {}
  ~Out() { delete[] buf_; }
  // Ensures at least n free bytes.
  char* reserve(size_t n) {
    if (used_ + n > kCap) flush();
    return buf_ + used_;
  }
  void commit(char* end) {
    size_t n = size_t(end - (buf_ + used_));
    used_ += n;
    total_ += n;
  }
  void put(std::string_view s) {
    if (s.size() > kCap / 2) {
      flush();
      if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) failed_ = true;
      total_ += s.size();
      return;
    }
    char* p = reserve(s.size());
    std::memcpy(p, s.data(), s.size());
    commit(p + s.size());
  }
  void flush() {
    if (used_ && std::fwrite(buf_, 1, used_, f_) != used_) failed_ = true;
    used_ = 0;
  }
  uint64_t total() const { return total_; }
  bool failed() const { return failed_; }

 private:
  static constexpr size_t kCap = size_t(16) << 20;
  std::FILE* f_;
  char* buf_;
  size_t used_ = 0;
  uint64_t total_ = 0;
  bool failed_ = false;
};

inline char* put_str(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

constexpr char kDigits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline char* put_u64(char* p, uint64_t v) {
  char tmp[24];
  char* e = tmp + sizeof tmp;
  char* s = e;
  while (v >= 100) {
    unsigned r = unsigned(v % 100);
    v /= 100;
    s -= 2;
    std::memcpy(s, kDigits2 + 2 * r, 2);
  }
  if (v >= 10) {
    s -= 2;
    std::memcpy(s, kDigits2 + 2 * v, 2);
  } else {
    *--s = char('0' + v);
  }
  size_t n = size_t(e - s);
  std::memcpy(p, s, n);
  return p + n;
}

// ns -> microseconds with exactly 3 decimals ("12.345"), as viztracer writes.
inline char* put_us(char* p, uint64_t ns) {
  p = put_u64(p, ns / 1000);
  unsigned f = unsigned(ns % 1000);
  *p++ = '.';
  *p++ = char('0' + f / 100);
  std::memcpy(p, kDigits2 + 2 * (f % 100), 2);
  return p + 2;
}

// ---------------------------------------------------------------------------------------------
// Random numbers (splitmix64 seeding a xoshiro256**)
// ---------------------------------------------------------------------------------------------

struct Rng {
  uint64_t s[4];
  explicit Rng(uint64_t seed) {
    for (auto& x : s) {
      seed += 0x9e3779b97f4a7c15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      x = z ^ (z >> 31);
    }
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    uint64_t r = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
  }
  // Uniform in [0, n).
  uint32_t below(uint32_t n) { return uint32_t(((next() >> 32) * uint64_t(n)) >> 32); }
  // Uniform in [lo, hi].
  uint64_t range(uint64_t lo, uint64_t hi) { return lo + (next() % (hi - lo + 1)); }
  double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  bool chance(double p) { return unit() < p; }
};

// A table of log-uniformly distributed durations in ns, sampled by index (cheap).
struct LogTable {
  std::vector<uint32_t> v;
  LogTable(Rng& rng, double lo_ns, double hi_ns, size_t n = 4096) {
    v.resize(n);
    double a = std::log(lo_ns), b = std::log(hi_ns);
    for (auto& x : v) x = uint32_t(std::exp(a + (b - a) * rng.unit()));
  }
  uint32_t pick(Rng& rng) const { return v[rng.below(uint32_t(v.size()))]; }
};

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

enum Kind : uint8_t { kOuter, kRun, kFib, kRecurse, kLoop, kHelper, kLeaf, kLong };

struct Func {
  std::string name;  // already JSON-escaped, without quotes
  std::string file;  // escaped path; empty for C functions
  int line = 0;
};

struct Program {
  std::vector<Func> funcs;
  std::vector<uint32_t> fib, recurse, loop, helper, leaf, slow;
  uint32_t module_fn, main_fn, run_fn, boot_fn, boot_inner_fn, thread_run_fn, worker_fn;
  std::vector<std::pair<std::string, int>> files;  // escaped path, line count

  uint32_t add(std::string name, std::string file, int line) {
    funcs.push_back({std::move(name), std::move(file), line});
    return uint32_t(funcs.size() - 1);
  }
  uint32_t add_py(const std::string& fn, const std::string& path, int line) {
    return add(fn + " (" + path + ":" + std::to_string(line) + ")", path, line);
  }

  explicit Program(Rng& rng) {
    const char* dirs[] = {"/src/app", "/src/app/pkg", "/src/app/core", "/usr/lib/python3.11",
                          "/venv/site/lib"};
    const char* stems[] = {"fib", "worker", "parser", "model", "utils", "io_ops", "cache", "graph",
                           "render", "network", "db", "tasks", "compute", "config", "schema",
                           "handlers", "queue", "metrics", "serialize", "algo"};
    const char* verbs[] = {"get", "set", "load", "parse", "build", "compute", "update", "check",
                           "render", "visit", "walk", "merge", "split", "encode", "decode",
                           "_helper", "__init__", "__call__", "process", "handle", "run_one",
                           "normalize", "validate", "emit", "flush", "lookup", "resolve"};
    const char* nouns[] = {"", "_item", "_node", "_batch", "_value", "_key", "_tree", "_row",
                           "_token", "_chunk", "_state", "_config", "_record"};
    std::vector<std::string> paths;
    for (size_t d = 0; d < 5; ++d)
      for (size_t s = 0; s < 20; s += 1 + d) paths.push_back(std::string(dirs[d]) + "/" + stems[s] + ".py");
    // A couple of paths that need escaping / are non-ASCII.
    paths.push_back("C:\\\\Users\\\\dev\\\\proj\\\\win_tool.py");
    paths.push_back("/src/app/caf\xc3\xa9/na\xc3\xafve.py");
    for (auto& p : paths) files.push_back({p, 0});

    auto py = [&](const std::string& fn, size_t file_index, int line) {
      auto& f = files[file_index];
      f.second = std::max(f.second, line + 20);
      return add_py(fn, f.first, line);
    };
    auto random_py = [&](std::vector<uint32_t>& into, size_t n) {
      for (size_t i = 0; i < n; ++i) {
        std::string fn = std::string(verbs[rng.below(std::size(verbs))]) + nouns[rng.below(std::size(nouns))];
        into.push_back(py(fn, rng.below(uint32_t(files.size())), 1 + int(rng.below(1200))));
      }
    };

    module_fn = py("<module>", 0, 1);
    main_fn = py("main", 0, 40);
    run_fn = py("run", 0, 52);
    size_t threading = 0;
    for (size_t i = 0; i < files.size(); ++i)
      if (files[i].first == "/usr/lib/python3.11/fib.py") threading = i;
    files[threading].first = "/usr/lib/python3.11/threading.py";
    boot_fn = py("_bootstrap", threading, 995);
    boot_inner_fn = py("_bootstrap_inner", threading, 1038);
    thread_run_fn = py("run", threading, 975);
    worker_fn = py("worker", 1, 17);

    fib.push_back(py("fib", 0, 12));
    fib.push_back(py("fib_memo", 0, 24));
    fib.push_back(py("fib_iter", 0, 40));
    recurse.push_back(py("recurse", 0, 31));
    recurse.push_back(py("walk_tree", 7, 88));
    recurse.push_back(py("<lambda>", files.size() - 2, 5));
    recurse.push_back(py("visit\\u00e9", files.size() - 1, 3));
    random_py(loop, 40);
    random_py(helper, 300);

    // viztracer names C functions "module.func" or "type.method".
    const char* cfuncs[] = {
        "builtins.len", "builtins.isinstance", "list.append", "dict.get", "builtins.min",
        "builtins.max", "builtins.hash", "str.join", "str.split", "str.startswith",
        "_json.encode_basestring_ascii", "builtins.sorted", "dict.items", "builtins.getattr",
        "time.perf_counter", "str.format", "math.sqrt", "list.pop", "builtins.iter",
        "_thread.lock.acquire", "_thread.lock.__exit__", "str.encode", "_struct.pack",
        "<method 'append' of 'collections.deque' objects>"};
    for (const char* c : cfuncs) leaf.push_back(add(c, "", 0));
    random_py(leaf, 30);  // small Python leaves too
    slow.push_back(add("<built-in function sleep>", "", 0));
    slow.push_back(add("<method 'recv' of '_socket.socket' objects>", "", 0));
    slow.push_back(add("<method 'read' of '_io.BufferedReader' objects>", "", 0));
    slow.push_back(py("wait_for_result", 1, 140));
  }
};

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

struct Frame {
  uint64_t start;
  uint32_t fn;
  uint8_t kind;
  uint8_t be;      // written as a B/E pair
  uint8_t args;    // X event with args
  uint8_t level;   // kOuter: index in the outer chain
  uint32_t param;  // fib n, recursion depth, loop iterations, helper children
  uint32_t state;
};

struct Gen;

struct ThreadSim {
  uint32_t pid = 0, tid = 0, process_index = 0, index_in_process = 0;
  std::string prefix;  // {"pid":P,"tid":T,"ts":
  std::string name;
  std::vector<uint32_t> outer;  // outer chain of functions
  std::vector<Frame> stack;
  uint64_t t = 0;               // current time, ns
  uint64_t tasks = 0;
};

struct Options {
  double size_mb = 100;
  uint64_t seed = 1;
  uint32_t processes = 3;
  uint32_t threads = 4;
  bool pretty = false;
  std::string out;
};

struct Gen {
  Options opt;
  Rng rng;
  Program prog;
  Out& out;
  LogTable short_dur, gap, exit_gap, long_dur;
  std::vector<ThreadSim> threads;
  std::vector<uint32_t> pids;
  bool first_event = true;
  bool stopping = false;
  uint64_t target = 0;
  uint64_t n_events = 0, n_x = 0, n_be = 0, n_instants = 0, n_counters = 0, n_meta = 0;
  uint64_t base_ns = 0;

  Gen(const Options& o, Out& out_)
      : opt(o),
        rng(o.seed),
        prog(rng),
        out(out_),
        short_dur(rng, 100, 5000),
        gap(rng, 20, 400),
        exit_gap(rng, 15, 250),
        long_dur(rng, 200e3, 30e6) {
    target = uint64_t(o.size_mb * 1e6);
    base_ns = (uint64_t(22476371) + rng.below(1000000)) * 1000000ull + rng.below(1000000) * 1000ull;
    for (uint32_t p = 0; p < o.processes; ++p) {
      uint32_t pid = 1000 + rng.below(8000);
      pids.push_back(pid);
      for (uint32_t k = 0; k < o.threads; ++k) {
        ThreadSim th;
        th.pid = pid;
        th.tid = k == 0 ? pid : pid + 1 + k * 3 + rng.below(3);
        th.process_index = p;
        th.index_in_process = k;
        th.prefix = "{\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(th.tid) + ",\"ts\":";
        th.name = k == 0 ? "MainThread" : "Thread-" + std::to_string(k) + " (worker)";
        if (k == 0)
          th.outer = {prog.module_fn, prog.main_fn, prog.run_fn};
        else
          th.outer = {prog.boot_fn, prog.boot_inner_fn, prog.thread_run_fn, prog.worker_fn};
        // Processes start a little apart; worker threads start after their main thread.
        th.t = base_ns + p * 1500000ull + k * (20000ull + rng.below(80000));
        push(th, th.outer[0], kOuter, 0);
        threads.push_back(std::move(th));
      }
    }
  }

  // ---- event writing ------------------------------------------------------------------------

  char* begin_event(size_t max_len) {
    char* p = out.reserve(max_len + 4);
    if (first_event) {
      first_event = false;
      if (opt.pretty) *p++ = '\n';
    } else {
      *p++ = ',';
      if (opt.pretty) *p++ = '\n';
    }
    ++n_events;
    return p;
  }

  void write_x(const ThreadSim& th, const Frame& f, uint64_t end) {
    const Func& fn = prog.funcs[f.fn];
    char* p = begin_event(th.prefix.size() + fn.name.size() + 160);
    p = put_str(p, th.prefix);
    p = put_us(p, f.start);
    p = put_str(p, ",\"dur\":");
    p = put_us(p, end - f.start);
    p = put_str(p, ",\"name\":\"");
    p = put_str(p, fn.name);
    p = put_str(p, "\",\"ph\":\"X\",\"cat\":\"FEE\"");
    if (f.args) {
      p = put_str(p, ",\"args\":{\"func_args\":{\"n\":\"");
      p = put_u64(p, f.param);
      p = put_str(p, "\"},\"return_value\":\"");
      p = put_u64(p, f.state * 7 + f.param);
      p = put_str(p, "\"}");
    }
    *p++ = '}';
    out.commit(p);
    ++n_x;
  }

  void write_be(const ThreadSim& th, const Frame& f, char ph, uint64_t ts) {
    const Func& fn = prog.funcs[f.fn];
    char* p = begin_event(th.prefix.size() + fn.name.size() + 120);
    p = put_str(p, th.prefix);
    p = put_us(p, ts);
    p = put_str(p, ",\"ph\":\"");
    *p++ = ph;
    p = put_str(p, "\",\"cat\":\"user\",\"name\":\"");
    p = put_str(p, fn.name);
    *p++ = '"';
    if (ph == 'B') p = put_str(p, ",\"args\":{\"block\":true}");
    *p++ = '}';
    out.commit(p);
    ++n_be;
  }

  void write_instant(const ThreadSim& th) {
    static const char* names[] = {"checkpoint", "gc collect", "cache miss", "epoch done",
                                  "request \\\"GET /\\\"", "reload config"};
    uint32_t r = rng.below(10);
    const char* scope = r < 6 ? "t" : r < 9 ? "p" : "g";
    char* p = begin_event(th.prefix.size() + 160);
    p = put_str(p, th.prefix);
    p = put_us(p, th.t);
    p = put_str(p, ",\"ph\":\"i\",\"cat\":\"INSTANT\",\"name\":\"");
    p = put_str(p, names[rng.below(std::size(names))]);
    p = put_str(p, "\",\"args\":{\"value\":");
    p = put_u64(p, rng.below(100000));
    p = put_str(p, "},\"s\":\"");
    p = put_str(p, scope);
    p = put_str(p, "\"}");
    out.commit(p);
    ++n_instants;
  }

  void write_counter(const ThreadSim& th) {
    char* p = begin_event(th.prefix.size() + 200);
    p = put_str(p, th.prefix);
    p = put_us(p, th.t);
    switch (rng.below(3)) {
      case 0:  // 3 series
        p = put_str(p, ",\"ph\":\"C\",\"cat\":\"COUNTER\",\"name\":\"memory\",\"args\":{\"rss\":");
        p = put_u64(p, 50000000 + rng.below(20000000));
        p = put_str(p, ",\"vms\":");
        p = put_u64(p, 300000000 + rng.below(50000000));
        p = put_str(p, ",\"shared\":");
        p = put_u64(p, 8000000 + rng.below(100000));
        break;
      case 1:  // 2 series, floats
        p = put_str(p, ",\"ph\":\"C\",\"cat\":\"COUNTER\",\"name\":\"cpu\",\"args\":{\"user\":");
        p = put_u64(p, rng.below(100));
        *p++ = '.';
        p = put_u64(p, 1 + rng.below(9));
        p = put_str(p, ",\"system\":");
        p = put_u64(p, rng.below(30));
        *p++ = '.';
        p = put_u64(p, 1 + rng.below(9));
        break;
      default:  // 1 series
        p = put_str(p, ",\"ph\":\"C\",\"cat\":\"COUNTER\",\"name\":\"queue depth\",\"args\":{\"depth\":");
        p = put_u64(p, rng.below(64));
        break;
    }
    p = put_str(p, "}}");
    out.commit(p);
    ++n_counters;
  }

  // ---- simulation ---------------------------------------------------------------------------

  void push(ThreadSim& th, uint32_t fn, uint8_t kind, uint32_t param, uint8_t level = 0) {
    if (!th.stack.empty()) th.t += gap.pick(rng);
    Frame f{th.t, fn, kind, 0, 0, level, param, 0};
    th.stack.push_back(f);
  }

  void pop(ThreadSim& th) {
    Frame f = th.stack.back();
    th.stack.pop_back();
    if (f.kind != kLeaf && f.kind != kLong) th.t += exit_gap.pick(rng);
    if (f.be) {
      write_be(th, f, 'E', th.t);
    } else {
      write_x(th, f, th.t);
    }
  }

  void start_task(ThreadSim& th) {
    ++th.tasks;
    uint32_t r = rng.below(1000);
    uint8_t kind;
    uint32_t fn, param;
    if (r < 200) {  // fib-like binary recursion, mostly small
      kind = kFib;
      fn = prog.fib[rng.below(uint32_t(prog.fib.size()))];
      param = 4 + rng.below(7) + (rng.chance(0.15) ? rng.below(7) : 0);  // up to 16
    } else if (r < 240) {  // deep linear recursion
      kind = kRecurse;
      fn = prog.recurse[rng.below(uint32_t(prog.recurse.size()))];
      param = 20 + rng.below(rng.chance(0.1) ? 480 : 80);
    } else if (r < 650) {  // loop over many short calls
      kind = kLoop;
      fn = prog.loop[rng.below(uint32_t(prog.loop.size()))];
      param = 3 + rng.below(rng.chance(0.2) ? 400 : 40);
    } else if (r < 992) {  // a random helper tree
      kind = kHelper;
      fn = prog.helper[rng.below(uint32_t(prog.helper.size()))];
      param = 1 + rng.below(4);
    } else {  // rare long call
      kind = kLong;
      fn = prog.slow[rng.below(uint32_t(prog.slow.size()))];
      param = 0;
    }
    push(th, fn, kind, param, 0);
    Frame& f = th.stack.back();
    f.state = 0;
    // Helper trees use `level` as their depth budget.
    if (kind == kHelper) f.level = uint8_t(3 + rng.below(6));
    if (rng.chance(1.0 / 500)) {
      f.be = 1;
      write_be(th, f, 'B', f.start);
    }
    if (rng.chance(1.0 / 200)) write_instant(th);
    if (th.index_in_process == 0 && rng.chance(1.0 / 10)) write_counter(th);
  }

  // One step of a thread: push a child or return from the current frame.
  void step(ThreadSim& th) {
    Frame& f = th.stack.back();
    switch (f.kind) {
      case kOuter: {
        if (f.state == 0) {
          f.state = 1;
          uint8_t next = uint8_t(f.level + 1);
          if (next + 1u < th.outer.size())
            push(th, th.outer[next], kOuter, 0, next);
          else
            push(th, th.outer[next], kRun, 0, next);
        } else {
          pop(th);
        }
        break;
      }
      case kRun:
        if (stopping) {
          pop(th);
        } else {
          // Idle time between tasks: workers wait on a queue now and then.
          if (rng.chance(0.02)) th.t += 1000 + rng.below(50000);
          start_task(th);
        }
        break;
      case kFib: {
        uint32_t n = f.param;
        if (n < 2 || f.state == 2) {
          if (n < 2) th.t += 60 + rng.below(120);
          pop(th);
        } else {
          f.state++;
          uint32_t fn = f.fn;
          push(th, fn, kFib, n - f.state);
          if (rng.chance(0.004)) th.stack.back().args = 1;
        }
        break;
      }
      case kRecurse:
        if (f.param == 0 || f.state == 1) {
          if (f.param == 0) th.t += 100 + rng.below(400);
          pop(th);
        } else {
          f.state = 1;
          uint32_t fn = f.fn, n = f.param - 1;
          if (rng.chance(0.1)) {  // a leaf call on the way down
            push(th, prog.leaf[rng.below(uint32_t(prog.leaf.size()))], kLeaf, 0);
            th.t += short_dur.pick(rng);
            pop(th);
          }
          push(th, fn, kRecurse, n);
        }
        break;
      case kLoop:
        if (f.state >= f.param) {
          pop(th);
        } else {
          f.state++;
          if (rng.below(10) < 7) {
            push(th, prog.leaf[rng.below(uint32_t(prog.leaf.size()))], kLeaf, 0);
          } else {
            push(th, prog.helper[rng.below(uint32_t(prog.helper.size()))], kHelper, rng.below(4));
            th.stack.back().level = uint8_t(1 + rng.below(3));
          }
        }
        break;
      case kHelper:
        if (f.state >= f.param) {
          pop(th);
        } else {
          f.state++;
          uint8_t budget = f.level;
          if (budget > 0 && rng.below(10) < 4) {
            push(th, prog.helper[rng.below(uint32_t(prog.helper.size()))], kHelper, rng.below(4));
            th.stack.back().level = uint8_t(budget - 1);
          } else if (rng.chance(0.002)) {
            push(th, prog.slow[rng.below(uint32_t(prog.slow.size()))], kLong, 0);
          } else {
            push(th, prog.leaf[rng.below(uint32_t(prog.leaf.size()))], kLeaf, 0);
          }
        }
        break;
      case kLeaf:
        th.t += short_dur.pick(rng);
        pop(th);
        break;
      case kLong:
        th.t += long_dur.pick(rng);
        pop(th);
        break;
    }
  }

  void run() {
    out.put(opt.pretty ? "{\"traceEvents\":[" : "{\"traceEvents\":[");
    const uint64_t reserve_tail = 64 * 1024;  // metadata + file_info + unwinding
    const uint64_t stop_at = target > reserve_tail ? target - reserve_tail : 0;
    size_t n = threads.size();
    while (true) {
      if (out.total() >= stop_at) break;
      // The thread furthest behind runs until it passes the next one (+ a small quantum), so
      // events come out in approximate end order across threads.
      size_t best = 0;
      uint64_t t1 = UINT64_MAX, t2 = UINT64_MAX;
      for (size_t i = 0; i < n; ++i) {
        uint64_t t = threads[i].t;
        if (t < t1) {
          t2 = t1;
          t1 = t;
          best = i;
        } else if (t < t2) {
          t2 = t;
        }
      }
      ThreadSim& th = threads[best];
      uint64_t limit = t2 == UINT64_MAX ? UINT64_MAX : t2 + 2000;
      for (int k = 0; k < 256 && th.t <= limit; ++k) step(th);
    }
    // Unwind: finish every thread's current work, then its outer frames.
    stopping = true;
    for (auto& th : threads)
      while (!th.stack.empty()) step(th);
    // Metadata events last, as viztracer writes them.
    for (uint32_t p = 0; p < opt.processes; ++p) {
      std::string ev = "{\"ph\":\"M\",\"pid\":" + std::to_string(pids[p]) + ",\"tid\":" +
                       std::to_string(pids[p]) + ",\"name\":\"process_name\",\"args\":{\"name\":\"" +
                       (p == 0 ? std::string("MainProcess") : "Process-" + std::to_string(p)) + "\"}}";
      char* q = begin_event(ev.size());
      q = put_str(q, ev);
      out.commit(q);
      ++n_meta;
    }
    for (auto& th : threads) {
      std::string ev = "{\"ph\":\"M\",\"pid\":" + std::to_string(th.pid) + ",\"tid\":" +
                       std::to_string(th.tid) + ",\"name\":\"thread_name\",\"args\":{\"name\":\"" +
                       th.name + "\"}}";
      char* q = begin_event(ev.size());
      q = put_str(q, ev);
      out.commit(q);
      ++n_meta;
    }
    out.put(opt.pretty ? "\n],\n" : "],");
    write_trailer();
    out.flush();
  }

  void write_trailer() {
    std::string s;
    s += "\"viztracer_metadata\":{\"version\":\"0.16.3\",\"overflow\":false,\"generator\":\"gen_trace\",\"seed\":";
    s += std::to_string(opt.seed);
    s += "}";
    s += opt.pretty ? ",\n" : ",";
    s += "\"file_info\":{\"files\":{";
    bool first = true;
    for (size_t i = 0; i < prog.files.size(); ++i) {
      auto& [path, lines] = prog.files[i];
      if (lines == 0) continue;
      if (!first) s += ",";
      first = false;
      s += "\"" + path + "\":[\"";
      // A small synthetic source file (escaped), one line per line.
      int shown = std::min(lines, 40);
      for (int l = 1; l <= shown; ++l) {
        if (l == 1)
          s += "# -*- coding: utf-8 -*-\\n";
        else if (l % 7 == 0)
          s += "    return \\\"value\\\"\\t# line " + std::to_string(l) + "\\n";
        else
          s += "def f" + std::to_string(l) + "(x):\\n";
      }
      s += "\"," + std::to_string(shown) + "]";
    }
    s += "},\"functions\":{";
    first = true;
    for (auto& fn : prog.funcs) {
      if (fn.file.empty()) continue;
      if (!first) s += ",";
      first = false;
      s += "\"" + fn.name + "\":[\"" + fn.file + "\"," + std::to_string(fn.line) + "]";
    }
    s += "}}}";
    s += opt.pretty ? "\n" : "";
    out.put(s);
  }
};

[[noreturn]] void usage(const char* msg) {
  if (msg) std::fprintf(stderr, "gen_trace: %s\n", msg);
  std::fprintf(stderr,
               "usage: gen_trace --size-mb N [--seed S] [--processes P] [--threads T]\n"
               "                 [--format minified|pretty] OUT.json\n"
               "  Writes about N*1,000,000 bytes of viztracer-like Chrome trace JSON.\n"
               "  --threads is per process. OUT may be '-' for stdout.\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  bool have_size = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    try {
      if (a == "--size-mb") {
        opt.size_mb = std::stod(value());
        have_size = true;
      } else if (a == "--seed") {
        opt.seed = std::stoull(value());
      } else if (a == "--processes") {
        opt.processes = uint32_t(std::stoul(value()));
      } else if (a == "--threads") {
        opt.threads = uint32_t(std::stoul(value()));
      } else if (a == "--format") {
        std::string f = value();
        if (f == "pretty")
          opt.pretty = true;
        else if (f == "minified")
          opt.pretty = false;
        else
          usage("--format must be minified or pretty");
      } else if (a == "-h" || a == "--help") {
        usage(nullptr);
      } else if (!a.empty() && a[0] == '-' && a != "-") {
        usage(("unknown option " + a).c_str());
      } else {
        if (!opt.out.empty()) usage("more than one output file");
        opt.out = a;
      }
    } catch (const std::exception&) {
      usage(("bad value for " + a).c_str());
    }
  }
  if (!have_size || opt.out.empty()) usage("--size-mb and OUT are required");
  if (opt.size_mb < 0 || opt.processes < 1 || opt.threads < 1 || opt.processes > 1000 ||
      opt.threads > 1000)
    usage("bad --size-mb, --processes or --threads");

  std::FILE* f = opt.out == "-" ? stdout : std::fopen(opt.out.c_str(), "wb");
  if (!f) {
    std::perror(opt.out.c_str());
    return 1;
  }
  std::setvbuf(f, nullptr, _IONBF, 0);
  auto t0 = std::chrono::steady_clock::now();
  Out out(f);
  Gen gen(opt, out);
  gen.run();
  bool ok = !out.failed();
  if (f != stdout && std::fclose(f) != 0) ok = false;
  if (!ok) {
    std::fprintf(stderr, "gen_trace: write to %s failed\n", opt.out.c_str());
    if (opt.out != "-") std::remove(opt.out.c_str());
    return 1;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr,
               "gen_trace: %s: %.1f MB, %llu events (%llu X, %llu B/E, %llu i, %llu C, %llu M) in "
               "%.2f s (%.0f MB/s)\n",
               opt.out.c_str(), double(out.total()) / 1e6, (unsigned long long)gen.n_events,
               (unsigned long long)gen.n_x, (unsigned long long)gen.n_be,
               (unsigned long long)gen.n_instants, (unsigned long long)gen.n_counters,
               (unsigned long long)gen.n_meta, s, double(out.total()) / 1e6 / s);
  return 0;
}
