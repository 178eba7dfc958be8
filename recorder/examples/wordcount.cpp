// A small real workload instrumented with the recorder: a parallel word count.
//
//   vz_example_wordcount [OUTPUT.vzt|.json|.json.gz] [THREADS] [MEGABYTES]
//
// The main thread generates a pseudo-random text, hands chunks to worker threads through a
// queue (a flow arrow links each hand-off to the chunk's processing), the workers tokenize and
// count words into their own tables, and the main thread merges the tables and sorts the words
// by frequency. Then open the trace: vizviewer OUTPUT.
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "recorder/vz_recorder.h"

namespace {

// Deterministic text: words drawn from a Zipf-like vocabulary.
std::string generate(size_t bytes) {
  VZ_ZONE();
  static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po"};
  std::string text;
  text.reserve(bytes + 32);
  uint64_t x = 88172645463325252ull;
  while (text.size() < bytes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    unsigned rank = unsigned(x % 997) * unsigned((x >> 20) % 997) / 997 + 1;  // skewed
    for (unsigned r = rank; r; r /= 10) text += kSyllables[r % 10];
    text += (x >> 40) % 13 == 0 ? ".\n" : " ";
  }
  return text;
}

using Counts = std::unordered_map<std::string, uint64_t>;

void tokenize(const std::string& text, size_t from, size_t to, std::vector<std::string>& words) {
  VZ_ZONE();
  size_t i = from;
  while (i < to) {
    while (i < to && (text[i] == ' ' || text[i] == '.' || text[i] == '\n')) ++i;
    size_t j = i;
    while (j < to && text[j] != ' ' && text[j] != '.' && text[j] != '\n') ++j;
    if (j > i) words.emplace_back(text, i, j - i);
    i = j;
  }
}

void count(const std::vector<std::string>& words, Counts& counts) {
  VZ_ZONE();
  for (const std::string& w : words) ++counts[w];
}

struct Chunk {
  size_t from, to;
  uint64_t id;
};

class Queue {
 public:
  void push(Chunk c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      q_.push_back(c);
    }
    cv_.notify_one();
  }
  void close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }
  bool pop(Chunk* c) {
    VZ_ZONE_N("wait for work");
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return false;
    *c = q_.front();
    q_.pop_front();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> q_;
  bool closed_ = false;
};

void worker(int index, const std::string& text, Queue& queue, Counts& counts) {
  vz::rec::set_thread_name("worker " + std::to_string(index));
  VZ_ZONE();
  std::vector<std::string> words;
  Chunk c;
  uint64_t done = 0;
  while (queue.pop(&c)) {
    VZ_ZONE_N("chunk");
    vz::rec::flow_end(c.id, "chunk");
    words.clear();
    tokenize(text, c.from, c.to, words);
    count(words, counts);
    done += words.size();
    vz::rec::counter("words counted", {{"worker " + std::to_string(index), double(done)}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string out = argc > 1 ? argv[1] : "wordcount.vzt";
  int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 4;
  size_t mb = argc > 3 ? size_t(std::max(1, std::atoi(argv[3]))) : 16;

  vz::rec::Config cfg;
  cfg.output_file = out;
  cfg.process_name = "wordcount";
  std::string error;
  if (!vz::rec::start(cfg, &error)) {
    std::fprintf(stderr, "wordcount: cannot record: %s\n", error.c_str());
    return 1;
  }
  vz::rec::set_thread_name("main");
  std::vector<std::pair<std::string, uint64_t>> top;
  {
    VZ_ZONE_N("word count");
    std::string text = generate(mb << 20);
    vz::rec::instant("text ready", vz::rec::Scope::Process,
                     "{\"bytes\":" + std::to_string(text.size()) + "}");
    Queue queue;
    std::vector<Counts> counts(static_cast<size_t>(threads));
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i)
      pool.emplace_back(worker, i, std::cref(text), std::ref(queue), std::ref(counts[size_t(i)]));
    {
      VZ_ZONE_N("split");
      const size_t kChunk = 64 << 10;
      uint64_t id = 1;
      for (size_t from = 0; from < text.size(); ++id) {
        size_t to = std::min(text.size(), from + kChunk);
        while (to < text.size() && text[to] != ' ' && text[to] != '\n') ++to;
        vz::rec::flow_start(id, "chunk");
        queue.push(Chunk{from, to, id});
        from = to;
      }
      queue.close();
    }
    {
      VZ_ZONE_N("join");
      for (std::thread& t : pool) t.join();
    }
    Counts all;
    {
      VZ_ZONE_N("merge");
      for (Counts& c : counts)
        for (auto& [w, n] : c) all[w] += n;
      vz::rec::log_var("distinct words", double(all.size()));
    }
    {
      VZ_ZONE_N("sort");
      top.assign(all.begin(), all.end());
      std::sort(top.begin(), top.end(), [](auto& a, auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
      });
      if (!top.empty()) vz::rec::log_var("most frequent", top[0].first);
    }
  }
  vz::rec::stop();
  std::string msg;
  bool ok = vz::rec::save(out, &msg);
  for (size_t i = 0; i < std::min<size_t>(5, top.size()); ++i)
    std::printf("%-12s %llu\n", top[i].first.c_str(), (unsigned long long)top[i].second);
  std::fprintf(stderr, "wordcount: %s\n", msg.c_str());
  return ok ? 0 : 1;
}
