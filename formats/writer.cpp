#include "formats/writer.h"

#include <zlib.h>

#include "formats/io.h"
#include "formats/json_writer.h"
#include "formats/vzt_writer.h"

namespace vz {
namespace {

bool save_json(const Trace& trace, const std::string& path, bool gzip, int level, std::string* error) {
  AtomicFile f;
  if (!f.open(path, error)) return false;
  bool ok;
  if (!gzip) {
    ok = write_json(trace, [&](std::string_view s) { return f.write(s); });
  } else {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      if (error) *error = "cannot initialise zlib";
      return false;
    }
    std::string out(1 << 18, '\0');
    auto pump = [&](std::string_view in, int flush) {
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = uInt(in.size());
      do {
        zs.next_out = reinterpret_cast<Bytef*>(out.data());
        zs.avail_out = uInt(out.size());
        int rc = deflate(&zs, flush);
        if (rc == Z_STREAM_ERROR) return false;
        if (!f.write(out.data(), out.size() - zs.avail_out)) return false;
      } while (zs.avail_out == 0 || (flush == Z_FINISH && zs.avail_in > 0));
      return true;
    };
    ok = write_json(trace, [&](std::string_view s) { return pump(s, Z_NO_FLUSH); });
    ok = ok && pump({}, Z_FINISH);
    deflateEnd(&zs);
  }
  if (!ok) {
    if (error) *error = "cannot write " + path;
    f.abort();
    return false;
  }
  return f.commit(error);
}

}  // namespace

bool save_trace(const Trace& trace, const std::string& path, std::string* error,
                const SaveOptions& options) {
  if (ends_with_ci(path, ".vzt")) return write_vzt(trace, path, options.vzt_compress, error);
  if (ends_with_ci(path, ".json.gz") || ends_with_ci(path, ".gz"))
    return save_json(trace, path, true, options.gzip_level, error);
  if (ends_with_ci(path, ".json")) return save_json(trace, path, false, 0, error);
  if (error) *error = "unknown output format for " + path + " (use .json, .json.gz or .vzt)";
  return false;
}

}  // namespace vz
