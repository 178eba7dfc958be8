// Tests of formats/io.cpp (AtomicFile, MappedFile, AnonBuffer, ends_with_ci) and of
// formats/writer.cpp's choice of format and failure handling (save_trace).
#include <doctest/doctest.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "formats/io.h"
#include "formats/loader.h"
#include "formats/writer.h"

using namespace vz;
using vz::test::TempDir;

namespace {


std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_all(const std::string& path, const std::string& s) {
  std::ofstream f(path, std::ios::binary);
  f << s;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

const char* kTrace = R"({"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":2}]})";

}  // namespace

// ---------------------------------------------------------------------------------------------
// AtomicFile
// ---------------------------------------------------------------------------------------------

TEST_CASE("AtomicFile: commit renames the temporary file into place") {
  TempDir d;
  std::string target = d / "out.json";
  write_all(target, "old");
  AtomicFile f;
  std::string error;
  REQUIRE(f.open(target, &error));
  CHECK(f.ok());
  CHECK(f.write("hello "));
  CHECK(f.write(std::string(3 << 20, 'x')));  // larger than the write buffer
  CHECK(f.write("world", 5));
  CHECK(f.bytes_written() == 6 + (3u << 20) + 5);
  CHECK(read_all(target) == "old");  // untouched until commit
  CHECK(d.temporaries() == 1);
  REQUIRE(f.commit(&error));
  CHECK(error.empty());
  std::string got = read_all(target);
  CHECK(got.size() == 6 + (3u << 20) + 5);
  CHECK(got.substr(0, 6) == "hello ");
  CHECK(got.substr(got.size() - 5) == "world");
  CHECK(d.temporaries() == 0);
  CHECK(d.names().size() == 1);
  // Committing twice is an error, not a crash.
  std::string again;
  CHECK(!f.commit(&again));
  CHECK(!again.empty());
}

TEST_CASE("AtomicFile: abort and the destructor leave no temporary and the target untouched") {
  TempDir d;
  std::string target = d / "keep.vzt";
  write_all(target, "precious");
  {
    AtomicFile f;
    REQUIRE(f.open(target, nullptr));
    CHECK(f.write("partial"));
    CHECK(d.temporaries() == 1);
    f.abort();
    CHECK(d.temporaries() == 0);
    CHECK(!f.ok());
    CHECK(!f.write("more"));  // writes after abort fail
  }
  {
    AtomicFile f;
    REQUIRE(f.open(target, nullptr));
    CHECK(f.write(std::string(2 << 20, 'y')));
  }  // destroyed without commit
  CHECK(read_all(target) == "precious");
  CHECK(d.temporaries() == 0);
  {
    AtomicFile f;  // never opened: destructor and abort are harmless
    f.abort();
    std::string e;
    CHECK(!f.commit(&e));
    CHECK(!e.empty());
  }
  // A new file that is never committed does not appear at all.
  {
    AtomicFile f;
    REQUIRE(f.open(d / "new.json", nullptr));
    f.write("x");
  }
  CHECK(!exists(d / "new.json"));
  CHECK(d.names() == std::vector<std::string>{"keep.vzt"});
}

TEST_CASE("AtomicFile: reopening discards the previous temporary") {
  TempDir d;
  AtomicFile f;
  REQUIRE(f.open(d / "a.json", nullptr));
  f.write("first");
  REQUIRE(f.open(d / "b.json", nullptr));
  f.write("second");
  CHECK(d.temporaries() == 1);
  REQUIRE(f.commit(nullptr));
  CHECK(!exists(d / "a.json"));
  CHECK(read_all(d / "b.json") == "second");
  CHECK(d.temporaries() == 0);
}

TEST_CASE("AtomicFile: failures report an error naming the file") {
  TempDir d;
  std::string error;
  AtomicFile f;
  SUBCASE("a directory that does not exist") {
    std::string target = d / "missing/dir/out.json";
    CHECK(!f.open(target, &error));
    CHECK(error.find("missing/dir/out.json") != std::string::npos);
    CHECK(!f.ok());
    CHECK(!f.write("x"));
  }
  SUBCASE("a path through a regular file") {
    write_all(d / "file", "x");
    CHECK(!f.open(d / "file/out.json", &error));
    CHECK(error.find("file/out.json") != std::string::npos);
  }
  SUBCASE("a target that is a directory: the rename fails, the temporary goes") {
    std::string target = d / "dir.json";
    REQUIRE(::mkdir(target.c_str(), 0755) == 0);
    REQUIRE(f.open(target, &error));
    CHECK(f.write("data"));
    CHECK(!f.commit(&error));
    CHECK(error.find("dir.json") != std::string::npos);
    CHECK(d.temporaries() == 0);
  }
  SUBCASE("a write that fails (file size limit): commit fails, nothing is left behind") {
    std::string target = d / "big.json";
    write_all(target, "old");
    struct rlimit old;
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    struct rlimit small = old;
    small.rlim_cur = 1 << 20;
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    REQUIRE(f.open(target, &error));
    bool wrote = true;
    for (int i = 0; i < 4 && wrote; ++i) wrote = f.write(std::string(1 << 20, 'x'));
    bool committed = f.commit(&error);
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    CHECK(!(wrote && committed));
    CHECK(!committed);
    CHECK(error.find("big.json") != std::string::npos);
    CHECK(read_all(target) == "old");
    CHECK(d.temporaries() == 0);
  }
}

TEST_CASE("ends_with_ci") {
  CHECK(ends_with_ci("a.JSON", ".json"));
  CHECK(ends_with_ci("trace.Json.Gz", ".json.gz"));
  CHECK(ends_with_ci(".vzt", ".vzt"));
  CHECK(!ends_with_ci("vzt", ".vzt"));
  CHECK(!ends_with_ci("a.json.txt", ".json"));
  CHECK(ends_with_ci("", ""));
}

// ---------------------------------------------------------------------------------------------
// MappedFile and AnonBuffer
// ---------------------------------------------------------------------------------------------

TEST_CASE("MappedFile: contents, then kPadding readable zero bytes past the end") {
  TempDir d;
  long page = sysconf(_SC_PAGESIZE);
  for (long n : {1L, 63L, 64L, 100L, page - 64, page - 1, page, page + 1, 2 * page, 3 * page - 10}) {
    CAPTURE(n);
    std::string content(size_t(n), '\0');
    for (long i = 0; i < n; ++i) content[size_t(i)] = char('a' + i % 26);
    std::string path = d / ("f" + std::to_string(n));
    write_all(path, content);
    std::string error;
    auto m = MappedFile::open(path, &error);
    REQUIRE(m);
    CHECK(error.empty());
    REQUIRE(m->size() == size_t(n));
    CHECK(std::memcmp(m->data(), content.data(), size_t(n)) == 0);
    bool zero = true;
    for (size_t i = 0; i < kPadding; ++i) zero &= m->data()[size_t(n) + i] == 0;  // faults if unmapped
    CHECK(zero);
    CHECK(m->view(ByteRange{0, 1}) == content.substr(0, 1));
  }
}

TEST_CASE("MappedFile: an empty file maps to size 0 with readable padding") {
  TempDir d;
  write_all(d / "empty", "");
  std::string error;
  auto m = MappedFile::open(d / "empty", &error);
  REQUIRE(m);
  CHECK(m->size() == 0);
  REQUIRE(m->data() != nullptr);
  bool zero = true;
  for (size_t i = 0; i < kPadding; ++i) zero &= m->data()[i] == 0;
  CHECK(zero);
  // And the loader turns it into a clean "nothing loaded" with an offset.
  LoadResult r = load_file(d / "empty");
  CHECK(!r.ok);
  CHECK(!r.error.empty());
  CHECK(r.error_offset == 0);
}

TEST_CASE("MappedFile: a missing file or a directory is an error naming it") {
  TempDir d;
  std::string error;
  CHECK(!MappedFile::open(d / "nope.json", &error));
  CHECK(error.find(d / "nope.json") != std::string::npos);
  CHECK(error.find("No such file") != std::string::npos);
  error.clear();
  CHECK(!MappedFile::open(d.path, &error));
  CHECK(error.find(d.path) != std::string::npos);
  CHECK(!MappedFile::open(d / "nope.json", nullptr));  // no error sink: still fine
  LoadResult r = load_file(d / "nope.json");
  CHECK(!r.ok);
  CHECK(r.error.find("nope.json") != std::string::npos);
  REQUIRE(r.trace);
}

TEST_CASE("AnonBuffer: grows, keeps contents, zero padding after shrink_to_fit") {
  AnonBuffer b;
  CHECK(b.size() == 0);
  std::string all;
  for (int i = 0; i < 3000; ++i) {
    std::string piece(size_t(1 + i % 977), char('A' + i % 26));
    REQUIRE(b.append(piece.data(), piece.size()));
    all += piece;
  }
  REQUIRE(b.size() == all.size());
  CHECK(std::memcmp(b.data(), all.data(), all.size()) == 0);
  b.shrink_to_fit();
  CHECK(b.size() == all.size());
  CHECK(std::memcmp(b.data(), all.data(), all.size()) == 0);
  bool zero = true;
  for (size_t i = 0; i < kPadding; ++i) zero &= b.data()[b.size() + i] == 0;
  CHECK(zero);
  REQUIRE(b.reserve_more(10));
  std::memcpy(b.tail(), "0123456789", 10);
  b.grow(10);
  CHECK(std::string_view(b.data() + all.size(), 10) == "0123456789");
}

// ---------------------------------------------------------------------------------------------
// save_trace
// ---------------------------------------------------------------------------------------------

TEST_CASE("save_trace: picks the format by extension and writes loadable files") {
  TempDir d;
  LoadResult r = load_bytes(kTrace);
  REQUIRE(r.ok);
  for (const char* name : {"a.json", "b.JSON", "c.json.gz", "d.gz", "e.vzt"}) {
    CAPTURE(name);
    std::string error;
    REQUIRE(save_trace(*r.trace, d / name, &error));
    CHECK(error.empty());
    LoadResult back = load_file(d / name);
    REQUIRE(back.ok);
    std::string n = name;
    Format want = n.find(".vzt") != std::string::npos ? Format::Vzt
                  : n.find("gz") != std::string::npos ? Format::JsonGz
                                                        : Format::Json;
    CHECK(back.format == want);
    CHECK(back.trace->slice_count() == 1);
  }
  CHECK(d.temporaries() == 0);
}

TEST_CASE("save_trace: an unknown extension or an unwritable place fails cleanly") {
  TempDir d;
  LoadResult r = load_bytes(kTrace);
  REQUIRE(r.ok);
  std::string error;
  CHECK(!save_trace(*r.trace, d / "out.txt", &error));
  CHECK(error.find("out.txt") != std::string::npos);
  CHECK(d.names().empty());  // nothing created, not even a temporary
  error.clear();
  CHECK(!save_trace(*r.trace, d / "out", &error));
  CHECK(!error.empty());
  CHECK(!save_trace(*r.trace, d / "out.txt", nullptr));  // no error sink: still fine
  for (const char* name : {"no/dir/x.json", "no/dir/x.json.gz", "no/dir/x.vzt"}) {
    CAPTURE(name);
    error.clear();
    CHECK(!save_trace(*r.trace, d / name, &error));
    CHECK(error.find("no/dir/x") != std::string::npos);
  }
  // Replacing an existing file keeps the old content when the write fails (target is a
  // directory, so the final rename fails), for every format.
  for (const char* name : {"dir.json", "dir.json.gz", "dir.vzt"}) {
    CAPTURE(name);
    REQUIRE(::mkdir((d / name).c_str(), 0755) == 0);
    error.clear();
    CHECK(!save_trace(*r.trace, d / name, &error));
    CHECK(!error.empty());
    struct stat st;
    REQUIRE(::stat((d / name).c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
  }
  CHECK(d.temporaries() == 0);
}

TEST_CASE("save_trace: overwriting a file replaces it whole") {
  TempDir d;
  std::string target = d / "t.json";
  write_all(target, std::string(1 << 20, 'z'));  // longer than the new content
  LoadResult r = load_bytes(kTrace);
  REQUIRE(r.ok);
  REQUIRE(save_trace(*r.trace, target, nullptr));
  std::string got = read_all(target);
  CHECK(got.find('z') == std::string::npos);
  CHECK(load_file(target).ok);
  CHECK(d.temporaries() == 0);
}
