// libFuzzer target: .vzt files.
//
// Section headers and payloads carry checksums, so raw mutations would almost never get past
// them. Unless the input length is 15 mod 16 (then it is loaded untouched, which exercises the
// checksum and header failure paths), the input is first made structurally plausible:
// - without the .vzt magic, a valid 32-byte file header is prepended (the input is sections);
// - with it, the file header's checksum is recomputed;
// - then the sections are walked (40-byte header + payload) and each header's payload and header
//   checksums are recomputed, and an End record's file_size is set to the real size;
// so mutations reach the section decoders (varints, delta-coded slices, strings, zstd frames, ...).
// Each input is also read with nested slices always decoded the general way: both reads must give
// the same model, dump for dump.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "formats/dump.h"
#include "formats/io.h"
#include "formats/vzt_format.h"
#include "formats/vzt_reader.h"
#include "fuzz_common.h"

namespace {

namespace vzt = vz::vzt;

void fix_checksums(std::string& f) {
  if (f.size() >= sizeof(vzt::FileHeader)) {
    vzt::FileHeader h;
    std::memcpy(&h, f.data(), sizeof h);
    h.check = vzt::checksum32(&h, offsetof(vzt::FileHeader, check));
    std::memcpy(f.data(), &h, sizeof h);
  }
  size_t at = sizeof(vzt::FileHeader);
  while (at + sizeof(vzt::SectionHeader) <= f.size()) {
    vzt::SectionHeader s;
    std::memcpy(&s, f.data() + at, sizeof s);
    size_t payload = at + sizeof s;
    size_t avail = f.size() - payload;
    bool whole = s.length <= avail;
    if (whole) {
      if (s.kind == uint16_t(vzt::SectionKind::End) && s.length == sizeof(vzt::EndRecord) &&
          !(s.flags & vzt::kSectionZstd)) {
        vzt::EndRecord e;
        std::memcpy(&e, f.data() + payload, sizeof e);
        e.file_size = f.size();
        std::memcpy(f.data() + payload, &e, sizeof e);
      }
      s.payload_check = vzt::checksum32(f.data() + payload, size_t(s.length));
    }
    s.header_check = vzt::checksum32(&s, offsetof(vzt::SectionHeader, header_check));
    std::memcpy(f.data() + at, &s, sizeof s);
    if (!whole) break;  // a truncated last section: left for the reader to report
    at = payload + size_t(s.length);
  }
}

// Reads `f` straight into the layout where possible and always the general way; aborts when the
// models differ.
void check_direct_matches_general(const std::string& f) {
  auto buf = std::make_shared<vz::AnonBuffer>();
  buf->reserve_more(f.size() + 1);
  if (!f.empty()) buf->append(f.data(), f.size());
  std::string dumps[2];
  for (int general = 0; general < 2; ++general) {
    vz::Trace t;
    vz::VztReadOptions opt;
    opt.direct_slices = general == 0;
    if (!vz::read_vzt(buf, t, nullptr, opt)) return;
    dumps[general] = vz::dump_model(t);
  }
  VZ_FUZZ_CHECK(dumps[0] == dumps[1], dumps[0].size(), dumps[1].size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (size % 16 == 15) {
    std::string f;
    if (!vzt::has_magic(data, size)) f.assign(vzt::kMagic, vzt::kMagicSize);
    f.append(in);
    vz_fuzz::load_and_exercise(f);
    return 0;
  }
  std::string f;
  if (!vzt::has_magic(data, size)) {
    vzt::FileHeader h{};
    std::memcpy(h.magic, vzt::kMagic, vzt::kMagicSize);
    h.version_major = vzt::kVersionMajor;
    h.version_minor = vzt::kVersionMinor;
    f.assign(reinterpret_cast<const char*>(&h), sizeof h);
  }
  f.append(in);
  fix_checksums(f);
  vz_fuzz::load_and_exercise(f);
  check_direct_matches_general(f);
  return 0;
}
