#include "app/cli.h"

#include <malloc.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/call_tree.h"
#include "app/cli_internal.h"
#include "formats/io.h"
#include "formats/loader.h"
#include "formats/stats.h"
#include "formats/writer.h"

namespace vz {
namespace {

constexpr const char* kUsage =
    "vizviewer " VZ_VERSION " - a fast viewer for Chrome Trace Event JSON and .vzt traces\n"
    "\n"
    "Usage:\n"
    "  vizviewer [FILE] [VIEW OPTIONS]     open the viewer (on FILE if given; a folder: the\n"
    "                                      Open dialog there, to pick one of its traces)\n"
    "  vizviewer A B [VIEW OPTIONS]        open A and compare it with B (the Compare tab)\n"
    "  vizviewer FILE --screenshot OUT.png [--size WxH] [VIEW OPTIONS]\n"
    "                                      render the window once loaded, save a PNG, exit\n"
    "  vizviewer FILE --bench-frames       time timeline frames (CPU) at three zoom levels\n"
    "  vizviewer --stats FILE              print statistics of FILE as one JSON document\n"
    "  vizviewer --convert IN OUT          convert between .json, .json.gz and .vzt\n"
    "                                      (formats chosen by OUT's extension; IN is sniffed)\n"
    "  vizviewer FILE --folded OUT         write the whole trace's call stacks as folded stacks\n"
    "                                      (\"a;b;c SELF_NS\" lines, for flamegraph.pl/speedscope)\n"
    "  vizviewer --diff A B [--top N] [--json] [--by name|path] [--loose-names] [--fail-if-slower PCT]\n"
    "                 [--min-time T] [--thread T] [--thread-a T] [--thread-b T]\n"
    "                 [--range START:END] [--range-a START:END] [--range-b START:END]\n"
    "                                      compare two traces per function (or call path):\n"
    "                                      the top N rows by |delta total| (default 20, 0: all),\n"
    "                                      as text or JSON; --fail-if-slower exits 3 when B's\n"
    "                                      traced time or a function's total grew by more than\n"
    "                                      PCT% (functions under T in both runs are skipped;\n"
    "                                      default 1ms; units ns, us, ms, s; bare numbers us);\n"
    "                                      --thread-a/-b T: only thread T of A/B (a tid,\n"
    "                                      PID:TID or thread name; --thread T: of both);\n"
    "                                      --range-a/-b: only that range of A/B, relative to\n"
    "                                      its start (--range: of both)\n"
    "                                      --loose-names: match viztracer functions as\n"
    "                                      'f (file.py)', without directory and line, which\n"
    "                                      move between two versions of a program\n"
    "  vizviewer --help | --version\n"
    "\n"
    "View options:\n"
    "  --tab timeline|flamegraph|stats|info|compare|diff-flamegraph\n"
    "                                         the tab to show first (--flamegraph: the flamegraph)\n"
    "  --range START:END                      select a time range relative to the trace start and\n"
    "                                         zoom to it (units ns, us, ms, s; bare numbers are us);\n"
    "                                         comparing: on both runs, and the diff compares those\n"
    "  --select NAME                          select the longest slice named NAME (in both runs\n"
    "                                         when comparing, highlighting the name in both);\n"
    "                                         with no such slice, the longest async slice so\n"
    "                                         named, else an object named NAME (its first\n"
    "                                         snapshot, if any), else an async mark (n/T/p)\n"
    "  --align NAME                           comparing: align the runs on NAME's first event\n"
    "  --by-path                              comparing: the diff table by call path\n"
    "  --side-by-side                         comparing: A left of B instead of above it\n"
    "  --loose-names                          comparing: match viztracer functions without their\n"
    "                                         directory and line ('f (file.py)')\n"
    "  --search TEXT                          search slice names for TEXT\n"
    "  --tracks TEXT                          show only the timeline tracks whose name contains\n"
    "                                         TEXT (threads also by tid, a process's Objects track\n"
    "                                         by \"objects\"; a process's name or pid: all its tracks)\n"
    "  --shortcuts                            open the keyboard-shortcut overlay\n"
    "  --size WxH                             window size (default: the size it had last time)\n"
    "  --mouse X,Y                            with --screenshot: the mouse pointer at X,Y (window\n"
    "                                         pixels), so that what it hovers shows its tooltip\n"
    "\n"
    "viztracer's vizviewer options: --flamegraph as above; --once, --port N, --timeout N and\n"
    "--use_external_processor are accepted without effect (they concern its web server);\n"
    "--server_only is refused, as this vizviewer is a window.\n"
    "\n"
    "Exit status: 0 loaded (diagnostics or not), 1 nothing could be loaded or written\n"
    "(or a --diff --thread matched no thread or several), 2 usage error, 3 --diff\n"
    "--fail-if-slower found a slowdown.\n";

// A mode's status once what it printed is out: 1 when stdout could not take it (a full disk, a
// closed pipe), whatever the mode found; usage errors (2) stand.
int finish_stdout(int rc) {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return rc;
  std::fprintf(stderr, "vizviewer: cannot write the output: %s\n", std::strerror(errno));
  return rc == 2 ? 2 : 1;
}

int run_stats(const std::string& file) {
  auto t0 = std::chrono::steady_clock::now();
  LoadResult r = load_file(file);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  malloc_trim(0);  // report what the model holds, not what the allocator kept
  LoadMeasure m{secs, r.input_bytes, peak_rss_bytes(), rss_anon_bytes()};
  std::string doc = stats_json(file, r, m);
  std::fwrite(doc.data(), 1, doc.size(), stdout);
  if (!r.ok) report(file, r);
  return r.ok ? 0 : 1;
}

int run_convert(const std::string& in, const std::string& out) {
  if (!ends_with_ci(out, ".json") && !ends_with_ci(out, ".gz") && !ends_with_ci(out, ".vzt"))
    return usage_error("--convert: unknown output format for '" + out + "' (use .json, .json.gz or .vzt)");
  LoadResult r = load_file(in);
  report(in, r);
  if (!r.ok) return 1;
  std::string error;
  if (!save_trace(*r.trace, out, &error)) {
    std::fprintf(stderr, "vizviewer: %s\n", error.c_str());
    return 1;
  }
  return 0;
}

int run_folded(const std::string& in, const std::string& out) {
  auto t0 = std::chrono::steady_clock::now();
  LoadResult r = load_file(in);
  report(in, r);
  if (!r.ok) return 1;
  CallTree tree = build_call_tree(*r.trace, CallTreeQuery{});
  const uint64_t size = folded_size(*r.trace, tree);
  if (size > kMaxFoldedBytes) {
    uint32_t deepest = 0;
    for (const CallNode& n : tree.nodes) deepest = std::max(deepest, n.depth);
    std::fprintf(stderr,
                 "vizviewer: %s: the folded stacks would take %.1f GB (each line repeats its whole stack, "
                 "and calls nest %u deep); nothing written (the limit is %.0f GB)\n",
                 in.c_str(), double(size) / 1e9, deepest, double(kMaxFoldedBytes) / 1e9);
    return 1;
  }
  std::string error;
  AtomicFile f;
  uint64_t lines = 0;
  bool written = f.open(out, &error);
  if (written) {
    write_folded_stacks(*r.trace, tree, [&](std::string_view piece) {
      lines += uint64_t(std::count(piece.begin(), piece.end(), '\n'));
      return f.write(piece);  // a failed write is reported by commit
    });
    written = f.commit(&error);
  }
  if (!written) {
    std::fprintf(stderr, "vizviewer: %s\n", error.c_str());
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "vizviewer: %s: %llu stacks, %llu call-tree nodes, %lld ns in total -> %s (%.3f s)\n",
               in.c_str(), (unsigned long long)lines, (unsigned long long)tree.nodes.size() - 1,
               (long long)tree.root().total, out.c_str(), secs);
  return 0;
}

}  // namespace

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "vizviewer: %s\n(see vizviewer --help)\n", msg.c_str());
  return 2;
}

