// Tests of formats/gzip.cpp through the loader: sniffing by magic bytes, multi-member streams,
// truncated and corrupt streams (keep what inflated before the problem), never a crash.
#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "tests/formats/json_test_util.h"

using namespace json_test;

namespace {

const char* kSmall =
    R"({"traceEvents":[)"
    R"({"ph":"M","name":"process_name","pid":1,"args":{"name":"p"}},)"
    R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10,"args":{"k":[1,2,3]}},)"
    R"({"ph":"B","name":"b","pid":1,"tid":1,"ts":2},{"ph":"E","pid":1,"tid":1,"ts":4},)"
    R"({"ph":"i","name":"i","pid":1,"tid":2,"ts":5,"s":"g"},)"
    R"({"ph":"C","name":"c","pid":1,"ts":6,"args":{"v":1}}],"displayTimeUnit":"ns"})";

// A trace of `n` varied events (so that it does not compress to almost nothing).
std::string varied_trace(int n) {
  Lcg rng(42);
  std::string s = "[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ",\n";
    s += "{\"ph\":\"X\",\"name\":\"f" + std::to_string(rng.below(5000)) + "\",\"pid\":1,\"tid\":" +
         std::to_string(rng.below(4)) + ",\"ts\":" + std::to_string(i * 10) + ",\"dur\":" +
         std::to_string(rng.below(10)) + ",\"args\":{\"r\":" + std::to_string(rng.next()) + "}}";
  }
  return s + "]";
}

// The dump without its format line differences: gzip and plain loads must hold the same model.
std::string model_text(const LoadResult& r) { return dump_model(*r.trace); }

struct TempFile {
  std::string path;
  TempFile(const std::string& name, std::string_view bytes)
      : path("/tmp/vz_gzip_test_" + std::to_string(::getpid()) + "_" + name) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

}  // namespace

TEST_CASE("gzip: a single member loads exactly like the plain text") {
  LoadResult plain = load(kSmall);
  LoadResult gz = load(gzip(kSmall));
  REQUIRE(plain.ok);
  REQUIRE(gz.ok);
  CHECK(plain.format == Format::Json);
  CHECK(gz.format == Format::JsonGz);
  CHECK(gz.trace->diagnostics.empty());
  CHECK(model_text(gz) == model_text(plain));
}

TEST_CASE("gzip: detected by magic bytes, not by the file name") {
  std::string gz = gzip(kSmall);
  TempFile named_json("a.json", gz);
  TempFile named_gz("b.json.gz", kSmall);
  TempFile named_txt("c.txt", gz);
  LoadResult r1 = load_file(named_json.path);
  LoadResult r2 = load_file(named_gz.path);
  LoadResult r3 = load_file(named_txt.path);
  REQUIRE(r1.ok);
  REQUIRE(r2.ok);
  REQUIRE(r3.ok);
  CHECK(r1.format == Format::JsonGz);
  CHECK(r2.format == Format::Json);
  CHECK(r3.format == Format::JsonGz);
  CHECK(r1.input_bytes == gz.size());
  CHECK(model_text(r1) == model_text(r2));
  CHECK(model_text(r3) == model_text(r2));
}

TEST_CASE("gzip: multi-member streams are concatenated, whatever the split point") {
  std::string text = varied_trace(3000);
  LoadResult plain = load(text);
  REQUIRE(plain.ok);
  std::string want = model_text(plain);
  for (size_t split : {size_t(1), size_t(17), text.size() / 3, text.size() / 2 + 7, text.size() - 1}) {
    INFO("split at ", split);
    std::string gz = gzip(text.substr(0, split)) + gzip(text.substr(split));
    LoadResult r = load(gz);
    REQUIRE(r.ok);
    CHECK(r.trace->diagnostics.empty());
    CHECK(model_text(r) == want);
  }
  // Many members, some of them empty.
  std::string many;
  for (size_t at = 0; at < text.size(); at += 1000) many += gzip("") + gzip(text.substr(at, 1000), 1);
  LoadResult r = load(many);
  REQUIRE(r.ok);
  CHECK(model_text(r) == want);
}

