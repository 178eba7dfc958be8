// The Trace info panel. See stats_panel.h.
#include "render/stats_panel.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cinttypes>
#include <cstdio>

#include <imgui.h>

#include "analysis/search.h"
#include "render/text_fit.h"
#include "render/theme.h"

namespace vz {

// ---------------------------------------------------------------------------------------------
// Small drawing helpers
// ---------------------------------------------------------------------------------------------

void text_right(const char* s, const ImVec4* color) {
  const float w = ImGui::CalcTextSize(s).x;
  const float avail = ImGui::GetContentRegionAvail().x;
  if (avail > w) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w);
  if (color) {
    ImGui::TextColored(*color, "%s", s);
  } else {
    ImGui::TextUnformatted(s);
  }
}

namespace {

// Trace text (a name, a pid) in a table cell, cut to what the cell can show, or to `max_em` ems in
// a column that fits its content: names may be megabytes long, and ImGui walks all they hold.
void cell_text(std::string_view s, const ImVec4* color = nullptr, float max_em = 0.0f) {
  const float room = max_em > 0 ? ImGui::GetFontSize() * max_em
                                : ImGui::GetContentRegionAvail().x + ImGui::GetStyle().CellPadding.x * 2.0f;
  const std::string_view shown = fit_text(s, room);
  if (color) ImGui::PushStyleColor(ImGuiCol_Text, *color);
  ImGui::TextUnformatted(shown.data(), shown.data() + shown.size());
  if (color) ImGui::PopStyleColor();
}

// The widest a pid or tid column grows (ems): ids are usually numbers, but may be any string.
constexpr float kIdEms = 24.0f;

// A right-aligned count; zero is dimmed, and non-zero uses `nonzero` when given.
void count_cell(uint64_t n, const ImVec4* nonzero = nullptr) {
  const std::string s = format_count(n);
  if (n == 0) {
    text_right(s.c_str(), &palette().text_dim);
  } else {
    text_right(s.c_str(), nonzero);
  }
}

// A dim label followed by a value on the same line.
void label_value(const char* label, const std::string& value) {
  ImGui::TextColored(palette().text_dim, "%s", label);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(value.c_str());
}

// A bold section title with a thin separator under it.
bool section(const char* title, bool default_open = true) {
  ImGui::Spacing();
  FontScope bold(fonts().bold);
  return ImGui::CollapsingHeader(title, default_open ? ImGuiTreeNodeFlags_DefaultOpen : 0);
}

// Height for a table showing up to `max_rows` of `rows` plus its header.
float table_height(size_t rows, size_t max_rows) {
  const float row = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2.0f;
  const size_t shown = std::max<size_t>(1, std::min(rows, max_rows));
  return row * float(shown + 1) + 4.0f;
}

// A borderless table of (label, value) pairs, two pairs per row, as wide as its content.
bool begin_key_value_table(const char* id) {
  const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX |
                                ImGuiTableFlags_NoSavedSettings;
  if (!ImGui::BeginTable(id, 4, flags)) return false;
  const float em = ImGui::GetFontSize();
  ImGui::TableSetupColumn("k1", ImGuiTableColumnFlags_WidthFixed, em * 11.0f);
  ImGui::TableSetupColumn("v1", ImGuiTableColumnFlags_WidthFixed, em * 16.0f);
  ImGui::TableSetupColumn("k2", ImGuiTableColumnFlags_WidthFixed, em * 11.0f);
  ImGui::TableSetupColumn("v2", ImGuiTableColumnFlags_WidthFixed, em * 16.0f);
  return true;
}

const ImVec4& severity_color(Severity s) {
  switch (s) {
    case Severity::Info: return palette().info;
    case Severity::Warning: return palette().warning;
    case Severity::Error: return palette().error;
  }
  return palette().text;
}

// Sorts `rows` by a table's sort specs; cmp(a, b, column_user_id) returns <0, 0 or >0.
template <class Cmp>
void sort_rows(std::vector<uint32_t>& rows, const ImGuiTableSortSpecs* specs, Cmp cmp) {
  if (!specs || specs->SpecsCount == 0) {
    std::sort(rows.begin(), rows.end());
    return;
  }
  std::stable_sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    for (int i = 0; i < specs->SpecsCount; ++i) {
      const ImGuiTableColumnSortSpecs& s = specs->Specs[i];
      const int c = cmp(a, b, s.ColumnUserID);
      if (c != 0) return s.SortDirection == ImGuiSortDirection_Ascending ? c < 0 : c > 0;
    }
    return a < b;
  });
}

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int natural_cmp(std::string_view a, std::string_view b) {
  return id_less(a, b) ? -1 : (id_less(b, a) ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Header, banner, cards, file details
// ---------------------------------------------------------------------------------------------

std::string_view base_name(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

void draw_header(const LoadResult& result, std::string_view path) {
  float large_ascent = 0, y = ImGui::GetCursorPosY();
  {
    FontScope large(fonts().large);
    large_ascent = ImGui::GetFont()->Ascent;
    const std::string name(base_name(path));
    ImGui::TextUnformatted(name.empty() ? "(no file)" : name.c_str());
  }
  // Same baseline as the file name, smaller and dimmer.
  ImGui::SameLine(0, ImGui::GetFontSize() * 0.8f);
  ImGui::SetCursorPosY(y + large_ascent - ImGui::GetFont()->Ascent);
  ImGui::TextColored(palette().text_dim, "%s  \xc2\xb7  %s", std::string(format_name(result.format)).c_str(),
                     format_bytes(result.input_bytes).c_str());
  FontScope mono(fonts().mono);
  ImGui::TextColored(palette().text_dim, "%.*s", int(path.size()), path.data());
}

// The fatal error or cancellation notice, when there is one.
void draw_banner(const LoadResult& result) {
  if (result.ok && !result.cancelled) return;
  const Palette& p = palette();
  const ImVec4 color = result.cancelled ? p.warning : p.error;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(color.x, color.y, color.z, 0.12f));
  ImGui::PushStyleColor(ImGuiCol_Border, ImVec4(color.x, color.y, color.z, 0.6f));
  const float h = ImGui::GetTextLineHeightWithSpacing() * 2.0f + ImGui::GetStyle().WindowPadding.y * 2;
  ImGui::BeginChild("##banner", ImVec2(0, h), true, ImGuiWindowFlags_NoScrollbar);
  {
    FontScope bold(fonts().bold);
    ImGui::TextColored(color, "%s", result.cancelled ? "Loading was cancelled"
                                                     : "The file could not be loaded");
  }
  if (result.cancelled) {
    ImGui::TextUnformatted("What was read before cancelling is shown below.");
  } else {
    ImGui::TextWrapped("%s (at byte %s)", result.error.empty() ? "unknown error" : result.error.c_str(),
                       format_count(result.error_offset).c_str());
  }
  ImGui::EndChild();
  ImGui::PopStyleColor(2);
}

struct Card {
  const char* label;
  std::string value;
  std::string sub;
  const ImVec4* color = nullptr;  // value colour; null = text
};

void draw_card(const Card& c, float width, float height) {
  ImGui::PushStyleColor(ImGuiCol_ChildBg, palette().card_bg);
  ImGui::BeginChild(c.label, ImVec2(width, height), true, ImGuiWindowFlags_NoScrollbar);
  ImGui::TextColored(palette().text_dim, "%s", c.label);
  {
    FontScope large(fonts().large);
    ImGui::TextColored(c.color ? *c.color : palette().text, "%s", c.value.c_str());
  }
  ImGui::TextColored(palette().text_dim, "%s", c.sub.c_str());
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

// Total diagnostic occurrences and the worst severity present.
std::pair<uint64_t, int> diag_totals(const Diagnostics& d) {
  uint64_t total = 0;
  int worst = -1;
  for (DiagKind k : d.present()) {
    total += d.count(k);
    worst = std::max(worst, int(diag_info(k).severity));
  }
  return {total, worst};
}

void draw_cards(const Trace& trace, const TraceSummary& s, const LoadResult& result) {
  uint32_t max_depth = 0;
  for (const ThreadSummary& t : s.threads) max_depth = std::max(max_depth, t.max_depth);
  uint64_t samples = 0;
  for (const CounterSummary& c : s.counters) samples += c.samples;
  const auto [diags, worst] = diag_totals(trace.diagnostics);
  const Palette& p = palette();

  Card cards[] = {
      {"Events", format_count(s.events), "read from " + format_bytes(result.input_bytes)},
      {"Slices", format_count(s.slices), "max depth " + std::to_string(max_depth)},
      {"Threads", format_count(s.threads.size()),
       "in " + format_count(trace.processes.size()) +
           (trace.processes.size() == 1 ? " process" : " processes")},
      {"Duration", format_duration(trace.end - trace.start), "first to last event"},
      {"Counters", format_count(s.counters.size()), format_count(samples) + " samples"},
      {"Diagnostics", diags == 0 ? "none" : format_count(diags),
       diags == 0 ? "clean import" : std::to_string(trace.diagnostics.present().size()) + " kinds",
       diags == 0 ? &p.good : &severity_color(Severity(worst))},
  };
  const int n = int(sizeof(cards) / sizeof(cards[0]));
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float width = (ImGui::GetContentRegionAvail().x - spacing * float(n - 1)) / float(n);
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float large = fonts().large ? fonts().large->FontSize : ImGui::GetFontSize();
  const float height = line * 2.0f + large + ImGui::GetStyle().WindowPadding.y * 2.0f + 2.0f;
  for (int i = 0; i < n; ++i) {
    if (i > 0) ImGui::SameLine();
    draw_card(cards[i], std::max(width, 60.0f), height);
  }
}

void draw_file_details(const Trace& trace, const LoadResult& result) {
  if (!section("File")) return;
  if (!begin_key_value_table("##file")) return;
  const std::string status = !result.ok ? "failed" : (result.cancelled ? "cancelled (partial)" : "complete");
  const std::string unit = trace.display_time_unit.empty() ? "not set" : trace.display_time_unit;
  const std::pair<const char*, std::string> rows[] = {
      {"Format", std::string(format_name(result.format))},
      {"Size on disk", format_bytes(result.input_bytes) + "  (" + format_count(result.input_bytes) + " bytes)"},
      {"Load", status},
      {"Layout", trace.object_form ? "{\"traceEvents\": [...]}" : "[...] (array form)"},
      {"Time span", format_duration(trace.end - trace.start)},
      {"Display time unit", unit},
      {"Processes", format_count(trace.processes.size())},
      {"Interned strings", format_count(trace.strings.size()) + "  (" + format_bytes(trace.strings.bytes()) + ")"},
      {"Source files", format_count(trace.files.size())},
      {"Metadata entries", format_count(trace.metadata.size())},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); ++i) {
    if (i % 2 == 0) ImGui::TableNextRow();
    ImGui::TableNextColumn();
    label_value(rows[i].first, rows[i].second);
  }
  ImGui::EndTable();
}

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

enum ThreadColumn : ImGuiID { kTPid, kTTid, kTName, kTSlices, kTDepth, kTTop, kTUnB, kTUnE, kTInst, kTProcess };

int compare_threads(const ThreadSummary& a, const ThreadSummary& b, ImGuiID col) {
  switch (col) {
    case kTPid: return natural_cmp(a.pid, b.pid);
    case kTTid: return natural_cmp(a.tid, b.tid);
    case kTName: return three_way(a.name, b.name);
    case kTProcess: return three_way(a.process, b.process);
    case kTSlices: return three_way(a.slices, b.slices);
    case kTDepth: return three_way(a.max_depth, b.max_depth);
    case kTTop: return three_way(a.top_level_total, b.top_level_total);
    case kTUnB: return three_way(a.unmatched_begin, b.unmatched_begin);
    case kTUnE: return three_way(a.unmatched_end, b.unmatched_end);
    case kTInst: return three_way(a.instants, b.instants);
    default: return 0;
  }
}

void rebuild_thread_rows(const TraceSummary& s, TraceInfoState& st, const ImGuiTableSortSpecs* specs) {
  st.thread_rows.clear();
  const std::string_view filter(st.thread_filter);
  for (uint32_t i = 0; i < s.threads.size(); ++i) {
    const ThreadSummary& t = s.threads[i];
    if (contains_ignoring_case(t.name, filter) || contains_ignoring_case(t.pid, filter) || contains_ignoring_case(t.tid, filter) ||
        contains_ignoring_case(t.process, filter)) {
      st.thread_rows.push_back(i);
    }
  }
  sort_rows(st.thread_rows, specs, [&](uint32_t a, uint32_t b, ImGuiID col) {
    return compare_threads(s.threads[a], s.threads[b], col);
  });
  st.threads_dirty = false;
}

void setup_thread_columns() {
  const ImGuiTableColumnFlags num = ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending;
  ImGui::TableSetupColumn("pid", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultSort, 0, kTPid);
  ImGui::TableSetupColumn("Process", ImGuiTableColumnFlags_WidthStretch, 0.6f, kTProcess);
  ImGui::TableSetupColumn("tid", ImGuiTableColumnFlags_WidthFixed, 0, kTTid);
  ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_NoHide, 1.0f, kTName);
  ImGui::TableSetupColumn("Slices", num, 0, kTSlices);
  ImGui::TableSetupColumn("Max depth", num, 0, kTDepth);
  ImGui::TableSetupColumn("Top-level time", num, ImGui::GetFontSize() * 14.0f, kTTop);
  ImGui::TableSetupColumn("Unmatched B", num, 0, kTUnB);
  ImGui::TableSetupColumn("Unmatched E", num, 0, kTUnE);
  ImGui::TableSetupColumn("Instants", num, 0, kTInst);
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableHeadersRow();
}

// The top-level time, right-aligned, with a bar to its left showing its share of the trace's span.
void top_level_cell(Time total, Time span) {
  const float frac = span > 0 ? std::clamp(float(double(total) / double(span)), 0.0f, 1.0f) : 0.0f;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float text_w = ImGui::CalcTextSize("000.00 ms").x;
  const float bar_w = ImGui::GetContentRegionAvail().x - text_w - ImGui::GetStyle().ItemSpacing.x;
  if (bar_w > 8.0f) {
    const float h = ImGui::GetTextLineHeight();
    const ImVec4 a = palette().accent;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 lo(p.x, p.y + h * 0.25f), hi(p.x + bar_w, p.y + h * 0.75f);
    dl->AddRectFilled(lo, hi, to_u32(ImVec4(a.x, a.y, a.z, 0.10f)), 2.0f);
    if (frac > 0) dl->AddRectFilled(lo, ImVec2(p.x + bar_w * frac, hi.y), to_u32(ImVec4(a.x, a.y, a.z, 0.65f)), 2.0f);
  }
  text_right(format_duration(total).c_str(), total == 0 ? &palette().text_dim : nullptr);
  if (ImGui::IsItemHovered() && span > 0) {
    ImGui::SetTooltip("%.1f%% of the trace's time span", double(frac) * 100.0);
  }
}

void thread_row(const ThreadSummary& t, Time span) {
  const Palette& p = palette();
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  cell_text(t.pid, nullptr, kIdEms);
  ImGui::TableNextColumn();
  if (t.process.empty()) ImGui::TextColored(p.text_dim, "(unnamed)");
  else cell_text(t.process);
  ImGui::TableNextColumn();
  cell_text(t.tid, nullptr, kIdEms);
  ImGui::TableNextColumn();
  if (t.name.empty()) {
    ImGui::TextColored(p.text_dim, "(unnamed)");
  } else {
    cell_text(t.name);
  }
  ImGui::TableNextColumn();
  count_cell(t.slices);
  ImGui::TableNextColumn();
  count_cell(t.max_depth);
  ImGui::TableNextColumn();
  top_level_cell(t.top_level_total, span);
  ImGui::TableNextColumn();
  count_cell(t.unmatched_begin, &p.warning);
  ImGui::TableNextColumn();
  count_cell(t.unmatched_end, &p.warning);
  ImGui::TableNextColumn();
  count_cell(t.instants);
}

void draw_threads(const Trace& trace, const TraceSummary& s, TraceInfoState& st) {
  char title[64];
  std::snprintf(title, sizeof(title), "Threads (%zu)###threads", s.threads.size());
  if (!section(title)) return;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18.0f);
  if (ImGui::InputTextWithHint("##thread_filter", "Filter by pid, process, tid or name", st.thread_filter,
                               sizeof(st.thread_filter))) {
    st.threads_dirty = true;
  }
  if (st.thread_filter[0]) {
    ImGui::SameLine();
    ImGui::TextColored(palette().text_dim, "%zu of %zu threads", st.thread_rows.size(), s.threads.size());
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_SortMulti | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_Reorderable | ImGuiTableFlags_Hideable | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_NoSavedSettings;
  if (!ImGui::BeginTable("##threads", 10, flags, ImVec2(0, table_height(s.threads.size(), 14)))) return;
  setup_thread_columns();
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (st.threads_dirty || (specs && specs->SpecsDirty)) {
    rebuild_thread_rows(s, st, specs);
    if (specs) specs->SpecsDirty = false;
  }
  const Time span = trace.end - trace.start;
  ImGuiListClipper clipper;
  clipper.Begin(int(st.thread_rows.size()));
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      thread_row(s.threads[st.thread_rows[size_t(r)]], span);
    }
  }
  ImGui::EndTable();
}

