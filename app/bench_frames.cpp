// `vizviewer FILE --bench-frames`: CPU cost of building timeline frames, without a window.
//
// The timeline's cost is what the CPU spends turning the model into draw lists (a GPU rasterises
// the result in well under a millisecond; under Xvfb llvmpipe would dominate and say nothing
// about a real machine). So this mode loads the trace, creates an ImGui context with the viewer's
// fonts and theme but no platform or renderer backend, and times NewFrame + draw_timeline +
// Render at three zoom levels: the whole trace, a mid zoom (1/1000 of it) and a deep zoom
// (1/1,000,000 of it, at least 2 µs), each centred in the trace. It prints one line per level
// with the median and maximum of the frames, and a JSON line for scripts.
#include "app/bench_frames.h"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cstdio>
#include <vector>

#include "formats/loader.h"
#include "render/theme.h"
#include "render/timeline.h"
#include "render/view_index.h"

namespace vz {
namespace {

struct Level {
  const char* name;
  double fraction;  // of the trace's span shown
  double median_ms = 0, max_ms = 0;
  size_t items = 0, folds = 0;
  double first_ms = 0;  // the level's first frame (a new view: fit and layout)
};

// One frame: a full-window ImGui window holding the timeline. Returns the CPU milliseconds.
double frame(ViewIndex& index, TimelineState& st, int width, int height) {
  const auto t0 = std::chrono::steady_clock::now();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(width), float(height));
  io.DeltaTime = 1.0f / 60.0f;
  io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("##bench", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
  TimelineHighlight hl;
  draw_timeline(index, st, hl);
  ImGui::End();
  ImGui::Render();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int run_bench_frames(const std::string& file, int width, int height, int frames) {
  const auto t0 = std::chrono::steady_clock::now();
  LoadResult r = load_file(file);
  if (!r.ok) {
    std::fprintf(stderr, "vizviewer: %s: %s\n", file.c_str(), r.error.c_str());
    return 1;
  }
  const Trace& tr = *r.trace;
  const auto t1 = std::chrono::steady_clock::now();
  ViewIndex index(tr);
  const auto t2 = std::chrono::steady_clock::now();
  const double load_s = std::chrono::duration<double>(t2 - t0).count();
  const double index_s = std::chrono::duration<double>(t2 - t1).count();  // the timeline's own index

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  // As the window's OpenGL 3.3 renderer does: draw lists past 64 K vertices split into commands
  // with a vertex offset (without it ImGui asserts once a few dozen counter tracks are in view).
  ImGui::GetIO().BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
  load_fonts(1.0f);
  apply_theme(ThemeKind::Dark, 1.0f);
  unsigned char* pixels = nullptr;
  int tw = 0, th = 0;
  ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &tw, &th);  // builds the atlas; no GPU upload

  Level levels[] = {{"zoomed out", 1.0}, {"mid zoom", 1e-3}, {"deep zoom", 1e-6}};
  const Time span = std::max<Time>(tr.end - tr.start, 1);
  for (Level& lv : levels) {
    TimelineState st;
    lv.first_ms = frame(index, st, width, height);  // lays out and fits once
    const Time len = std::max<Time>(Time(double(span) * lv.fraction), lv.fraction < 1 ? 2000 : 1);
    const Time mid = tr.start + span / 2;
    if (lv.fraction < 1) zoom_timeline_to(st, mid - len / 2, mid + len / 2);
    std::vector<double> ms;
    for (int i = 0; i < frames; ++i) ms.push_back(frame(index, st, width, height));
    std::sort(ms.begin(), ms.end());
    lv.median_ms = ms[ms.size() / 2];
    lv.max_ms = ms.back();
    lv.items = st.stats.items;
    lv.folds = st.stats.folds;
  }
  ImGui::DestroyContext();

  std::printf("%s: %llu slices, %zu threads, loaded in %.2f s (view index %.3f s); %dx%d, %d frames per level\n",
              file.c_str(), (unsigned long long)tr.slice_count(), tr.threads.size(), load_s, index_s, width,
              height, frames);
  for (const Level& lv : levels) {
    std::printf("  %-10s  median %7.3f ms  max %7.3f ms  first %7.3f ms  (%zu items drawn, %zu folds)\n", lv.name,
                lv.median_ms, lv.max_ms, lv.first_ms, lv.items, lv.folds);
  }
  std::printf("{\"file\":\"%s\",\"slices\":%llu,\"frames\":%d,\"load_seconds\":%.4f,\"index_seconds\":%.4f",
              file.c_str(), (unsigned long long)tr.slice_count(), frames, load_s, index_s);
  const char* keys[] = {"zoomed_out", "mid_zoom", "deep_zoom"};
  for (int i = 0; i < 3; ++i) {
    std::printf(",\"%s\":{\"median_ms\":%.4f,\"max_ms\":%.4f,\"first_ms\":%.4f,\"items\":%zu}", keys[i],
                levels[i].median_ms, levels[i].max_ms, levels[i].first_ms, levels[i].items);
  }
  std::printf("}\n");
  return 0;
}

}  // namespace vz
