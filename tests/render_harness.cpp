// Offscreen ImGui + OpenGL harness. See render_harness.h.
#include "render_harness.h"

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
#include <string>

#include "render/theme.h"

namespace vz::testing {

// ---------------------------------------------------------------------------------------------
// Pixels
// ---------------------------------------------------------------------------------------------

bool Rgb::near(uint32_t c, int tol) const {
  auto ch = [&](int have, int shift) { return std::abs(have - int((c >> shift) & 0xff)) <= tol; };
  return ch(r, IM_COL32_R_SHIFT) && ch(g, IM_COL32_G_SHIFT) && ch(b, IM_COL32_B_SHIFT);
}

std::string Rgb::str() const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "(%d, %d, %d)", r, g, b);
  return buf;
}

std::string rgb_str(uint32_t c) {
  return Rgb{uint8_t(c >> IM_COL32_R_SHIFT), uint8_t(c >> IM_COL32_G_SHIFT), uint8_t(c >> IM_COL32_B_SHIFT)}.str();
}

bool colors_near(uint32_t a, uint32_t b, int tol) {
  return Rgb{uint8_t(a >> IM_COL32_R_SHIFT), uint8_t(a >> IM_COL32_G_SHIFT), uint8_t(a >> IM_COL32_B_SHIFT)}.near(b, tol);
}

Rgb Image::at(int x, int y) const {
  if (x < 0 || y < 0 || x >= width || y >= height) return {};
  const uint8_t* p = &rgba[(size_t(y) * size_t(width) + size_t(x)) * 4];
  return {p[0], p[1], p[2]};
}

int Image::clear_x(int x, int y, int reach) const {
  for (int d = 0; d <= reach; ++d) {
    for (int c : {x - d, x + d}) {
      bool same = c - 2 >= 0 && c + 2 < width;
      for (int k = -2; same && k <= 2; ++k) same = at(c + k, y) == at(c, y);
      if (same) return c;
    }
  }
  return -1;
}

bool Image::write_png(const std::string& path) const {
  return stbi_write_png(path.c_str(), width, height, 4, rgba.data(), width * 4) != 0;
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

namespace {
void glfw_error(int code, const char* message) { std::fprintf(stderr, "glfw error %d: %s\n", code, message); }
}  // namespace

RenderHarness::RenderHarness(int width, int height) : width_(width), height_(height) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    error_ = "glfwInit failed (no display? run under xvfb-run)";
    return;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  window_ = glfwCreateWindow(width, height, "vz_render_tests", nullptr, nullptr);
  if (!window_) {
    error_ = "could not create a GL 3.3 core window";
    return;
  }
  glfwMakeContextCurrent(window_);
  if (!gladLoadGL(reinterpret_cast<GLADloadfunc>(glfwGetProcAddress))) {
    error_ = "could not load OpenGL";
    return;
  }
  // Render into a framebuffer object of exactly the requested size: a hidden window's back buffer
  // need not exist or match, and the result does not depend on a window manager.
  glGenFramebuffers(1, &fbo_);
  glGenRenderbuffers(1, &color_);
  glBindRenderbuffer(GL_RENDERBUFFER, color_);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    error_ = "incomplete framebuffer";
    return;
  }

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  imgui_ = true;
  ImGui::GetIO().IniFilename = nullptr;
  load_fonts(1.0f);
  apply_theme(ThemeKind::Dark, 1.0f);
  ImGui_ImplGlfw_InitForOpenGL(window_, false);  // no callbacks: input is set by render()
  ImGui_ImplOpenGL3_Init("#version 330");
  ok_ = true;
}

RenderHarness::~RenderHarness() {
  if (imgui_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  if (color_) glDeleteRenderbuffers(1, &color_);
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

Image RenderHarness::render(const std::function<void()>& panel, int frames, const MouseInput* mouse) {
  Image img;
  if (!ok_) return img;
  ImGuiIO& io = ImGui::GetIO();
  for (int i = 0; i < frames; ++i) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    // The window is hidden: pin the size, scale and mouse rather than trust what GLFW reports.
    io.DisplaySize = ImVec2(float(width_), float(height_));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.DeltaTime = 1.0f / 60.0f;
    io.MousePos = mouse ? ImVec2(mouse->x, mouse->y) : ImVec2(-FLT_MAX, -FLT_MAX);
    for (bool& down : io.MouseDown) down = false;
    if (mouse && mouse->click >= 0 && mouse->click < 5 && i + 1 == frames) io.MouseDown[mouse->click] = true;
    io.MouseWheel = io.MouseWheelH = 0;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    ImGui::Begin("##panel_under_test", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    ImGui::PopStyleVar(2);
    panel();
    ImGui::End();
    ImGui::Render();
  }
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, width_, height_);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  glFinish();
  img.width = width_;
  img.height = height_;
  std::vector<uint8_t> bottom_up(size_t(width_) * size_t(height_) * 4);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
  glReadBuffer(GL_COLOR_ATTACHMENT0);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
  // GL's rows run bottom-up; flip them so that y matches ImGui's screen coordinates.
  img.rgba.resize(bottom_up.size());
  const size_t row = size_t(width_) * 4;
  for (int y = 0; y < height_; ++y) {
    std::copy_n(&bottom_up[size_t(height_ - 1 - y) * row], row, &img.rgba[size_t(y) * row]);
  }
  ++renders_;
  if (const char* dir = std::getenv("VZ_RENDER_DUMP")) {
    img.write_png(std::string(dir) + "/render_" + std::to_string(renders_) + ".png");
  }
  return img;
}

}  // namespace vz::testing
