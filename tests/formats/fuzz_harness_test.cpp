// The fuzz targets' harness (tests/fuzz/fuzz_common.h) built with the unit tests and run over the
// checked-in seeds and regression inputs: so that `make test` compiles it (the fuzz build uses
// clang only, in its own step) and runs every invariant it checks on those inputs. A violated
// invariant aborts, which fails this test binary.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/dir_files.h"
#include "tests/fuzz/fuzz_common.h"

TEST_CASE("the fuzz harness holds on every seed and regression input") {
  const std::string root = std::string(VZ_TEST_DATA) + "/fuzz";
  size_t n = 0;
  for (const char* sub : {"corpus/json", "corpus/gzip", "corpus/vzt", "regressions"}) {
    for (const std::string& f : vz::test::dir_files(root + "/" + sub)) {
      CAPTURE(f);
      std::ifstream in(f, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      vz_fuzz::load_and_exercise(bytes);
      ++n;
    }
  }
  CHECK(n >= 40);
  std::remove(vz_fuzz::scratch_path("vzt").c_str());  // the harness's save-and-reload file
}