TEST_CASE("gzip: a truncated stream keeps what inflated before the cut") {
  std::string text = varied_trace(20000);
  std::string gz = gzip(text);
  LoadResult full = load(text);
  REQUIRE(full.ok);
  const uint64_t all = full.trace->events;
  for (size_t cut : {gz.size() / 4, gz.size() / 2, gz.size() - 9, gz.size() - 1}) {
    INFO("cut at ", cut, " of ", gz.size());
    LoadResult r = load(std::string_view(gz).substr(0, cut));
    REQUIRE(r.ok);
    CHECK(r.format == Format::JsonGz);
    CHECK(r.trace->diagnostics.count(DiagKind::TruncatedInput) >= 1);
    CHECK(r.trace->events <= all);
    if (cut <= gz.size() / 2) {
      CHECK(r.trace->events > 0);
      CHECK(r.trace->events < all);
    }
    // What was loaded is a prefix: every loaded slice exists in the full trace.
    const Thread* th = find_thread(*r.trace, "1", "0");
    if (th && th->slices.size()) {
      const Thread& ft = thread(*full.trace, "1", "0");
      CHECK(th->slices.size() <= ft.slices.size());
      CHECK(th->slices.start[0] == ft.slices.start[0]);
    }
    check_invariants(*r.trace);
  }
}

TEST_CASE("gzip: cut at every byte offset, never crashes, never loads more than the whole") {
  std::string gz = gzip(kSmall);
  LoadResult full = load(kSmall);
  for (size_t cut = 0; cut < gz.size(); ++cut) {
    INFO("cut at ", cut);
    LoadResult r = load(std::string_view(gz).substr(0, cut));
    REQUIRE(r.trace != nullptr);
    if (!r.ok) {
      CHECK_FALSE(r.error.empty());
      continue;
    }
    CHECK(r.trace->events <= full.trace->events);
    check_invariants(*r.trace);
  }
}

TEST_CASE("gzip: corrupt data keeps what inflated before it and says so") {
  std::string text = varied_trace(5000);
  std::string gz = gzip(text);
  SUBCASE("trailing garbage after the last member") {
    LoadResult r = load(gz + "garbage!");
    REQUIRE(r.ok);
    CHECK(r.trace->diagnostics.count(DiagKind::GzipError) == 1);
    // Placed in the inflated text, as every offset of a .json.gz; the gzip offset in the text.
    CHECK(r.trace->diagnostics.get(DiagKind::GzipError).first_offset == text.size());
    CHECK(r.trace->diagnostics.get(DiagKind::GzipError).detail.find(
              "at byte " + std::to_string(gz.size()) + " of the gzip file") != std::string::npos);
    CHECK(r.trace->events == 5000);
  }
  SUBCASE("a cut stream: the first problem is where the inflated text stops") {
    std::string cut = gz.substr(0, gz.size() / 2);
    LoadResult r = load(cut);
    REQUIRE(r.ok);
    const DiagEntry& e = r.trace->diagnostics.get(DiagKind::TruncatedInput);
    CHECK(e.count >= 1);
    // The text inflated from half the file is longer than that half, and shorter than it all.
    CHECK(e.first_offset > cut.size());
    CHECK(e.first_offset < text.size());
    CHECK(r.trace->events < 5000);
  }
  SUBCASE("trailing zero padding is not an error") {
    LoadResult r = load(gz + std::string(512, '\0'));
    REQUIRE(r.ok);
    CHECK(r.trace->diagnostics.empty());
  }
  SUBCASE("flipped bytes in the middle of the deflate stream") {
    std::string bad = gz;
    for (size_t i = bad.size() / 2; i < bad.size() / 2 + 16; ++i) bad[i] = char(~bad[i]);
    LoadResult r = load(bad);
    CHECK(r.trace != nullptr);
    if (r.ok) {
      const Diagnostics& d = r.trace->diagnostics;
      CHECK(d.count(DiagKind::GzipError) + d.count(DiagKind::TruncatedInput) >= 1);
      CHECK(r.trace->events <= 5000);
      check_invariants(*r.trace);
    }
  }
  SUBCASE("only the magic bytes") {
    LoadResult r = load(std::string("\x1f\x8b", 2));
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.error.empty());
  }
  SUBCASE("a gzip stream of something that is not a trace") {
    LoadResult r = load(gzip("just some text"));
    CHECK_FALSE(r.ok);
    CHECK(r.format == Format::JsonGz);
    CHECK_FALSE(r.error.empty());
  }
}
