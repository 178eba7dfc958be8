// An offscreen ImGui + OpenGL harness for render tests that assert on pixels.
//
// One hidden GLFW window provides a GL 3.3 core context; ImGui runs with the same GLFW and
// OpenGL3 backends as the viewer (app/window.cpp), the viewer's fonts and the dark theme. Each
// render() builds a few frames of one full-window ImGui window (no padding, no decoration) around
// a caller's panel, draws them into a framebuffer object of an explicit size, and reads it back
// with glReadPixels. The mouse is kept off screen, so no hover, outline or tooltip is drawn, unless
// a render is given a MouseInput (a position held over its frames, and a click in the last one).
//
// Usage
//   vz::testing::RenderHarness h(1200, 700);       // once per process (needs a display: Xvfb)
//   vz::testing::Image img = h.render([&] { vz::draw_timeline(index, state, highlight); });
//   CHECK(img.at(x, y).near(vz::label_color(index, label)));
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

struct GLFWwindow;

namespace vz::testing {

// One pixel read back from the framebuffer.
struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  // True when every channel is within `tol` of the packed ImGui colour `c` (IM_COL32 layout).
  bool near(uint32_t c, int tol = 2) const;
  bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
  std::string str() const;  // "(r, g, b)" for failure messages
};

// Formats a packed ImGui colour as "(r, g, b)".
std::string rgb_str(uint32_t c);

// True when two packed ImGui colours are within `tol` per channel (to check that test colours
// are far enough apart to tell the things they mark apart).
bool colors_near(uint32_t a, uint32_t b, int tol);

// A frame read back, top row first (y grows downwards, as in ImGui's screen coordinates).
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;  // width * height * 4
  Rgb at(int x, int y) const;
  // The x nearest `x` (within `reach` px) whose pixels x-2..x+2 on row y are identical: a point
  // clear of thin overlays (the time axis' grid lines) and of edges; -1 when there is none.
  int clear_x(int x, int y, int reach = 12) const;
  // Writes the image as a PNG (for looking at a failure); false on error.
  bool write_png(const std::string& path) const;
};

// The mouse during a render: a position held in every frame, and optionally a button pressed in
// the last frame only (so ImGui::IsMouseClicked sees a click there).
struct MouseInput {
  float x = 0, y = 0;  // screen position (px)
  int click = -1;      // ImGuiMouseButton pressed in the last frame; -1 for none
};

// The window, GL context, framebuffer and ImGui context; tears them down when destroyed.
class RenderHarness {
 public:
  RenderHarness(int width, int height);
  ~RenderHarness();
  RenderHarness(const RenderHarness&) = delete;
  RenderHarness& operator=(const RenderHarness&) = delete;

  // False when the window or GL context could not be created (no display); see error().
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  int width() const { return width_; }
  int height() const { return height_; }

  // Builds `frames` frames with `panel` drawn inside the full-window ImGui window, renders the
  // last one and returns its pixels. ImGui lays windows out over a frame, so use 2 or more.
  // With VZ_RENDER_DUMP=DIR in the environment, each result is also written to DIR/render_N.png.
  // `mouse` (when set) places the mouse and clicks (see MouseInput); otherwise it is off screen.
  Image render(const std::function<void()>& panel, int frames = 3, const MouseInput* mouse = nullptr);

 private:
  int width_, height_;
  bool ok_ = false;
  bool imgui_ = false;
  std::string error_;
  GLFWwindow* window_ = nullptr;
  unsigned fbo_ = 0, color_ = 0;
  int renders_ = 0;  // images rendered so far (names the dumps)
};

}  // namespace vz::testing
