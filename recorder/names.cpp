// Interned names: every string the recorder writes (zone names, counter keys, thread names) gets
// a NameId once; records carry only the id. Strings live in blocks that are never freed or moved,
// so a view taken under the lock stays valid after it is released.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recorder/internal.h"

namespace vz::rec {
namespace internal {
namespace {

struct Names {
  std::mutex mu;
  std::vector<std::unique_ptr<char[]>> blocks;
  size_t block_used = 0, block_cap = 0;
  std::vector<std::string_view> strings{std::string_view()};  // id 0: ""
  std::vector<SiteInfo> sites{SiteInfo{}};
  std::deque<detail::InternedName> interned;           // (addresses never change)
  std::vector<const detail::InternedName*> interned_of;  // by NameId, made on first ask
  std::unordered_map<std::string_view, NameId> ids{{std::string_view(), kNoName}};

  std::string_view store(std::string_view s) {
    if (s.empty()) return {};
    if (block_cap - block_used < s.size()) {
      size_t cap = std::max<size_t>(64 * 1024, s.size());
      blocks.emplace_back(new char[cap]);
      block_used = 0;
      block_cap = cap;
    }
    char* p = blocks.back().get() + block_used;
    std::memcpy(p, s.data(), s.size());
    block_used += s.size();
    return std::string_view(p, s.size());
  }
  NameId intern_locked(std::string_view s) {
    auto it = ids.find(s);
    if (it != ids.end()) return it->second;
    std::string_view v = store(s);
    NameId id = NameId(strings.size());
    strings.push_back(v);
    sites.push_back(SiteInfo{});
    ids.emplace(v, id);
    return id;
  }
};

Names& names() {
  // Never destroyed: threads may record during static destruction. The registry comes first:
  // creating it installs the fork handlers, which also hold this table's lock across fork(),
  // so a call site interned before any start() cannot leave a child with a held lock.
  static Names* n = (registry(), new Names);
  return *n;
}

}  // namespace

std::string_view clip(std::string_view s) { return s.substr(0, detail::clipped_size(s)); }

void names_snapshot(NamesView& out) {
  Names& n = names();
  std::lock_guard<std::mutex> lock(n.mu);
  out.strings = n.strings;
  out.sites = n.sites;
}

size_t names_count() {
  Names& n = names();
  std::lock_guard<std::mutex> lock(n.mu);
  return n.strings.size();
}

void names_lock_for_fork() { names().mu.lock(); }
void names_unlock_after_fork() { names().mu.unlock(); }

}  // namespace internal

NameId intern(std::string_view s) {
  try {
    internal::Names& n = internal::names();
    std::lock_guard<std::mutex> lock(n.mu);
    return n.intern_locked(internal::clip(s));
  } catch (...) {
    return kNoName;  // out of memory: the event gets an empty name
  }
}

namespace internal {

std::string qualified_function(std::string_view sig) {
  const std::string_view whole = sig;
  if (size_t w = sig.find(" [with "); w != std::string_view::npos) sig = sig.substr(0, w);  // template args
  // Clang's template arguments: a trailing " [T = int, U = ...]".
  if (sig.size() > 2 && sig.back() == ']') {
    size_t at = sig.size() - 1;
    for (int depth = 0;; --at) {
      if (sig[at] == ']') ++depth;
      else if (sig[at] == '[' && --depth == 0) break;
      if (at == 0) break;
    }
    if (at > 0 && sig[at] == '[' && sig[at - 1] == ' ') sig = sig.substr(0, at - 1);
  }
  // A lambda as Clang writes it ("auto main(int, char **)::(anonymous class)::operator()(int)
  // const", or "...::(lambda at f.cpp:5:3)::operator()..."): the enclosing function's name and
  // "<lambda>".
  for (std::string_view mark : {std::string_view("::(anonymous class)::operator()"), std::string_view("::(lambda at ")}) {
    if (size_t at = sig.find(mark); at != std::string_view::npos) {
      std::string outer = qualified_function(sig.substr(0, at));
      return (outer.empty() ? std::string("?") : outer) + "::<lambda>";
    }
  }
  // A lambda as GCC writes it ("main()::<lambda(int)>"): the enclosing function's name and
  // "<lambda>", every parameter list dropped.
  if (sig.size() > 1 && sig.back() == '>' && sig.find("<lambda") != std::string_view::npos) {
    std::string out;
    int depth = 0;
    for (char c : sig) {
      if (c == '(') ++depth;
      else if (c == ')') depth = depth > 0 ? depth - 1 : 0;
      else if (depth == 0) out += c;
    }
    if (size_t sp = out.rfind(' ', out.find("::")); sp != std::string::npos) out.erase(0, sp + 1);
    return out.empty() ? std::string(whole) : out;
  }
  // The parameter list: the last ')' after trailing qualifiers (const, noexcept, &, &&) and its '('.
  size_t end = sig.size();
  while (end > 0 && sig[end - 1] != ')') {
    const char c = sig[end - 1];
    if (!(std::isalpha(uint8_t(c)) || c == ' ' || c == '&' || c == '_')) return std::string(whole);
    --end;
  }
  if (end == 0) return std::string(whole);
  size_t open = end - 1;
  for (int depth = 0;; --open) {
    if (sig[open] == ')') ++depth;
    else if (sig[open] == '(' && --depth == 0) break;
    if (open == 0) return std::string(whole);
  }
  // The name: back from the '(' to a space outside brackets (the return type ends there). An
  // operator's symbol is skipped first: its '<' and '>' are no brackets ("A::operator>>",
  // "A::operator->*", "A::operator<=").
  size_t start = open;
  {
    size_t k = open;
    while (k > 0 && sig[k - 1] != 0 && std::strchr("<>=!+-*/%^&|~[](),", sig[k - 1]) != nullptr) --k;
    if (k < open && k >= 8 && sig.substr(k - 8, 8) == "operator" &&
        (k == 8 || sig[k - 9] == ':' || sig[k - 9] == ' '))
      start = k - 8;
  }
  for (int paren = 0, angle = 0; start > 0; --start) {
    const char c = sig[start - 1];
    if (c == ')') ++paren;
    else if (c == '(') --paren;
    else if (c == '>') ++angle;
    else if (c == '<' && angle > 0) --angle;
    else if (c == ' ' && paren == 0 && angle == 0) break;
  }
  // A conversion operator's name has spaces: "Box::operator bool", "A::operator const char*".
  for (size_t op = sig.rfind("operator ", open); op != std::string_view::npos && op < start;) {
    if (op > 0 && sig[op - 1] != ' ' && sig[op - 1] != ':') break;  // ("my_operator bool"...)
    start = op;
    for (int angle = 0; start > 0; --start) {  // the scope before it
      const char c = sig[start - 1];
      if (c == '>') ++angle;
      else if (c == '<' && angle > 0) --angle;
      else if (c == ' ' && angle == 0) break;
    }
    break;
  }
  // Balanced brackets inside the name are part of it: "Cmp::operator()", "(anonymous
  // namespace)::f", "f<std::pair<int, int> >".
  std::string name(sig.substr(start, open - start));
  if (name.empty()) return std::string(whole);
  // A function returning a function pointer: "void (* ns::A::fp(int))(int)" gives "(* ns::A::fp(int))"
  // here: the declarator inside, up to its parameter list.
  if (name.size() > 2 && name[0] == '(' && (name[1] == '*' || name[1] == '&')) {
    size_t b = 2;
    while (b < name.size() && name[b] == ' ') ++b;
    size_t e = b;
    for (int angle = 0; e < name.size(); ++e) {
      if (name[e] == '<') ++angle;
      else if (name[e] == '>' && angle > 0) --angle;
      else if (name[e] == '(' && angle == 0) break;
    }
    name = name.substr(b, e - b);
    if (name.empty()) return std::string(whole);
  }
  // Clang writes a pointer or reference return type against the name ("A *A::get()",
  // "A &A::operator=(const A &)"): it is no part of it.
  while (!name.empty() && (name[0] == '*' || name[0] == '&')) name.erase(0, 1);
  if (name.empty()) return std::string(whole);
  // Anonymous namespaces add nothing a reader needs: "{anonymous}::leaf" is "leaf".
  for (std::string_view anon : {std::string_view("{anonymous}::"), std::string_view("(anonymous namespace)::")})
    for (size_t at; (at = name.find(anon)) != std::string::npos;) name.erase(at, anon.size());
  return name.empty() ? std::string(whole) : name;
}

}  // namespace internal

NameId intern_function(const char* signature, const char* file, uint32_t line) {
  try {
    const std::string name = internal::qualified_function(signature ? signature : "");
    return intern_site(name.c_str(), file, line);
  } catch (...) {
    return kNoName;
  }
}

namespace detail {

const InternedName* intern_site_name(std::string_view name, const char* file, uint32_t line) {
  const NameId id = intern_site(name, file, line);
  try {
    internal::Names& n = internal::names();
    std::lock_guard<std::mutex> lock(n.mu);
    if (n.interned_of.size() <= id) n.interned_of.resize(n.strings.size(), nullptr);
    const InternedName*& slot = n.interned_of[id];
    if (slot == nullptr) {
      const std::string_view text = n.strings[id];
      slot = &n.interned.emplace_back(InternedName{id, uint32_t(text.size()), text.data()});
    }
    return slot;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace detail

NameId intern_site(const char* name, const char* file, uint32_t line) {
  return intern_site(name ? std::string_view(name) : std::string_view(), file, line);
}

NameId intern_site(std::string_view name, const char* file, uint32_t line) {
  try {
    internal::Names& n = internal::names();
    std::lock_guard<std::mutex> lock(n.mu);
    NameId id = n.intern_locked(internal::clip(name));
    if (file && id != kNoName && n.sites[id].file == kNoName) {
      NameId f = n.intern_locked(internal::clip(file));
      n.sites[id] = internal::SiteInfo{f, line};
    }
    return id;
  } catch (...) {
    return kNoName;
  }
}

}  // namespace vz::rec
