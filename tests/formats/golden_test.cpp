// Golden "diff tests" of the JSON reader: every tests/golden/NAME.json is loaded with load_file and
// its model dump (formats/dump.h) is compared with tests/golden/NAME.expected.
//
// Each .expected file was reviewed by hand against the reader's contract; where the reader is known
// to be wrong the file says what it should produce, so the test fails until the reader is fixed.
// To regenerate after an intended change:  VZ_UPDATE_GOLDEN=1 vz_tests -tc='golden*'
// and review the diff before committing it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "formats/dump.h"
#include "formats/loader.h"

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// What a golden file pins: the load status, then the model dump.
std::string golden_text(const fs::path& input, unsigned threads, size_t min_chunk = 0) {
  vz::LoadOptions opt;
  opt.threads = threads;
  opt.min_chunk = min_chunk;
  vz::LoadResult r = vz::load_file(input.string(), opt);
  std::string s = "load ok=" + std::string(r.ok ? "true" : "false") + " format=" +
                  std::string(vz::format_name(r.format));
  if (!r.ok) s += " error_offset=" + std::to_string(r.error_offset) + " error=" + r.error;
  s += "\n";
  return s + vz::dump_model(*r.trace);
}

// The first line where two texts differ, for a readable failure message.
std::string first_difference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int n = 1;; ++n) {
    bool ha = bool(std::getline(a, la)), hb = bool(std::getline(b, lb));
    if (!ha && !hb) return "texts differ only in line endings";
    if (!ha || !hb || la != lb)
      return "line " + std::to_string(n) + "\n  expected: " + (ha ? la : "<end>") +
             "\n  actual:   " + (hb ? lb : "<end>");
  }
}

std::vector<fs::path> json_inputs(const char* dir) {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(fs::path(VZ_TEST_DATA) / dir)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".json" || (name.size() > 8 && name.substr(name.size() - 8) == ".json.gz"))
      v.push_back(e.path());
  }
  std::sort(v.begin(), v.end());
  return v;
}
std::vector<fs::path> golden_inputs() { return json_inputs("golden"); }

}  // namespace

TEST_CASE("golden: each tests/golden/*.json dumps to its .expected") {
  const char* update = std::getenv("VZ_UPDATE_GOLDEN");
  bool rewrite = update && std::string(update) == "1";
  std::vector<fs::path> inputs = golden_inputs();
  REQUIRE(inputs.size() >= 20);
  for (const fs::path& in : inputs) {
    fs::path expected = in;
    expected.replace_extension(".expected");
    std::string got = golden_text(in, 1);
    INFO("golden file: ", in.filename().string());
    if (rewrite) {
      std::ofstream(expected, std::ios::binary) << got;
      continue;
    }
    REQUIRE_MESSAGE(fs::exists(expected), "missing ", expected.string());
    std::string want = read_all(expected);
    CHECK_MESSAGE(want == got, first_difference(want, got));
  }
}

TEST_CASE("golden: the dump does not depend on the number of threads") {
  for (const fs::path& in : golden_inputs()) {
    INFO("golden file: ", in.filename().string());
    CHECK(golden_text(in, 1) == golden_text(in, 4));
  }
}

// Files this small are one chunk by default; tiny chunks send them through the parallel path:
// boundaries guessed inside strings, numbers and nested args, verified and re-parsed in order.
TEST_CASE("golden: the dump does not depend on how the events array is cut into chunks") {
  std::vector<fs::path> inputs = golden_inputs();
  for (const char* dir : {"data", "fuzz/regressions"})
    for (const fs::path& p : json_inputs(dir)) inputs.push_back(p);
  REQUIRE(inputs.size() >= 30);
  for (const fs::path& in : inputs) {
    INFO("input: ", in.string());
    const std::string whole = golden_text(in, 1);
    for (size_t chunk : {1, 5, 17, 64, 300}) {
      CAPTURE(chunk);
      CHECK_MESSAGE(golden_text(in, 3, chunk) == whole, first_difference(whole, golden_text(in, 3, chunk)));
    }
  }
}
