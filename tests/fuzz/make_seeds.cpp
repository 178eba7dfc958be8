// fuzz_make_seeds: turns JSON seed traces into .vzt seeds for fuzz_vzt (run by scripts/fuzz.sh).
//
//   fuzz_make_seeds OUT_DIR IN.json...
//
// Writes OUT_DIR/<name>.vzt (zstd-compressed sections) and OUT_DIR/<name>.raw.vzt (uncompressed,
// so that mutations land in the section decoders rather than in zstd frames). Inputs that do not
// load are skipped.
#include <cstdio>
#include <string>

#include "formats/loader.h"
#include "formats/writer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: fuzz_make_seeds OUT_DIR IN.json...\n");
    return 2;
  }
  std::string dir = argv[1];
  int written = 0;
  for (int i = 2; i < argc; ++i) {
    std::string in = argv[i];
    vz::LoadResult r = vz::load_file(in);
    if (!r.ok) {
      std::fprintf(stderr, "fuzz_make_seeds: %s: %s (skipped)\n", in.c_str(), r.error.c_str());
      continue;
    }
    std::string base = in.substr(in.find_last_of('/') + 1);
    if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) base.resize(base.size() - 5);
    for (bool compress : {true, false}) {
      vz::SaveOptions opt;
      opt.vzt_compress = compress;
      std::string out = dir + "/" + base + (compress ? ".vzt" : ".raw.vzt");
      std::string err;
      if (vz::save_trace(*r.trace, out, &err, opt)) {
        ++written;
      } else {
        std::fprintf(stderr, "fuzz_make_seeds: %s: %s\n", out.c_str(), err.c_str());
      }
    }
  }
  std::fprintf(stderr, "fuzz_make_seeds: %d seeds written to %s\n", written, dir.c_str());
  return written > 0 ? 0 : 1;
}
