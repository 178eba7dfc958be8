// Tests of render/source_lookup.cpp: finding a viztracer function's file and line (file_info first,
// then the "qualname (path:line)" name), splitting decoded source into lines with tabs expanded,
// and the per-trace cache of decoded files. Traces are loaded from JSON like the viewer loads them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/loader.h"
#include "render/source_lookup.h"

using namespace vz;

namespace {

LoadResult load(std::string_view text) {
  LoadOptions opt;
  opt.threads = 1;
  LoadResult r = load_bytes(text, opt);
  REQUIRE(r.ok);
  return r;
}

LoadResult load_data_file(const char* name) {
  LoadOptions opt;
  opt.threads = 1;
  LoadResult r = load_file(std::string(VZ_TEST_DATA) + "/data/" + name, opt);
  REQUIRE(r.ok);
  return r;
}

std::vector<std::string> lines_of(const SourceLines& s) {
  std::vector<std::string> v;
  for (size_t i = 0; i < s.size(); ++i) v.emplace_back(s.line(i));
  return v;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("source_lookup: viztracer names taken apart") {
  ViztracerName n;
  REQUIRE(parse_viztracer_name("Acc.add (/tmp/x/tiny.py:10)", &n));
  CHECK(n.qualname == "Acc.add");
  CHECK(n.path == "/tmp/x/tiny.py");
  CHECK(n.line == 10);
  REQUIRE(parse_viztracer_name("<lambda> (C:\\src\\a (copy).py:7)", &n));
  CHECK(n.qualname == "<lambda>");
  CHECK(n.path == "C:\\src\\a (copy).py");
  CHECK(n.line == 7);
  REQUIRE(parse_viztracer_name("<module> (<string>:1)", &n));
  CHECK(n.path == "<string>");
  for (const char* bad : {"builtins.len", "f (a.py)", "f (a.py:)", "f (a.py:1a)", "f (:3)", "f (a.py:3",
                          "f(a.py:3)", "", "f (a.py:99999999999999999999)"}) {
    INFO(bad);
    CHECK_FALSE(parse_viztracer_name(bad, &n));
  }
}

TEST_CASE("source_lookup: the viztracer sample finds functions, names and missing sources") {
  LoadResult r = load_data_file("viztracer_like.json");
  const Trace& t = *r.trace;
  REQUIRE(has_file_info(t));
  REQUIRE(t.files.size() == 1);

  SourceLocation a = find_source(t, "Acc.add (/tmp/x/tiny.py:10)");
  CHECK(a.found);
  CHECK(a.from_functions);
  CHECK(a.path == "/tmp/x/tiny.py");
  CHECK(a.line == 10);
  CHECK(a.file == 0);

  SourceLocation m = find_source(t, "<module> (/tmp/x/tiny.py:1)");  // not in "functions"
  CHECK(m.found);
  CHECK_FALSE(m.from_functions);
  CHECK(m.line == 1);
  CHECK(m.file == 0);

  CHECK_FALSE(find_source(t, "builtins.len").found);
  SourceLocation other = find_source(t, "g (/tmp/y/other.py:3)");
  CHECK(other.found);
  CHECK(other.file == kNone);

  SourceCache cache;
  const SourceLines* lines = cache.get(t, 0);
  REQUIRE(lines != nullptr);
  CHECK(int64_t(lines->size()) == t.files[0].lines);
  CHECK(lines->line(3) == "    def add(self, v):");
  CHECK(cache.get(t, 0) == lines);  // decoded once
  CHECK(cache.get(t, 1) == nullptr);
}

TEST_CASE("source_lookup: file_info wins over the name, paths match by whole components") {
  LoadResult r = load(R"J({"traceEvents":[],"file_info":{
      "files":{"/home/u/proj/a.py":["def f():\n\treturn 1\n",2],"/e.py":["",0],"/n.py":[null,3]},
      "functions":{"f (/home/u/proj/a.py:5)":["/home/u/proj/a.py",1],"g (proj/a.py:2)":["proj/a.py",2]}}})J");
  const Trace& t = *r.trace;
  REQUIRE(t.files.size() == 3);
  SourceLocation f = find_source(t, "f (/home/u/proj/a.py:5)");
  CHECK(f.from_functions);
  CHECK(f.line == 1);  // the functions map, not the name
  CHECK(find_source(t, "g (proj/a.py:2)").file == find_source_file(t, "/home/u/proj/a.py"));
  CHECK(find_source_file(t, "j/a.py") == kNone);  // "j/a.py" is not a whole-component suffix
  CHECK(find_source_file(t, "a.py") == 0);
  CHECK(find_source_file(t, "") == kNone);

  SourceCache cache;
  const SourceLines* a = cache.get(t, 0);
  REQUIRE(a != nullptr);
  CHECK(lines_of(*a) == Lines{"def f():", "    return 1"});
  const SourceLines* e = cache.get(t, find_source_file(t, "/e.py"));
  REQUIRE(e != nullptr);
  CHECK(e->size() == 0);
  const SourceLines* n = cache.get(t, find_source_file(t, "/n.py"));
  REQUIRE(n != nullptr);
  CHECK(n->size() == 0);  // a source that is not a string counts as empty

  LoadResult plain = load(R"J({"traceEvents":[{"ph":"X","name":"f (/a.py:1)","pid":1,"tid":1,"ts":0,"dur":1}]})J");
  CHECK_FALSE(has_file_info(*plain.trace));
  CHECK(cache.get(*plain.trace, 0) == nullptr);  // another trace: the cache starts over
}

TEST_CASE("source_lookup: lines split on every terminator, tabs expand to stops") {
  CHECK(lines_of(split_source_lines("a\n\tb\r\nc\rd")) == Lines{"a", "    b", "c", "d"});
  CHECK(lines_of(split_source_lines("x\n")) == Lines{"x"});
  CHECK(lines_of(split_source_lines("\n\n")) == Lines{"", ""});
  CHECK(split_source_lines("").size() == 0);
  CHECK(lines_of(split_source_lines("ab\tc")) == Lines{"ab  c"});
  CHECK(lines_of(split_source_lines("\xc3\xa9\tx")) == Lines{"\xc3\xa9   x"});  // é is one column
  CHECK(lines_of(split_source_lines("a\tb", 8)) == Lines{"a       b"});
  const SourceLines s = split_source_lines("abc\nabcdefg\n\tz");
  CHECK(s.max_width == 7);
  CHECK(s.size() == 3);
}

TEST_CASE("source_lookup: JSON source tokens are decoded, bad escapes kept raw") {
  SourceLines s = decode_source(R"("x\ty\n\u00e9\\")");
  CHECK_FALSE(s.bad_escape);
  CHECK(lines_of(s) == Lines{"x   y", "\xc3\xa9\\"});
  s = decode_source(R"("a\qb")");
  CHECK(s.bad_escape);
  CHECK(lines_of(s) == Lines{"a\\qb"});
}

TEST_CASE("source_lookup: a large file splits into the right lines") {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "line " + std::to_string(i) + (i % 3 ? "\n" : "\r\n");
  const SourceLines s = split_source_lines(text);
  REQUIRE(s.size() == 200000);
  CHECK(s.line(0) == "line 0");
  CHECK(s.line(123456) == "line 123456");
  CHECK(s.line(199999) == "line 199999");
}
