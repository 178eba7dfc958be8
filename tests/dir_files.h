// The files of a test data directory, by name (dot files left out; none when it is missing).
#pragma once

#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

namespace vz::test {

inline std::vector<std::string> dir_files(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(dir + "/" + e->d_name);
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vz::test
