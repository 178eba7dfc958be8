// vizviewer's entry point: the command-line modes first (--stats, --convert, --help, --version,
// usage errors), then the window: `vizviewer [FILE] [--screenshot OUT.png] [--size WxH]`.
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/cli.h"
#ifndef VZ_NO_GUI
#include "app/bench_frames.h"
#include "app/window.h"
#include "render/file_list.h"
#endif

namespace {

#ifndef VZ_NO_GUI
// "1600x900" -> width and height; false when malformed or out of range.
bool parse_size(std::string_view s, int* w, int* h) {
  char tail = 0;
  return std::sscanf(std::string(s).c_str(), "%dx%d%c", w, h, &tail) == 2 && *w >= 320 && *h >= 240 &&
         *w <= 16384 && *h <= 16384;
}

// Reads the value of `--name VALUE` or `--name=VALUE` at argv[*i]; false when argv[*i] is not it.
bool option_value(int argc, char** argv, int* i, std::string_view name, std::string* out) {
  const std::string_view a = argv[*i];
  if (a == name) {
    if (*i + 1 >= argc) return false;
    *out = argv[++*i];
    return true;
  }
  if (a.size() > name.size() && a.starts_with(name) && a[name.size()] == '=') {
    *out = a.substr(name.size() + 1);
    return true;
  }
  return false;
}

bool is_number(std::string_view s) {
  return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "1.5ms" -> nanoseconds; a bare number is microseconds (the unit of Chrome trace timestamps).
bool parse_time(std::string_view s, vz::Time* out) {
  struct Unit { const char* suffix; double ns; };
  static const Unit kUnits[] = {{"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  double scale = 1e3;
  for (const Unit& u : kUnits) {
    const std::string_view suf = u.suffix;
    if (s.size() > suf.size() && s.ends_with(suf)) {
      s.remove_suffix(suf.size());
      scale = u.ns;
      break;
    }
  }
  const std::string num(s);
  char* end = nullptr;
  const double v = std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || !(v * scale > -9e18 && v * scale < 9e18)) return false;
  *out = vz::Time(v * scale);
  return true;
}

// "START:END" -> a range relative to the trace start.
bool parse_range(std::string_view s, vz::Time* t0, vz::Time* t1) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  return parse_time(s.substr(0, colon), t0) && parse_time(s.substr(colon + 1), t1) && *t1 > *t0;
}

// Parses the window options; prints a message and returns false on a usage error.
bool parse_window_args(int argc, char** argv, vz::WindowOptions* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    std::string v;
    if (option_value(argc, argv, &i, "--screenshot", &v)) {
      // A PNG is what is written: another extension would name the file wrongly.
      const bool png = v.size() > 4 && (v.compare(v.size() - 4, 4, ".png") == 0 || v.compare(v.size() - 4, 4, ".PNG") == 0);
      if (!png) {
        std::fprintf(stderr, "vizviewer: --screenshot writes a PNG: give a file ending in .png, got '%s'\n", v.c_str());
        return false;
      }
      o->screenshot = v;
    } else if (option_value(argc, argv, &i, "--size", &v)) {
      if (!parse_size(v, &o->width, &o->height)) {
        std::fprintf(stderr,
                     "vizviewer: --size wants WxH (e.g. 1600x900), from 320x240 to 16384x16384, got '%s'\n",
                     v.c_str());
        return false;
      }
      o->size_set = true;
    } else if (option_value(argc, argv, &i, "--mouse", &v)) {
      char tail = 0;
      if (std::sscanf(v.c_str(), "%f,%f%c", &o->mouse_x, &o->mouse_y, &tail) != 2 || !(o->mouse_x >= 0) ||
          !(o->mouse_y >= 0)) {
        std::fprintf(stderr, "vizviewer: --mouse wants X,Y in window pixels (e.g. 400,180), got '%s'\n", v.c_str());
        return false;
      }
    } else if (option_value(argc, argv, &i, "--tab", &v)) {
      o->request.tab_set = true;
      if (v == "timeline") o->request.tab = vz::ViewTab::Timeline;
      else if (v == "flamegraph") o->request.tab = vz::ViewTab::Flamegraph;
      else if (v == "stats") o->request.tab = vz::ViewTab::Stats;
      else if (v == "info") o->request.tab = vz::ViewTab::Info;
      else if (v == "compare") o->request.tab = vz::ViewTab::Compare;
      else if (v == "diff-flamegraph") {
        o->request.tab = vz::ViewTab::Compare;
        o->request.compare.flamegraph = true;
      } else {
        std::fprintf(stderr, "vizviewer: --tab wants timeline, flamegraph, stats, info, compare or diff-flamegraph, got '%s'\n", v.c_str());
        return false;
      }
    } else if (option_value(argc, argv, &i, "--range", &v)) {
      if (!parse_range(v, &o->request.range_t0, &o->request.range_t1)) {
        std::fprintf(stderr, "vizviewer: --range wants START:END (e.g. 1.5ms:3ms; bare numbers are \xc2\xb5s), got '%s'\n", v.c_str());
        return false;
      }
      o->request.has_range = true;
      o->request.compare.has_range = true;
      o->request.compare.range_t0 = o->request.range_t0;
      o->request.compare.range_t1 = o->request.range_t1;
    } else if (option_value(argc, argv, &i, "--select", &v)) {
      o->request.select = v;
      o->request.compare.select = v;
    } else if (option_value(argc, argv, &i, "--align", &v)) {
      o->request.compare.align = v;
    } else if (a == "--by-path") {
      o->request.compare.by_path = true;
    } else if (a == "--side-by-side") {
      o->request.compare.side_by_side = true;
    } else if (a == "--loose-names") {
      o->request.compare.loose = true;
    } else if (option_value(argc, argv, &i, "--search", &v)) {
      o->request.search = v;
    } else if (option_value(argc, argv, &i, "--tracks", &v)) {
      o->request.tracks = v;
    } else if (a == "--shortcuts") {
      o->request.shortcuts = true;
    } else if (a == "--bench-frames") {
      o->bench_frames = true;
    } else if (a == "--flamegraph") {
      o->request.tab = vz::ViewTab::Flamegraph;
    } else if (a == "--once") {
      // viztracer's vizviewer: serve the trace once, then stop. The window already ends the
      // process when it is closed.
    } else if (a == "--server_only" || a == "-s") {
      std::fprintf(stderr,
                   "vizviewer: %s: this vizviewer is a desktop window and starts no web server; run it\n"
                   "  where there is a display (ssh -X works), or open the .json in https://ui.perfetto.dev\n",
                   argv[i]);
      return false;
    } else if (a == "--port" || a == "-p" || a == "--timeout" || a.starts_with("--port=") ||
               a.starts_with("--timeout=") || a == "--use_external_processor") {
      // viztracer's vizviewer options for its web server: accepted, without effect here. Its
      // --port and --timeout take an optional number.
      if ((a == "--port" || a == "-p" || a == "--timeout") && i + 1 < argc && is_number(argv[i + 1])) ++i;
      const std::string_view name = a.substr(0, a.find('='));
      std::fprintf(stderr, "vizviewer: %.*s has no effect: it is an option of viztracer's web-based vizviewer\n",
                   int(name.size()), name.data());
    } else if (a == "--screenshot" || a == "--size" || a == "--mouse" || a == "--tab" || a == "--range" || a == "--select" ||
               a == "--search" || a == "--align" || a == "--tracks") {
      std::fprintf(stderr, "vizviewer: %s needs a value (see vizviewer --help)\n", argv[i]);
      return false;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "vizviewer: unknown option '%s' (see vizviewer --help)\n", argv[i]);
      return false;
    } else if (o->file.empty()) {
      o->file = a;
    } else if (o->compare.empty()) {
      o->compare = a;
    } else {
      std::fprintf(stderr, "vizviewer: at most two trace files can be opened ('%s')\n", argv[i]);
      return false;
    }
  }
  if (o->mouse_x >= 0 && o->screenshot.empty())
    std::fprintf(stderr, "vizviewer: --mouse has no effect without --screenshot (the window has the real mouse)\n");
  return true;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  // Allocations of 1 MiB and more (a load's per-chunk and per-block buffers) get their own
  // mappings, returned to the system when freed. glibc's default threshold grows after the first
  // such free, and what then comes from the heap stays resident: the same 100 MB JSON load held
  // 22.2 to 24.5 bytes per slice from run to run, 22.2 every time with this.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  bool handled = false;
  const int rc = vz::run_cli(argc, argv, &handled);
  if (handled) return rc;
#ifdef VZ_NO_GUI
  std::fprintf(stderr, "vizviewer: built without the window (VZ_GUI=OFF); use --stats or --convert\n");
  return 2;
#else
  vz::WindowOptions options;
  if (!parse_window_args(argc, argv, &options)) return 2;
  if (!options.compare.empty() && vz::path_kind(options.file) == vz::PathKind::Directory) {
    std::fprintf(stderr, "vizviewer: %s is a folder: open it alone (the Open dialog shows its traces)\n",
                 options.file.c_str());
    return 2;
  }
  if (options.bench_frames) {
    if (options.file.empty()) {
      std::fprintf(stderr, "vizviewer: --bench-frames needs a trace file\n");
      return 2;
    }
    return vz::run_bench_frames(options.file, options.width, options.height, 60);
  }
  return vz::run_window(options);
#endif
}