// ---------------------------------------------------------------------------------------------
// Counters and other event kinds
// ---------------------------------------------------------------------------------------------

enum CounterColumn : ImGuiID { kCPid, kCName, kCSamples, kCSeries };

// The series' names, comma-separated, up to kLongTextMaxBytes (more never fits a cell).
std::string join_series(const CounterSummary& c) {
  std::string out;
  for (const std::string& s : c.series) {
    if (out.size() >= kLongTextMaxBytes) break;
    if (!out.empty()) out += ", ";
    out += utf8_prefix(s, kLongTextMaxBytes);
  }
  return out;
}

void draw_counters(const TraceSummary& s, TraceInfoState& st) {
  char title[64];
  std::snprintf(title, sizeof(title), "Counters (%zu)###counters", s.counters.size());
  if (!section(title, !s.counters.empty())) return;
  if (s.counters.empty()) {
    ImGui::TextColored(palette().text_dim, "This trace has no counter (C) events.");
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_Resizable | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_NoSavedSettings;
  if (!ImGui::BeginTable("##counters", 4, flags, ImVec2(0, table_height(s.counters.size(), 8)))) return;
  ImGui::TableSetupColumn("pid", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultSort, 0, kCPid);
  ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch, 1.0f, kCName);
  ImGui::TableSetupColumn("Samples", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending,
                          0, kCSamples);
  ImGui::TableSetupColumn("Series", ImGuiTableColumnFlags_WidthStretch, 1.5f, kCSeries);
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableHeadersRow();
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (st.counters_dirty || (specs && specs->SpecsDirty)) {
    st.counter_rows.resize(s.counters.size());
    for (uint32_t i = 0; i < st.counter_rows.size(); ++i) st.counter_rows[i] = i;
    sort_rows(st.counter_rows, specs, [&](uint32_t a, uint32_t b, ImGuiID col) {
      const CounterSummary &x = s.counters[a], &y = s.counters[b];
      switch (col) {
        case kCPid: return natural_cmp(x.pid, y.pid);
        case kCName: return three_way(x.name, y.name);
        case kCSamples: return three_way(x.samples, y.samples);
        default: return three_way(x.series.size(), y.series.size());
      }
    });
    if (specs) specs->SpecsDirty = false;
    st.counters_dirty = false;
  }
  ImGuiListClipper clipper;
  clipper.Begin(int(st.counter_rows.size()));
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const CounterSummary& c = s.counters[st.counter_rows[size_t(r)]];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      cell_text(c.pid, nullptr, kIdEms);
      ImGui::TableNextColumn();
      cell_text(c.name);
      ImGui::TableNextColumn();
      count_cell(c.samples);
      ImGui::TableNextColumn();
      cell_text(join_series(c), &palette().text_dim);
    }
  }
  ImGui::EndTable();
}

