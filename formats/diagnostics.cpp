#include "formats/diagnostics.h"

#include <algorithm>

namespace vz {
namespace {

constexpr DiagInfo kDiagInfo[] = {
    {"not_a_trace", Severity::Error, "not a trace"},
    {"truncated_input", Severity::Warning, "input ends in the middle of an event"},
    {"malformed_event", Severity::Error, "malformed JSON in an event; event skipped"},
    {"not_an_object", Severity::Warning, "element of traceEvents is not an object; skipped"},
    {"missing_phase", Severity::Warning, "event without \"ph\"; skipped"},
    {"bad_field_type", Severity::Warning, "field of the wrong type or a bad string escape"},
    {"missing_timestamp", Severity::Warning, "event without a valid \"ts\"; not shown, kept as it is in written traces"},
    {"timestamp_out_of_range", Severity::Warning,
     "time more than 2^61 ns (about 73 years) from the trace origin; clamped"},
    {"missing_duration", Severity::Warning, "X event without a valid \"dur\" >= 0; not shown, kept as it is in written traces"},
    {"unknown_phase", Severity::Info, "unknown phase; kept verbatim"},
    {"unmatched_end", Severity::Warning, "E event with no open B on its thread; dropped"},
    {"unmatched_begin", Severity::Info, "B event never closed; kept open to the end of the trace"},
    {"overlapping_slice", Severity::Info, "X event overlaps a sibling without nesting; moved to an overflow lane"},
    {"unmatched_async_end", Severity::Warning, "async end with no open begin; not shown, kept as it is"},
    {"unmatched_async_begin", Severity::Info, "async begin never closed; kept open to the end"},
    {"bad_counter_value", Severity::Warning, "counter value that is not a number; skipped"},
    {"trailing_comma", Severity::Info, "trailing comma"},
    {"missing_close", Severity::Info, "events array or top-level object not closed"},
    {"trailing_garbage", Severity::Warning, "bytes after the end of the document; ignored"},
    {"invalid_utf8", Severity::Warning, "invalid UTF-8 in a string; replaced with U+FFFD"},
    {"gzip_error", Severity::Error, "corrupt or truncated gzip stream; kept what inflated before it"},
    {"vzt_bad_header", Severity::Error, "unsupported .vzt header"},
    {"vzt_checksum", Severity::Error, ".vzt section checksum mismatch; section skipped"},
    {"vzt_bad_section", Severity::Error, ".vzt section does not decode; section skipped"},
    {"vzt_unknown_section", Severity::Info, "unknown .vzt section kind; skipped"},
    {"bad_metadata", Severity::Warning, "metadata with unexpected content; not applied (an event is kept as it is)"},
    {"depth_limit", Severity::Warning, "nesting deeper than supported"},
    {"sparse_counter", Severity::Info,
     "counter series that rarely share a sample; kept as one counter per series"},
    {"counter_limit", Severity::Warning,
     "counter with more than 2^32 - 1 samples (or sparse values); later samples dropped"},
};
static_assert(sizeof(kDiagInfo) / sizeof(kDiagInfo[0]) == size_t(DiagKind::kCount),
              "kDiagInfo must list every DiagKind");

}  // namespace

const DiagInfo& diag_info(DiagKind k) { return kDiagInfo[size_t(k)]; }

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

void Diagnostics::add(DiagKind k, uint64_t offset, std::string_view detail) {
  add_n(k, 1, offset, detail);
}

void Diagnostics::add_n(DiagKind k, uint64_t n, uint64_t offset, std::string_view detail) {
  if (n == 0) return;
  DiagEntry& e = entries_[size_t(k)];
  if (e.count == 0 || offset < e.first_offset) {
    e.first_offset = offset;
    e.detail.assign(detail.substr(0, 200));
  }
  e.count += n;
}

void Diagnostics::sighting(DiagKind k, uint64_t offset, std::string_view detail) {
  DiagEntry& e = entries_[size_t(k)];
  if (e.count == 0) return add(k, offset, detail);
  if (offset < e.first_offset) {
    e.first_offset = offset;
    e.detail.assign(detail.substr(0, 200));
  }
}

void Diagnostics::merge(const Diagnostics& other) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const DiagEntry& o = other.entries_[i];
    if (o.count) add_n(DiagKind(i), o.count, o.first_offset, o.detail);
  }
}

bool Diagnostics::empty() const {
  return std::all_of(entries_.begin(), entries_.end(), [](const DiagEntry& e) { return e.count == 0; });
}

std::string Diagnostics::message(DiagKind k) const {
  std::string m(diag_info(k).description);
  const DiagEntry& e = entries_[size_t(k)];
  if (!e.detail.empty()) {
    m += ": ";
    m += e.detail;
  }
  return m;
}

std::vector<DiagKind> Diagnostics::present() const {
  std::vector<DiagKind> out;
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].count) out.push_back(DiagKind(i));
  return out;
}

std::vector<DiagKind> Diagnostics::problems() const {
  std::vector<DiagKind> out;
  for (DiagKind k : present())
    if (diag_info(k).severity != Severity::Info) out.push_back(k);
  return out;
}

std::string Diagnostics::problem_line(DiagKind k) const {
  const DiagEntry& e = entries_[size_t(k)];
  return "offset " + std::to_string(e.first_offset) + ": " + message(k) +
         (e.count == 1 ? std::string(" (once)") : " (" + std::to_string(e.count) + " times)");
}

}  // namespace vz
