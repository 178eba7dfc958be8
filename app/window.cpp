// The vizviewer desktop window: GLFW window, GL loader, ImGui backends, screenshot, the frame
// loop. What the window shows is the Viewer (app/viewer.h). See window.h.
#include "app/window.h"

#include <glad/gl.h>  // before GLFW, so GLFW does not include the system GL header
#include <GLFW/glfw3.h>

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/settings.h"
#include "app/viewer.h"
#include "render/theme.h"

namespace vz {
namespace {

void glfw_error(int code, const char* message) {
  std::fprintf(stderr, "vizviewer: GLFW error %d: %s\n", code, message);
}

void drop_callback(GLFWwindow* window, int count, const char** paths) {
  if (auto* v = static_cast<Viewer*>(glfwGetWindowUserPointer(window))) v->on_drop(count, paths);
}

void content_scale_callback(GLFWwindow* window, float xscale, float /*yscale*/) {
  if (auto* v = static_cast<Viewer*>(glfwGetWindowUserPointer(window))) v->set_scale(std::max(1.0f, xscale));
}

GLFWwindow* create_window(const WindowOptions& o) {
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  GLFWwindow* w = glfwCreateWindow(std::max(320, o.width), std::max(240, o.height), "vizviewer", nullptr, nullptr);
  if (!w) return nullptr;
  glfwMakeContextCurrent(w);
  if (!gladLoadGL(reinterpret_cast<GLADloadfunc>(glfwGetProcAddress))) {
    std::fprintf(stderr, "vizviewer: could not load OpenGL 3.3 functions\n");
    glfwDestroyWindow(w);
    return nullptr;
  }
  glfwSwapInterval(1);
  return w;
}

// Stores the window's size (in unscaled screen units) and saves the settings.
void remember_window_size(GLFWwindow* window, Settings& settings) {
  int w = 0, h = 0;
  float sx = 1, sy = 1;
  glfwGetWindowSize(window, &w, &h);
  glfwGetWindowContentScale(window, &sx, &sy);  // GLFW_SCALE_TO_MONITOR scaled the created size
  if (w > 0 && h > 0) {  // not minimised
    settings.width = std::clamp(int(float(w) / std::max(1.0f, sx)), kMinWindowWidth, kMaxWindowSize);
    settings.height = std::clamp(int(float(h) / std::max(1.0f, sy)), kMinWindowHeight, kMaxWindowSize);
  }
  std::string err;
  if (!save_settings(settings_path(), settings, &err)) {
    std::fprintf(stderr, "vizviewer: could not save settings: %s\n", err.c_str());
  }
}

// Reads the back buffer (what was just rendered) and writes it as a PNG.
bool write_screenshot(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) return false;
  std::vector<unsigned char> pixels(size_t(width) * size_t(height) * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  if (glGetError() != GL_NO_ERROR) return false;
  stbi_flip_vertically_on_write(1);
  return stbi_write_png(path.c_str(), width, height, 3, pixels.data(), width * 3) != 0;
}

// Renders the ImGui frame built since NewFrame into the back buffer.
void render_frame(GLFWwindow* window) {
  ImGui::Render();
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window, &fw, &fh);
  glViewport(0, 0, fw, fh);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

// True when the user touched mouse or keyboard during the last frame.
bool had_input() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || io.MouseWheel != 0 || io.MouseWheelH != 0) return true;
  if (io.InputQueueCharacters.Size > 0) return true;
  for (bool down : io.MouseDown) if (down) return true;
  for (bool down : io.KeysDown) if (down) return true;
  return false;
}

// Frame times when VIZVIEWER_FRAME_STATS is set: how long the UI thread spent building and
// submitting each frame (the wait for events excluded). Frames over 30 ms are printed as they
// happen; the count and the slowest frame, overall and while loading, at exit.
struct FrameStats {
  bool enabled = std::getenv("VIZVIEWER_FRAME_STATS") != nullptr;
  uint64_t frames = 0, loading_frames = 0;
  double slowest_ms = 0, slowest_loading_ms = 0;
  void add(double ms, bool loading) {
    if (enabled && ms > 30) std::fprintf(stderr, "frame %llu: %.1f ms%s\n", (unsigned long long)frames, ms, loading ? " (loading)" : "");
    ++frames;
    slowest_ms = std::max(slowest_ms, ms);
    if (loading) {
      ++loading_frames;
      slowest_loading_ms = std::max(slowest_loading_ms, ms);
    }
  }
  ~FrameStats() {
    if (!enabled) return;
    std::fprintf(stderr, "vizviewer: %llu frames, slowest %.1f ms; %llu while loading, slowest %.1f ms\n",
                 (unsigned long long)frames, slowest_ms, (unsigned long long)loading_frames, slowest_loading_ms);
  }
};

