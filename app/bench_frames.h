// `vizviewer FILE --bench-frames`: CPU frame-build times of the timeline, without a window.
#pragma once

#include <string>

namespace vz {

// Loads `file` and times `frames` timeline frames of width x height at three zoom levels;
// prints the results. Returns the exit status (0 ok, 1 load failure).
int run_bench_frames(const std::string& file, int width, int height, int frames);

}  // namespace vz
