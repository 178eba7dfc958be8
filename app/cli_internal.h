// Pieces shared by vizviewer's headless command-line modes (app/cli.cpp and app/cli_diff.cpp):
// the usage-error and load-report conventions, and the modes that live in their own files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "formats/loader.h"

namespace vz {

// Prints "vizviewer: MSG" and a pointer to --help on stderr; returns 2 (the usage-error status).
int usage_error(const std::string& msg);

// Prints the load's fatal error and warnings to stderr as "file: offset N: message".
void report(const std::string& file, const LoadResult& r);

// `vizviewer --diff A B [OPTIONS]`: `args` is argv without the program name, "--diff" included.
int run_diff(const std::vector<std::string_view>& args);

}  // namespace vz
