// Inputs that once crashed a fuzz target (tests/fuzz/regressions/): each must load without a
// sanitizer report, give a model whose invariants hold, and survive being written and re-read.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "formats/json_writer.h"
#include "formats/loader.h"
#include "formats/numbers.h"
#include "tests/dir_files.h"

using namespace vz;

namespace {

std::vector<std::string> regression_files() {
  return vz::test::dir_files(std::string(VZ_TEST_DATA) + "/fuzz/regressions");
}

// Times stay inside the model's range and each depth is sorted and disjoint.
void check_slices(const SliceSet& s) {
  for (uint32_t d = 0; d < s.depths(); ++d) {
    for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) {
      CHECK(s.dur[i] >= 0);
      CHECK(s.start[i] >= -kMaxAbsTime);
      CHECK(s.start[i] + s.dur[i] <= kMaxAbsTime);
      if (i > s.depth_begin[d]) CHECK(s.start[i - 1] + s.dur[i - 1] <= s.start[i]);
    }
  }
}

}  // namespace

TEST_CASE("fuzz regressions: every saved crash input loads, keeps invariants and round-trips") {
  std::vector<std::string> files = regression_files();
  REQUIRE(files.size() >= 8);
  for (const std::string& f : files) {
    CAPTURE(f);
    LoadResult r = load_file(f);
    REQUIRE(r.trace != nullptr);
    if (!r.ok) {
      CHECK_FALSE(r.error.empty());
      continue;
    }
    for (const Thread& th : r.trace->threads) {
      check_slices(th.slices);
      check_slices(th.overflow);
    }
    std::string json;
    CHECK(write_json(*r.trace, [&](std::string_view s) { json += s; return true; }));
    LoadResult again = load_bytes(json);
    CHECK(again.ok);
    CHECK(again.trace->slice_count() == r.trace->slice_count());
  }
}