void report(const std::string& file, const LoadResult& r) {
  if (!r.ok) {
    std::fprintf(stderr, "vizviewer: %s: offset %llu: %s\n", file.c_str(),
                 (unsigned long long)r.error_offset, r.error.c_str());
    return;
  }
  for (DiagKind k : r.trace->diagnostics.problems())
    std::fprintf(stderr, "vizviewer: %s: %s\n", file.c_str(), r.trace->diagnostics.problem_line(k).c_str());
}

int run_cli(int argc, char** argv, bool* handled) {
  *handled = true;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::string_view a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--version" || a == "-V") {
      std::printf("vizviewer %s\n", VZ_VERSION);
      return 0;
    }
  }
  // The file operands of a mode: an option there is a usage error (a file named so: ./--x).
  auto option_among = [&](size_t mode) -> std::string {
    for (size_t k = 0; k < args.size(); ++k)
      if (k != mode && args[k].size() > 1 && args[k][0] == '-') return std::string(args[k]);
    return {};
  };
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--stats") {
      if (args.size() != 2) return usage_error("--stats takes exactly one FILE");
      if (std::string o = option_among(i); !o.empty()) return usage_error("--stats takes a FILE, got option '" + o + "'");
      return finish_stdout(run_stats(std::string(args[1 - i])));
    }
    if (args[i] == "--folded") {
      if (args.size() != 3 || i > 1 || args[i + 1].empty()) return usage_error("usage: vizviewer FILE --folded OUT");
      if (std::string o = option_among(i); !o.empty()) return usage_error("--folded: unknown option '" + o + "'");
      return run_folded(std::string(args[i == 0 ? 2 : 0]), std::string(args[i + 1]));
    }
    if (args[i] == "--diff") return finish_stdout(run_diff(args));
    if (args[i] == "--convert") {
      if (args.size() != 3 || i != 0) return usage_error("usage: vizviewer --convert IN OUT");
      if (std::string o = option_among(i); !o.empty()) return usage_error("--convert: unknown option '" + o + "'");
      return run_convert(std::string(args[1]), std::string(args[2]));
    }
  }
  *handled = false;
  return 0;
}

}  // namespace vz