void draw_other_kinds(const Trace& trace, const TraceSummary& s) {
  if (!section("Other events")) return;
  if (!begin_key_value_table("##other")) return;
  const std::pair<const char*, uint64_t> rows[] = {
      {"Thread instants", s.instants_thread},    {"Async slices", s.async_slices},
      {"Process instants", s.instants_process},  {"Async marks (n/T/p)", trace.async_marks.size()},
      {"Global instants", s.instants_global},    {"Flow events", s.flows},
      {"Object events", trace.objects.size()},   {"Other (kept verbatim)", trace.others.size()},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); ++i) {
    if (i % 2 == 0) ImGui::TableNextRow();
    ImGui::TableNextColumn();
    label_value(rows[i].first, format_count(rows[i].second));
  }
  ImGui::EndTable();
}

// ---------------------------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------------------------

enum DiagColumn : ImGuiID { kDKind, kDSeverity, kDCount, kDOffset, kDMessage };

void sort_diag_rows(const Diagnostics& d, TraceInfoState& st, ImGuiTableSortSpecs* specs) {
  st.diag_rows.clear();
  for (DiagKind k : d.present()) st.diag_rows.push_back(uint32_t(k));
  sort_rows(st.diag_rows, specs, [&](uint32_t a, uint32_t b, ImGuiID col) {
    const DiagKind x = DiagKind(a), y = DiagKind(b);
    switch (col) {
      case kDKind: return three_way(diag_info(x).id, diag_info(y).id);
      case kDSeverity: return three_way(int(diag_info(x).severity), int(diag_info(y).severity));
      case kDCount: return three_way(d.count(x), d.count(y));
      case kDOffset: return three_way(d.get(x).first_offset, d.get(y).first_offset);
      default: return 0;
    }
  });
  if (specs) specs->SpecsDirty = false;
  st.diags_dirty = false;
}

