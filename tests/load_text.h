// A trace loaded from JSON text in a test; the test stops when it does not load.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "formats/loader.h"

namespace vz::test {

inline std::unique_ptr<Trace> load_text(const std::string& s) {
  LoadResult r = load_bytes(s);
  REQUIRE_MESSAGE(r.ok, r.error);
  return std::move(r.trace);
}

}  // namespace vz::test