// The frame loop. Returns the exit code.
int frame_loop(GLFWwindow* window, Viewer& viewer, const WindowOptions& o) {
  const bool headless = !o.screenshot.empty();
  FrameStats stats;
  int frames_ready = 0;
  int busy_frames = 0;  // keep drawing a little after input, so hover and tooltips settle
  while (!glfwWindowShouldClose(window) && !viewer.quit_requested()) {
    if (viewer.loading()) {
      glfwWaitEventsTimeout(1.0 / 60.0);  // redraw progress at ~60 Hz; leave the cores to the loader
    } else if (headless || busy_frames > 0) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(0.5);
    }
    const bool was_loading = viewer.loading();
    const double frame_start = glfwGetTime();
    viewer.poll();
    if (viewer.take_fonts_dirty()) {
      load_fonts(viewer.scale());
      apply_theme(current_theme(), viewer.scale());
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (headless)  // no hover in screenshots, unless --mouse puts the pointer somewhere
      ImGui::GetIO().MousePos = o.mouse_x >= 0 ? ImVec2(o.mouse_x, o.mouse_y) : ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui::NewFrame();
    busy_frames = had_input() || ImGui::IsAnyItemActive() ? 30 : std::max(0, busy_frames - 1);
    viewer.draw();
    render_frame(window);
    stats.add((glfwGetTime() - frame_start) * 1000.0, was_loading);
    // Six quiet frames in a row: work a panel starts on its first frame restarts the count. A tab
    // chosen by --tab shows a frame after it is asked for, a child window is hovered from the
    // frame after it appears, and a tooltip is hidden on its first frame while it is sized: with
    // fewer, --mouse over the flamegraph showed no tooltip.
    if (headless && viewer.busy()) frames_ready = 0;
    if (headless && !viewer.busy() && ++frames_ready >= 6) {
      int fw = 0, fh = 0;
      glfwGetFramebufferSize(window, &fw, &fh);
      if (!write_screenshot(o.screenshot, fw, fh)) {
        std::fprintf(stderr, "vizviewer: could not write screenshot %s\n", o.screenshot.c_str());
        return 1;
      }
      // The error screen is written too (for a look at it), but the file did not load: status 1.
      if (const std::string e = viewer.load_error(); !e.empty()) {
        std::fprintf(stderr, "vizviewer: %s\n", e.c_str());
        return 1;
      }
      return 0;
    }
    glfwSwapBuffers(window);
  }
  return 0;
}

}  // namespace

int run_window(const WindowOptions& options) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr, "vizviewer: cannot open a window (no display?). Use --stats for headless use.\n");
    return 1;
  }
  // Headless runs never write settings, and read them only from an explicit VIZVIEWER_CONFIG_DIR
  // (so a screenshot does not depend on the user's recent files).
  const bool persist = options.screenshot.empty();
  const bool read_settings = persist || std::getenv("VIZVIEWER_CONFIG_DIR") != nullptr;
  Settings settings = read_settings ? load_settings(settings_path()) : Settings{};
  WindowOptions sized = options;
  if (persist && !options.size_set) {
    sized.width = settings.width;
    sized.height = settings.height;
  }
  GLFWwindow* window = create_window(sized);
  if (!window) {
    std::fprintf(stderr, "vizviewer: could not create an OpenGL 3.3 window\n");
    glfwTerminate();
    return 1;
  }
  float sx = 1.0f, sy = 1.0f;
  glfwGetWindowContentScale(window, &sx, &sy);
  const float scale = std::clamp(sx, 1.0f, 4.0f);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // layouts are not persisted yet
  load_fonts(scale);
  apply_theme(settings.theme == ThemeSetting::Light ? ThemeKind::Light : ThemeKind::Dark, scale);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330");

  int rc = 0;
  {
    Viewer viewer(window, scale, settings, persist);
    glfwSetWindowUserPointer(window, &viewer);
    glfwSetDropCallback(window, drop_callback);
    glfwSetWindowContentScaleCallback(window, content_scale_callback);
    viewer.set_request(options.request, !options.compare.empty());
    if (!options.file.empty()) viewer.open(options.file);
    if (!options.file.empty() && !options.compare.empty()) viewer.open_compare(options.compare);
    rc = frame_loop(window, viewer, options);
    if (persist) remember_window_size(window, settings);
    glfwSetDropCallback(window, nullptr);
    glfwSetWindowContentScaleCallback(window, nullptr);
    glfwSetWindowUserPointer(window, nullptr);
  }  // the viewer (and any load job) ends while the GL context still exists

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return rc;
}

}  // namespace vz
