// A scratch folder for tests: created under /tmp, removed with everything in it (permissions a
// test took away are given back first, so removal always works).
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace vz::test {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/vz_test_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    for (const auto& e : fs::recursive_directory_iterator(path, ec)) {
      fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // The path of `name` inside the folder.
  std::string operator/(const std::string& name) const { return path + "/" + name; }
  // The names of the folder's entries, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(path, ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  // Names that look like AtomicFile's temporaries.
  size_t temporaries() const {
    size_t n = 0;
    for (const std::string& s : names()) n += s.find(".tmp-") != std::string::npos;
    return n;
  }
};

}  // namespace vz::test
