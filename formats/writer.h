// Saving the model: by extension, to Chrome JSON (.json), gzip-compressed JSON (.json.gz, .gz) or
// .vzt. Every writer goes through AtomicFile: the target is replaced only when writing succeeded.
#pragma once

#include <string>

#include "formats/model.h"

namespace vz {

struct SaveOptions {
  bool vzt_compress = true;  // zstd-compress .vzt sections
  int gzip_level = 6;
};

// Picks the format from the extension of `path`. Returns false and sets *error on failure.
bool save_trace(const Trace& trace, const std::string& path, std::string* error,
                const SaveOptions& options = {});

}  // namespace vz
