// libFuzzer target: gzip-compressed traces.
//
// Inputs that already start with the gzip magic (1f 8b) are loaded as they are, so mutations of
// real .json.gz seeds reach the header parser and corrupt-stream handling. Otherwise the first
// byte picks how the rest (JSON text) is wrapped, so the fuzzer mutates the JSON while the loader
// still takes its inflate path:
//   mode 0: one gzip member (zlib, level from the byte)
//   mode 1: one gzip member, truncated (at a point taken from the byte)
//   mode 2: the text split into two concatenated gzip members
//   mode 3: a fixed gzip header (with FNAME and FEXTRA) prepended to the rest as raw deflate bytes
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_common.h"

namespace {

// Appends one gzip member holding `in`.
bool gzip_member(std::string_view in, int level, std::string& out) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  size_t bound = deflateBound(&zs, uLong(in.size())) + 64;
  size_t at = out.size();
  out.resize(at + bound);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(&out[at]);
  zs.avail_out = uInt(bound);
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = bound - zs.avail_out;
  deflateEnd(&zs);
  out.resize(at + produced);
  return rc == Z_STREAM_END;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
    vz_fuzz::load_and_exercise(in);
    return 0;
  }
  if (size == 0) return 0;
  const uint8_t ctl = data[0];
  std::string_view text = in.substr(1);
  std::string gz;
  switch (ctl & 3) {
    case 0:
      if (!gzip_member(text, (ctl >> 2) % 10, gz)) return 0;
      break;
    case 1: {
      if (!gzip_member(text, 6, gz)) return 0;
      size_t keep = gz.size() * (ctl >> 2) / 64;  // 0 .. 98% of the stream
      gz.resize(keep);
      break;
    }
    case 2: {
      size_t cut = text.size() * (ctl >> 2) / 63;
      if (!gzip_member(text.substr(0, cut), 6, gz)) return 0;
      if (!gzip_member(text.substr(cut), 1, gz)) return 0;
      break;
    }
    case 3: {
      // ID1 ID2 CM=8 FLG=FEXTRA|FNAME MTIME(4) XFL OS, XLEN=4 + 4 bytes, "t.json\0", then deflate.
      static const unsigned char hdr[] = {0x1f, 0x8b, 8, 0x04 | 0x08, 0, 0, 0, 0, 0, 3,
                                          4,    0,    'A', 'B', 0, 0, 't', '.', 'j', 's',
                                          'o',  'n',  0};
      gz.assign(reinterpret_cast<const char*>(hdr), sizeof hdr);
      gz.append(text);
      break;
    }
  }
  vz_fuzz::load_and_exercise(gz);
  return 0;
}
