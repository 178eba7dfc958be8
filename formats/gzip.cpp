#include "formats/gzip.h"

#include <zlib.h>

#include <algorithm>

namespace vz {

bool is_gzip(std::string_view head) {
  return head.size() >= 2 && uint8_t(head[0]) == 0x1f && uint8_t(head[1]) == 0x8b;
}

std::shared_ptr<AnonBuffer> gunzip(std::string_view in, Diagnostics& diag, LoadProgress* progress,
                                   const std::atomic<bool>* cancel) {
  auto out = std::make_shared<AnonBuffer>();
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) {
    diag.add(DiagKind::GzipError, 0, "cannot initialise zlib");
    return nullptr;
  }
  const size_t kStep = size_t(1) << 22;  // zlib's avail_* are 32-bit: feed at most this much
  size_t consumed = 0;
  bool member_done = false;
  // A problem is placed in the inflated text (where the loaded data stops), as every other
  // offset of a .json.gz is; the message gives the compressed file's offset.
  auto problem = [&](DiagKind kind, const std::string& what) {
    diag.add(kind, out->size(), what + " (at byte " + std::to_string(consumed) + " of the gzip file)");
  };
  for (;;) {
    if (cancel && cancel->load(std::memory_order_relaxed)) break;
    if (member_done) {
      // Another member follows only if its magic does; anything else is trailing data.
      size_t rest = in.size() - consumed;
      if (rest == 0) break;
      if (!is_gzip(in.substr(consumed))) {
        bool zeros = std::all_of(in.begin() + long(consumed), in.end(), [](char c) { return c == 0; });
        if (!zeros) problem(DiagKind::GzipError, "data after the last gzip member ignored");
        break;
      }
      inflateReset(&zs);
      member_done = false;
    }
    if (out->free_space() < kStep && !out->reserve_more(kStep)) {
      problem(DiagKind::GzipError, "out of memory while inflating");
      break;
    }
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
    zs.avail_in = uInt(std::min(in.size() - consumed, kStep));
    zs.next_out = reinterpret_cast<Bytef*>(out->tail());
    zs.avail_out = uInt(std::min(out->free_space(), kStep));
    uInt in_before = zs.avail_in, out_before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    consumed += in_before - zs.avail_in;
    out->grow(out_before - zs.avail_out);
    if (progress) {
      progress->bytes_done.store(consumed, std::memory_order_relaxed);
    }
    if (rc == Z_STREAM_END) {
      member_done = true;
      continue;
    }
    if (rc == Z_BUF_ERROR && consumed == in.size()) {
      problem(DiagKind::TruncatedInput, "gzip stream ends early; kept what inflated");
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      problem(DiagKind::GzipError, zs.msg ? zs.msg : "inflate failed");
      break;
    }
    if (zs.avail_in == 0 && consumed == in.size() && out_before == zs.avail_out) {
      problem(DiagKind::TruncatedInput, "gzip stream ends early; kept what inflated");
      break;
    }
  }
  inflateEnd(&zs);
  out->shrink_to_fit();
  if (out->size() == 0) return nullptr;
  return out;
}

}  // namespace vz
