// The details panel: everything about the selected slice, async slice, instant, object instance
// or object snapshot (an object shows its lifetime and its snapshots, a snapshot its args).
//
// Name, category, thread, start (relative and absolute), duration, self time, depth, the parent
// chain (click a parent to select it), the args as a collapsible tree parsed only now from the
// bytes the model kept, and for viztracer traces the function's source with its line highlighted. Reads the const model; its state is what the user expanded.
//
// Usage
//   vz::DetailsState details;                       // reset when the selection changes
//   vz::draw_details(index, timeline.selected, details, &timeline);   // inside a window
#pragma once

#include <string>

#include "render/args_view.h"
#include "render/source_view.h"
#include "render/timeline.h"

namespace vz {

// An object's snapshots are listed this many at a time.
inline constexpr uint32_t kSnapshotPage = 100;

// What the panel remembers between frames for one selection.
struct DetailsState {
  Pick shown;               // the pick the args states belong to (reset when it differs)
  ArgsViewState args;       // the args tree (begin event)
  ArgsViewState end_args;   // an async slice's end args, a B/E slice's kept E event's
  // Fields of the event the model does not name ("tts", "cname", "sf"...), as a JSON object made
  // from its raw range when first drawn; `other_end`: an async slice's end event, a B/E slice's E.
  struct Other {
    ArgsViewState view;
    std::string text;
    bool made = false;
  } other, other_end;
  Time cpu_time = -1;       // a slice's "tdur" in ns, -1 without one
  bool cpu_time_read = false;
  SourceViewState source;   // decoded source files of the trace (kept across selections)
  uint32_t snapshots_shown = kSnapshotPage;  // an object's snapshots listed ("show more" adds a page)
  bool all_parents = false;  // a deep slice's whole call chain (else its ends, kParentsHead/Tail)
};

// Draws the details of `pick` into the current window. A click on a parent slice selects it in
// `timeline` (and asks it to scroll there).
void draw_details(const ViewIndex& index, const Pick& pick, DetailsState& state, TimelineState* timeline);

}  // namespace vz
