// vizviewer's headless command-line modes: --stats, --convert, --folded, --diff, --help, --version.
// They use the same loader as the window and never open one.
#pragma once

namespace vz {

// Runs a headless mode when argv asks for one and returns its exit status (*handled = true).
// Otherwise sets *handled = false and returns 0: the caller opens the window.
int run_cli(int argc, char** argv, bool* handled);

}  // namespace vz
