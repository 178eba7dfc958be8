#include "analysis/search.h"

#include <algorithm>
#include <tuple>

#include "formats/parallel.h"

namespace vz {

// ---------------------------------------------------------------------------------------------
// Matching names
// ---------------------------------------------------------------------------------------------

namespace {

inline char fold(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

void fold_into(std::string_view s, std::string& out) {
  out.resize(s.size());
  for (size_t i = 0; i < s.size(); ++i) out[i] = fold(s[i]);
}

}  // namespace

bool contains_ignoring_case(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [](char a, char b) { return fold(a) == fold(b); }) != hay.end();
}

bool name_matches(std::string_view name, const SearchQuery& q) {
  if (q.text.empty()) return false;
  if (q.case_sensitive) return name.find(q.text) != std::string_view::npos;
  return contains_ignoring_case(name, q.text);
}

std::vector<uint8_t> match_labels(const Trace& t, const SearchQuery& q) {
  std::vector<uint8_t> out(t.labels.size(), 0);
  if (q.text.empty()) return out;
  std::string needle, name;
  if (q.case_sensitive) needle = q.text; else fold_into(q.text, needle);
  for (size_t l = 0; l < t.labels.size(); ++l) {
    std::string_view s = t.name_of(uint32_t(l));
    if (q.case_sensitive) {
      out[l] = s.find(needle) != std::string_view::npos;
    } else {
      fold_into(s, name);
      out[l] = name.find(needle) != std::string::npos;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Finding slices
// ---------------------------------------------------------------------------------------------

namespace {

constexpr uint32_t kChunk = 1u << 22;  // slices per piece of work
constexpr uint32_t kBlock = 4096;      // slices per branch-free compaction block

// One piece of work: slices [first, last) of one set of one thread.
struct Task {
  uint32_t thread;
  bool overflow;
  uint32_t first, last;
  uint32_t slot;  // index into the thread's chunk outputs
};

// Appends the indices in [b, e) whose label matches, without a branch per slice.
void scan(const uint32_t* label, uint32_t b, uint32_t e, const uint8_t* match,
          std::vector<uint32_t>& out) {
  uint32_t buf[kBlock];
  for (uint32_t at = b; at < e;) {
    uint32_t stop = e - at > kBlock ? at + kBlock : e;
    uint32_t n = 0;
    for (uint32_t i = at; i < stop; ++i) {
      buf[n] = i;
      n += match[label[i]];
    }
    out.insert(out.end(), buf, buf + n);
    at = stop;
  }
}

// Chunk outputs of one thread, joined when its last chunk finishes.
struct ThreadWork {
  std::vector<std::vector<uint32_t>> chunks;  // in task order: slices chunks, then overflow
  uint32_t slice_chunks = 0;
  std::atomic<uint32_t> remaining{0};
};

std::vector<uint32_t> join(std::vector<std::vector<uint32_t>>& parts, size_t b, size_t e) {
  if (b == e) return {};
  std::vector<uint32_t> out = std::move(parts[b]);
  size_t n = out.size();
  for (size_t k = b + 1; k < e; ++k) n += parts[k].size();
  out.reserve(n);
  for (size_t k = b + 1; k < e; ++k) {
    out.insert(out.end(), parts[k].begin(), parts[k].end());
    std::vector<uint32_t>().swap(parts[k]);
  }
  return out;
}

void add_tasks(uint32_t th, bool overflow, size_t n, std::vector<Task>& tasks, uint32_t& slot) {
  for (size_t at = 0; at < n; at += kChunk)
    tasks.push_back({th, overflow, uint32_t(at), uint32_t(std::min<size_t>(n, at + kChunk)), slot++});
}

}  // namespace

uint64_t search_slices(const Trace& t, const std::vector<uint8_t>& label_match, unsigned workers,
                       const std::atomic<bool>* cancel, const ThreadMatchesFn& on_thread) {
  if (label_match.size() != t.labels.size()) return 0;
  if (std::find(label_match.begin(), label_match.end(), 1) == label_match.end()) return 0;
  std::vector<Task> tasks;
  std::vector<ThreadWork> work(t.threads.size());
  for (uint32_t th = 0; th < t.threads.size(); ++th) {
    uint32_t slot = 0;
    add_tasks(th, false, t.threads[th].slices.size(), tasks, slot);
    work[th].slice_chunks = slot;
    add_tasks(th, true, t.threads[th].overflow.size(), tasks, slot);
    work[th].chunks.resize(slot);
    work[th].remaining = slot;
  }
  std::mutex mu;  // serializes on_thread
  uint64_t reported = 0;
  std::atomic<size_t> next{0};
  auto finish_thread = [&](uint32_t th) {
    ThreadWork& w = work[th];
    auto m = std::make_shared<ThreadMatches>();
    m->thread = th;
    m->slices = join(w.chunks, 0, w.slice_chunks);
    m->overflow = join(w.chunks, w.slice_chunks, w.chunks.size());
    if (m->size() == 0) return;
    std::lock_guard<std::mutex> lock(mu);
    reported += m->size();
    on_thread(std::move(m));
  };
  if (workers == 0) workers = default_workers();
  workers = unsigned(std::max<size_t>(1, std::min<size_t>(workers, tasks.size())));
  parallel_for(workers, workers, [&](size_t) {
    for (size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < tasks.size();) {
      if (cancel && cancel->load(std::memory_order_relaxed)) return;
      const Task& task = tasks[k];
      const Thread& th = t.threads[task.thread];
      const SliceSet& s = task.overflow ? th.overflow : th.slices;
      scan(s.label.data(), task.first, task.last, label_match.data(),
           work[task.thread].chunks[task.slot]);
      if (work[task.thread].remaining.fetch_sub(1, std::memory_order_acq_rel) == 1)
        finish_thread(task.thread);
    }
  });
  return reported;
}

void SearchJob::run(unsigned workers) {
  std::vector<uint8_t> match = match_labels(trace_, query_);
  search_slices(trace_, match, workers, &cancel_, [&](std::shared_ptr<const ThreadMatches> m) {
    uint64_t n = m->size();
    {
      std::lock_guard<std::mutex> lock(mu_);
      results_.push_back(std::move(m));
    }
    matches_.fetch_add(n, std::memory_order_relaxed);
  });
  done_.store(true, std::memory_order_release);
}

SearchResults SearchJob::results() const {
  std::lock_guard<std::mutex> lock(mu_);
  return results_;
}

// ---------------------------------------------------------------------------------------------
// Navigation
// ---------------------------------------------------------------------------------------------

namespace {

// A match's position in the total order (start, thread, set, index).
using Key = std::tuple<Time, uint32_t, uint32_t, uint32_t>;

// The nearest match after (forward) or before the pivot among one set's matches.
void nearest_in_set(const SliceSet& s, const std::vector<uint32_t>& m, uint32_t thread,
                    uint32_t set, const Key& pivot, bool forward, Key& best, bool& found) {
  auto key = [&](uint32_t i) { return Key{s.start[i], thread, set, i}; };
  for (uint32_t d = 0; d < s.depths(); ++d) {
    auto lo = std::lower_bound(m.begin(), m.end(), s.depth_begin[d]);
    auto hi = std::lower_bound(lo, m.end(), s.depth_begin[d + 1]);
    if (lo == hi) continue;
    if (forward) {
      auto it = std::partition_point(lo, hi, [&](uint32_t i) { return key(i) <= pivot; });
      if (it != hi && (!found || key(*it) < best)) best = key(*it), found = true;
    } else {
      auto it = std::partition_point(lo, hi, [&](uint32_t i) { return key(i) < pivot; });
      if (it != lo && (!found || key(*(it - 1)) > best)) best = key(*(it - 1)), found = true;
    }
  }
}

MatchRef step(const Trace& t, const SearchResults& r, Time time, const MatchRef& cur, bool forward) {
  Key pivot = forward ? Key{time, kNone, kNone, kNone} : Key{time, 0, 0, 0};
  if (cur.valid() && cur.thread < t.threads.size()) {
    const SliceSet& s = cur.overflow ? t.threads[cur.thread].overflow : t.threads[cur.thread].slices;
    if (cur.index < s.size()) pivot = Key{s.start[cur.index], cur.thread, cur.overflow, cur.index};
  }
  Key best{};
  bool found = false;
  for (const auto& tm : r) {
    if (!tm || tm->thread >= t.threads.size()) continue;
    const Thread& th = t.threads[tm->thread];
    nearest_in_set(th.slices, tm->slices, tm->thread, 0, pivot, forward, best, found);
    nearest_in_set(th.overflow, tm->overflow, tm->thread, 1, pivot, forward, best, found);
  }
  if (!found) return {};
  return MatchRef{std::get<1>(best), std::get<2>(best) != 0, std::get<3>(best)};
}

}  // namespace

MatchRef next_match(const Trace& t, const SearchResults& r, Time time, const MatchRef& current) {
  return step(t, r, time, current, true);
}

MatchRef prev_match(const Trace& t, const SearchResults& r, Time time, const MatchRef& current) {
  return step(t, r, time, current, false);
}

}  // namespace vz
