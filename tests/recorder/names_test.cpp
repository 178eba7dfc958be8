// Tests of the call-site names VZ_ZONE() gives: a function's qualified name from the compiler's
// signature, and zones in methods and lambdas named after them.
#include <doctest/doctest.h>

#include <string>

#include "recorder/internal.h"
#include "tests/recorder/recorder_test_util.h"
#include "tests/temp_dir.h"

using namespace vz;
using namespace vz::rec_test;
using vz::rec::internal::qualified_function;

TEST_CASE("recorder names: qualified function names from signatures") {
  CHECK(qualified_function("void parse(const char*)") == "parse");
  CHECK(qualified_function("int ns::A::run(int) const") == "ns::A::run");
  CHECK(qualified_function("ns::A::A()") == "ns::A::A");  // a constructor: no return type
  CHECK(qualified_function("std::vector<int> make(std::pair<int, int>) noexcept") == "make");
  CHECK(qualified_function("bool Cmp::operator()(int, int) const") == "Cmp::operator()");
  CHECK(qualified_function("bool operator<(const A&, const A&)") == "operator<");
  // Operators whose symbol holds '>' (no closing template bracket), with return types to drop.
  CHECK(qualified_function("ns::A& ns::A::operator>>(int)") == "ns::A::operator>>");
  CHECK(qualified_function("bool ns::A::operator>(const ns::A&) const") == "ns::A::operator>");
  CHECK(qualified_function("bool ns::A::operator->*(int)") == "ns::A::operator->*");
  CHECK(qualified_function("ns::A* ns::A::operator->()") == "ns::A::operator->");
  CHECK(qualified_function("bool ns::A::operator>=(const ns::A&) const") == "ns::A::operator>=");
  CHECK(qualified_function("std::strong_ordering ns::A::operator<=>(const ns::A&) const") ==
        "ns::A::operator<=>");
  CHECK(qualified_function("bool ns::B<T>::operator>(int) [with T = int]") == "ns::B<T>::operator>");
  CHECK(qualified_function("bool operator>(const A&, const A&)") == "operator>");
  // Clang puts a returned pointer's or reference's '*' / '&' against the name.
  CHECK(qualified_function("ns::A *ns::A::get()") == "ns::A::get");
  CHECK(qualified_function("ns::A &ns::A::operator=(const ns::A &)") == "ns::A::operator=");
  CHECK(qualified_function("ns::A *ns::A::operator->()") == "ns::A::operator->");
  CHECK(qualified_function("const char **f(int)") == "f");
  CHECK(qualified_function("void f() [with T = int]") == "f");
  CHECK(qualified_function("void {anonymous}::helper()") == "helper");  // anonymous namespaces dropped
  CHECK(qualified_function("void (anonymous namespace)::helper()") == "helper");
  CHECK(qualified_function("void ns::{anonymous}::Impl::go()") == "ns::Impl::go");
  CHECK(qualified_function("T* pool<T>::get() [with T = int]") == "pool<T>::get");
  CHECK(qualified_function("main()::<lambda(int)>") == "main::<lambda>");
  CHECK(qualified_function("ns::A::run()::<lambda()>") == "ns::A::run::<lambda>");
  // Clang's spellings: template arguments in brackets, lambdas as anonymous classes.
  CHECK(qualified_function("T ns::twice(T) [T = int]") == "ns::twice");
  CHECK(qualified_function("std::map<K, std::vector<V>> a::b::Box<int, std::vector<int>>::get() const "
                           "[K = int, V = std::vector<int>]") == "a::b::Box<int, std::vector<int>>::get");
  CHECK(qualified_function("auto main(int, char **)::(anonymous class)::operator()(int) const") ==
        "main::<lambda>");
  CHECK(qualified_function("auto ns::A::run()::(lambda at x.cpp:5:14)::operator()() const") ==
        "ns::A::run::<lambda>");
  // Conversion operators keep their type; a function returning a function pointer its name.
  CHECK(qualified_function("a::b::Box<K, V>::operator bool() const [with K = int; V = int]") ==
        "a::b::Box<K, V>::operator bool");
  CHECK(qualified_function("A::operator const char*() const") == "A::operator const char*");
  CHECK(qualified_function("static void (* a::b::Box<K, V>::fp(int))(int) [with K = int; V = int]") ==
        "a::b::Box<K, V>::fp");
  CHECK(qualified_function("int (& ns::table())[4]") == "int (& ns::table())[4]");  // (left whole)
  CHECK(qualified_function("plain") == "plain");  // __func__ on another compiler: unchanged
  CHECK(qualified_function("") == "");
}

namespace {
struct Alpha {
  void run() { VZ_ZONE(); }
};
struct Beta {
  void run() { VZ_ZONE(); }
};
}  // namespace

TEST_CASE("recorder names: VZ_ZONE in two classes' methods and in a lambda names each apart") {
  test::TempDir dir;
  start_session();
  Alpha().run();
  Beta().run();
  auto lambda = [] { VZ_ZONE(); };
  lambda();
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "n.vzt", &msg), msg);
  LoadResult r = load(dir / "n.vzt");
  const Thread& th = r.trace->threads.at(0);
  const std::vector<std::string> names = names_at(*r.trace, th, 0);
  REQUIRE(names.size() == 3);
  CHECK(names[0].find("Alpha::run") != std::string::npos);
  CHECK(names[1].find("Beta::run") != std::string::npos);
  CHECK(names[2].find("lambda") != std::string::npos);
  CHECK(names[0] != names[1]);
}
