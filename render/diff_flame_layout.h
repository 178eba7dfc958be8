// The differential flamegraph's ImGui-free half: the merged call tree of two runs (a path diff,
// analysis/diff.h) as a tree, its frame layout, and the colour of each frame.
//
// Nodes. Node 0 is a synthetic root (A's and B's traced totals); node n >= 1 is DiffResult row
// n - 1 (diff_flame_node / diff_flame_row convert). A row's parent is its caller's row, or the root
// for top-level frames.
//
// Width. One side gives the widths, B by default (DiffFlameOptions::width_from_b): the focused
// node spans [0, width] and its children are laid left to right by that side's total, descending
// (ties by name), each as wide as its share of the focused node's total on that side, and so on
// down, as in render/flame_layout.h. A node with no time on the width side gets no width: with
// widths from B a removed function is not drawn at all (switch to A to see it), with widths from
// A an added one is not. Frames narrower than `min_px` are dropped with their subtrees.
//
// Colour. Each node gets a value in [-1, 1]: +1 strongly slower in B (red), -1 strongly faster
// (blue), 0 neutral (grey). It compares A's and B's self time (or total time, with by_self off) on
// one of three scales:
//   Normalised (default)  the change relative to the run's typical change: value from
//                         log2(b / (a · k)), where k is the typical function's self-time ratio:
//                         the (lower) median of self_b / self_a over the function names present
//                         in both runs with a noticeable self time, each name counted once (see
//                         diff_typical_ratio). A run that is uniformly 2x slower has k = 2 and is
//                         neutral everywhere; a run where one function got slower and the rest did
//                         not has k = 1 however much of the time that function holds, so it is red
//                         and the rest stays neutral (the ratio of the totals, or a median
//                         weighted by time, would make the rest look faster or hide the hotspot).
//   Absolute              the same with k = 1: any slowdown is red, a uniform one everywhere.
//   Share                 the change in the node's share of its side's traced total, in percentage
//                         points: b / total_b − a / total_a. This asks which frames take a bigger
//                         part of the run (a frame that stayed as it was while the rest grew
//                         becomes blue); share_full (10 points) or more is full colour.
// On the ratio scales, with l = log2(ratio) and d = log2(1 + min_change) the dead zone, the value
// is sign(l) · min(1, (|l| − d) / (1 − d)) past it: it grows from 0 at the edge of the dead zone
// (5 % by default) to full colour at a change of 2x either way, as the diff table's tint
// (render/diff_table.h), which also runs from red (slower) to blue (faster), saturates at ±100 %.
// On the share scale a share that changed by less than min_change of itself is in the dead zone.
// On every scale a change smaller than noise_share of the run (0.1 % of the larger traced total,
// or 0.1 points of share) is noise: value 0.
// Added nodes (only in B) are +1 and removed ones (only in A) are -1 on every scale; the panel
// also marks their labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/diff.h"

namespace vz {

// What a colour value compares (see the header comment).
enum class DiffScale : uint8_t {
  Normalised,  // relative change against the run's typical change (default)
  Absolute,    // relative change against no change
  Share,       // change in the share of the side's traced total
};

// The panel's toggles.
struct DiffFlameOptions {
  bool width_from_b = true;                  // frame widths from B's totals (false: A's)
  bool by_self = true;                       // colour by self time (false: by total time)
  DiffScale scale = DiffScale::Normalised;   // how the two numbers are compared
  double min_change = 0.05;                  // relative changes within ±this are neutral
  double noise_share = 0.001;                // changes under this share of the run are neutral
  double share_full = 0.10;                  // Share: a change of this many (10) points is ±1
};

// Node 0 is the root; node n >= 1 is row n - 1.
inline constexpr uint32_t diff_flame_node(uint32_t row) { return row + 1; }
inline constexpr uint32_t diff_flame_row(uint32_t node) { return node - 1; }  // node >= 1

// The merged tree over a path DiffResult, built once per result and width side: children lists
// in drawing order, and the run's typical ratio. It keeps no pointer to the result.
struct DiffFlameIndex {
  std::vector<uint32_t> first;  // children of node n: kids[first[n] .. first[n + 1])
  std::vector<uint32_t> kids;   // node ids, each node's children by width-side total descending
  std::vector<uint32_t> parent; // parent node of each node (kNone for the root)
  bool width_from_b = true;     // the side the children are ordered by
  double typical_ratio = 1;     // diff_typical_ratio() of the result
  DiffSums root_a, root_b;      // the root's numbers: traced total, top-level calls, no self
  size_t nodes() const { return parent.size(); }
};

// Builds the index of `r` (a DiffBy::Path result; a by-name result gives a flat tree). Rows whose
// parent index is not an earlier row are treated as top-level.
DiffFlameIndex build_diff_flame_index(const DiffResult& r, bool width_from_b);

// The typical function's change: self times are summed per name (over every row of that name),
// and k is the lower median of self_b / self_a over the names with self time on both sides and at
// least `noise_share` of the larger traced total on one side, each name counted once. 1 when no
// name qualifies.
double diff_typical_ratio(const DiffResult& r, double noise_share = 0.001);

// One side's numbers of a node (the root: the traced total, no self, the top-level calls).
DiffSums diff_flame_sums(const DiffResult& r, const DiffFlameIndex& ix, uint32_t node, bool side_b);

// The node's status (the root is Both).
DiffStatus diff_flame_status(const DiffResult& r, uint32_t node);

// The node's name ("all" for the root, "(unnamed)" for an empty name).
std::string diff_flame_name(const DiffResult& r, uint32_t node);

// One frame to draw.
struct DiffFlameFrame {
  uint32_t node = 0;      // node id (0 = root, else row + 1)
  double x0 = 0, x1 = 0;  // horizontal extent in pixels from the graph's left edge
  int row = 0;            // 0 = the focused node; ancestors above are negative
};

// The frames with `focus` spanning `width` pixels: ancestors first (full width, negative rows),
// then the focus, then each laid-out node's children together, left to right. `focus` out of
// range is the root. Children narrower than `min_px` end their parent's list (the list is sorted
// by width), so the cost is O(frames returned).
std::vector<DiffFlameFrame> layout_diff_flamegraph(const DiffResult& r, const DiffFlameIndex& ix, uint32_t focus,
                                                   double width, double min_px);

// A node's total on the index's width side.
Time diff_flame_width_total(const DiffResult& r, const DiffFlameIndex& ix, uint32_t node);

// The nodes from the root to `node`, root first (the breadcrumb).
std::vector<uint32_t> diff_flame_path(const DiffFlameIndex& ix, uint32_t node);

// The colour value of a node in [-1, 1] (see the header comment).
float diff_flame_value(const DiffResult& r, const DiffFlameIndex& ix, uint32_t node, const DiffFlameOptions& o);

// The same from the two numbers compared: `a` and `b` (self or total, ns) of a node, the traced
// totals, the typical ratio and the node's status.
float diff_value(double a, double b, double total_a, double total_b, double typical_ratio, DiffStatus status,
                 const DiffFlameOptions& o);

// The fill colour of a value, packed as ImGui's IM_COL32 (r | g << 8 | b << 16 | a << 24): the
// theme's neutral grey moved towards kDiffSlower (value > 0) or kDiffFaster (value < 0) by |value|.
uint32_t diff_flame_color(float value, bool dark_theme);

// The two ends of the scale, shared with the diff table's tint (r, g, b).
inline constexpr uint8_t kDiffSlower[3] = {220, 70, 60};
inline constexpr uint8_t kDiffFaster[3] = {60, 130, 230};

}  // namespace vz
