// The args of a selected event as a collapsible key | value tree: the widget the details panel
// draws under a slice (or instant, async slice, ...) when it has args.
//
// Why this shape: args are arbitrary JSON kept unparsed in Trace::source, from a few keys to
// megabytes. The widget parses only the selected event's args (render/json_tree), shows the first
// level open, summarises collapsed containers as "{n}" / "[n]", cuts long strings (with "show
// all"), pages long containers ("show more"), and offers "Copy value" / "Copy as JSON" on
// right-click. Invalid JSON is shown as far as it could be read, with the error and its offset.
//
// Like every panel it keeps only a small state struct, owned by the caller; the raw text is passed
// in every frame and must stay alive while shown (a view into Trace::source does).
//
// Usage
//   vz::ArgsViewState args;                          // one per args view in the panel
//   if (selection_changed) args.reset();
//   ...every frame, inside a window:
//   vz::draw_args(trace.view(slices.args_of(i)), args);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "render/json_tree.h"

namespace vz {

// What the args widget remembers between frames: the parsed tree and per-node display choices.
struct ArgsViewState {
  JsonTree tree;                                     // parse of the text last drawn
  const char* text_data = nullptr;                   // which text `tree` was parsed from
  size_t text_size = 0;                              // its length
  bool parsed = false;                               // tree is valid for (text_data, text_size)
  uint32_t generation = 0;                           // bumped per parse; keeps ImGui open-state apart
  std::unordered_map<uint32_t, uint32_t> shown;      // container node -> children shown (paging)
  std::unordered_set<uint32_t> full_strings;         // string nodes the user asked to see in full
  std::unordered_map<uint32_t, std::string> decoded; // full decoded text of those strings
  uint32_t menu_node = kJsonNoNode;                  // node whose context menu is open
  bool open_menu = false;                            // open the context menu this frame

  // Forgets the tree and every per-node choice (call when the selection changes).
  void reset();
};

// Strings longer than this many characters are cut, with a "show all" button.
inline constexpr uint32_t kArgsStringPreviewChars = 200;
// Containers show this many children, then "show more" adds as many again.
inline constexpr uint32_t kArgsPageSize = 100;

// Draws `raw_json` (one JSON value, normally an object) as a tree inside a two-column table in the
// current window. Empty text draws a dim "no args" note.
void draw_args(std::string_view raw_json, ArgsViewState& state);

}  // namespace vz