void diag_row(const Diagnostics& d, DiagKind k) {
  const DiagInfo& info = diag_info(k);
  const ImVec4& color = severity_color(info.severity);
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  {
    FontScope mono(fonts().mono);
    ImGui::TextUnformatted(info.id.data(), info.id.data() + info.id.size());
  }
  ImGui::TableNextColumn();
  const std::string sev(severity_name(info.severity));
  ImGui::TextColored(color, "%s %s", fonts().from_file ? "\xe2\x97\x8f" : "*", sev.c_str());
  ImGui::TableNextColumn();
  count_cell(d.count(k));
  ImGui::TableNextColumn();
  {
    FontScope mono(fonts().mono);
    text_right(format_count(d.get(k).first_offset).c_str());
  }
  ImGui::TableNextColumn();
  const std::string msg = d.message(k);
  ImGui::TextUnformatted(msg.c_str());
  if (ImGui::IsItemHovered() && ImGui::CalcTextSize(msg.c_str()).x > ImGui::GetItemRectSize().x - 1) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40.0f);
    ImGui::TextUnformatted(msg.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void draw_diagnostics(const Trace& trace, TraceInfoState& st) {
  const Diagnostics& d = trace.diagnostics;
  const size_t kinds = d.present().size();
  char title[64];
  std::snprintf(title, sizeof(title), "Diagnostics (%zu)###diagnostics", kinds);
  if (!section(title)) return;
  if (kinds == 0) {
    ImGui::TextColored(palette().good, "No import problems: every event was understood.");
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_Resizable | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_NoSavedSettings;
  if (!ImGui::BeginTable("##diagnostics", 5, flags, ImVec2(0, table_height(kinds, 12)))) return;
  const ImGuiTableColumnFlags num = ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending;
  ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 0, kDKind);
  ImGui::TableSetupColumn("Severity", num | ImGuiTableColumnFlags_DefaultSort, 0, kDSeverity);
  ImGui::TableSetupColumn("Count", num, 0, kDCount);
  ImGui::TableSetupColumn("First offset", ImGuiTableColumnFlags_WidthFixed, 0, kDOffset);
  ImGui::TableSetupColumn("Message", ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_NoSort, 0, kDMessage);
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableHeadersRow();
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (st.diags_dirty || (specs && specs->SpecsDirty)) sort_diag_rows(d, st, specs);
  for (uint32_t k : st.diag_rows) diag_row(d, DiagKind(k));
  ImGui::EndTable();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

void draw_trace_info(const Trace& trace, const TraceSummary& summary, const LoadResult& result,
                     std::string_view path, TraceInfoState& state) {
  if (state.rows_for != &summary) {
    state.rows_for = &summary;
    state.threads_dirty = state.counters_dirty = state.diags_dirty = true;
  }
  ImGui::PushID("trace_info");
  draw_header(result, path);
  draw_banner(result);
  ImGui::Spacing();
  draw_cards(trace, summary, result);
  draw_threads(trace, summary, state);
  draw_diagnostics(trace, state);
  draw_counters(summary, state);
  draw_other_kinds(trace, summary);
  draw_file_details(trace, result);
  ImGui::PopID();
}

std::string format_duration(Time ns) {
  const bool neg = ns < 0;
  const double v = neg ? -double(ns) : double(ns);
  static constexpr struct { double scale; const char* unit; } kUnits[] = {
      {1e9, "s"}, {1e6, "ms"}, {1e3, "\xc2\xb5s"}};
  char buf[48];
  for (const auto& u : kUnits) {
    if (v >= u.scale) {
      const double x = v / u.scale;
      const int decimals = x >= 100.0 ? 0 : (x >= 10.0 ? 1 : 2);
      std::snprintf(buf, sizeof(buf), "%s%.*f %s", neg ? "-" : "", decimals, x, u.unit);
      return buf;
    }
  }
  std::snprintf(buf, sizeof(buf), "%s%.0f ns", neg ? "-" : "", v);
  return buf;
}

std::string format_bytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  char buf[48];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof(buf), "%" PRIu64 " B", bytes);
    return buf;
  }
  double v = double(bytes) / 1024.0;
  size_t u = 0;
  while (v >= 1024.0 && u + 1 < sizeof(kUnits) / sizeof(kUnits[0])) {
    v /= 1024.0;
    ++u;
  }
  const int decimals = v >= 100.0 ? 0 : (v >= 10.0 ? 1 : 2);
  std::snprintf(buf, sizeof(buf), "%.*f %s", decimals, v, kUnits[u]);
  return buf;
}

std::string format_count(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string thread_title(const Trace& trace, uint32_t thread) {
  const Thread& t = trace.threads[thread];
  return (t.name ? std::string(trace.str(t.name)) + " " : std::string("tid ")) + std::string(trace.str(t.tid));
}

}  // namespace vz
