// Differential flamegraph layout and colours. See diff_flame_layout.h.
#include "render/diff_flame_layout.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "render/flame_walk.h"

namespace vz {

double diff_typical_ratio(const DiffResult& r, double noise_share) {
  // Per name: summed self time in A and in B (a recursive function has one row per depth).
  std::unordered_map<std::string_view, std::pair<Time, Time>> by_name;
  by_name.reserve(r.rows.size() / 4 + 16);
  for (const DiffRow& row : r.rows) {
    auto& [a, b] = by_name[row.name];
    a += std::max<Time>(row.a.self, 0);
    b += std::max<Time>(row.b.self, 0);
  }
  const double floor = noise_share * double(std::max(r.total_a, r.total_b));
  std::vector<double> ratios;
  for (const auto& [name, ab] : by_name) {
    const auto [a, b] = ab;
    if (a <= 0 || b <= 0 || double(std::max(a, b)) < floor) continue;
    ratios.push_back(double(b) / double(a));
  }
  if (ratios.empty()) return 1;
  const size_t mid = (ratios.size() - 1) / 2;  // the lower median
  std::nth_element(ratios.begin(), ratios.begin() + long(mid), ratios.end());
  return ratios[mid];
}

DiffFlameIndex build_diff_flame_index(const DiffResult& r, bool width_from_b) {
  DiffFlameIndex ix;
  const uint32_t n = uint32_t(r.rows.size()) + 1;
  ix.width_from_b = width_from_b;
  ix.parent.assign(n, 0);
  ix.parent[0] = kNone;
  ix.first.assign(size_t(n) + 1, 0);
  for (uint32_t i = 0; i < r.rows.size(); ++i) {
    const uint32_t p = r.rows[i].parent;
    ix.parent[i + 1] = p < i ? diff_flame_node(p) : 0;
    ix.first[ix.parent[i + 1] + 1]++;
    if (ix.parent[i + 1] == 0) {
      ix.root_a.count += r.rows[i].a.count;
      ix.root_b.count += r.rows[i].b.count;
    }
  }
  for (uint32_t k = 0; k < n; ++k) ix.first[k + 1] += ix.first[k];
  ix.kids.resize(r.rows.size());
  std::vector<uint32_t> fill(ix.first.begin(), ix.first.end() - 1);
  for (uint32_t node = 1; node < n; ++node) ix.kids[fill[ix.parent[node]]++] = node;
  ix.root_a.total = r.total_a;
  ix.root_b.total = r.total_b;
  auto total = [&](uint32_t node) {
    const DiffRow& row = r.rows[diff_flame_row(node)];
    return width_from_b ? row.b.total : row.a.total;
  };
  for (uint32_t node = 0; node < n; ++node) {
    std::sort(ix.kids.begin() + ix.first[node], ix.kids.begin() + ix.first[node + 1], [&](uint32_t x, uint32_t y) {
      const Time tx = total(x), ty = total(y);
      if (tx != ty) return tx > ty;
      const std::string &nx = r.rows[diff_flame_row(x)].name, &ny = r.rows[diff_flame_row(y)].name;
      if (nx != ny) return nx < ny;
      return x < y;
    });
  }
  ix.typical_ratio = diff_typical_ratio(r);
  return ix;
}

DiffSums diff_flame_sums(const DiffResult& r, const DiffFlameIndex& ix, uint32_t node, bool side_b) {
  if (node == 0 || node > r.rows.size()) return side_b ? ix.root_b : ix.root_a;
  const DiffRow& row = r.rows[diff_flame_row(node)];
  return side_b ? row.b : row.a;
}

DiffStatus diff_flame_status(const DiffResult& r, uint32_t node) {
  return node == 0 || node > r.rows.size() ? DiffStatus::Both : r.rows[diff_flame_row(node)].status;
}

std::string diff_flame_name(const DiffResult& r, uint32_t node) {
  if (node == 0 || node > r.rows.size()) return "all";
  const std::string& s = r.rows[diff_flame_row(node)].name;
  return s.empty() ? std::string("(unnamed)") : s;
}

Time diff_flame_width_total(const DiffResult& r, const DiffFlameIndex& ix, uint32_t node) {
  return diff_flame_sums(r, ix, node, ix.width_from_b).total;
}

namespace {

// The merged tree as flame_walk.h reads it.
struct DiffTreeAccess {
  const DiffResult* r;  // for widths only: null where only the parents are read (paths)
  const DiffFlameIndex& ix;
  size_t size() const { return ix.nodes(); }
  uint32_t parent(uint32_t n) const { return ix.parent[n]; }
  double total(uint32_t n) const { return double(diff_flame_width_total(*r, ix, n)); }
  uint32_t child_begin(uint32_t n) const { return ix.first[n]; }
  uint32_t child_end(uint32_t n) const { return ix.first[n + 1]; }
  uint32_t child(uint32_t k) const { return ix.kids[k]; }
};

}  // namespace

std::vector<uint32_t> diff_flame_path(const DiffFlameIndex& ix, uint32_t node) {
  return flame_tree_path(DiffTreeAccess{nullptr, ix}, node);
}

// The children lists are sorted by width, so the first narrow child ends its list.
std::vector<DiffFlameFrame> layout_diff_flamegraph(const DiffResult& r, const DiffFlameIndex& ix, uint32_t focus,
                                                   double width, double min_px) {
  return layout_flame_tree<DiffFlameFrame, NarrowChild::EndsList>(DiffTreeAccess{&r, ix}, focus, width, min_px);
}

float diff_value(double a, double b, double total_a, double total_b, double typical_ratio, DiffStatus status,
                 const DiffFlameOptions& o) {
  if (status == DiffStatus::Added) return 1.0f;
  if (status == DiffStatus::Removed) return -1.0f;
  if (o.scale == DiffScale::Share) {
    const double sa = total_a > 0 ? a / total_a : 0, sb = total_b > 0 ? b / total_b : 0;
    const double d = sb - sa;
    if (std::fabs(d) < o.noise_share || d == 0) return 0.0f;
    if (sa > 0 && std::fabs(d) <= o.min_change * sa) return 0.0f;
    const double full = o.share_full > 0 ? o.share_full : 1.0;
    return float(std::clamp(d / full, -1.0, 1.0));
  }
  const double k = o.scale == DiffScale::Normalised && typical_ratio > 0 ? typical_ratio : 1.0;
  const double expected = a * k;
  if (std::fabs(b - expected) < o.noise_share * std::max(total_a * k, total_b) || b == expected) return 0.0f;
  if (!(expected > 0)) return b > 0 ? 1.0f : 0.0f;
  if (!(b > 0)) return -1.0f;
  const double l = std::log2(b / expected), dz = std::log2(1.0 + std::max(o.min_change, 0.0));
  if (std::fabs(l) <= dz) return 0.0f;
  const double v = (std::fabs(l) - dz) / std::max(1.0 - dz, 1e-9);
  return float(std::copysign(std::min(v, 1.0), l));
}

float diff_flame_value(const DiffResult& r, const DiffFlameIndex& ix, uint32_t node, const DiffFlameOptions& o) {
  const DiffSums a = diff_flame_sums(r, ix, node, false), b = diff_flame_sums(r, ix, node, true);
  const double va = double(o.by_self ? a.self : a.total), vb = double(o.by_self ? b.self : b.total);
  return diff_value(va, vb, double(r.total_a), double(r.total_b), ix.typical_ratio, diff_flame_status(r, node), o);
}

uint32_t diff_flame_color(float value, bool dark_theme) {
  const float v = std::isnan(value) ? 0.0f : std::clamp(value, -1.0f, 1.0f);
  const uint8_t neutral_dark[3] = {98, 102, 112}, neutral_light[3] = {186, 189, 196};
  const uint8_t* from = dark_theme ? neutral_dark : neutral_light;
  const uint8_t* to = v >= 0 ? kDiffSlower : kDiffFaster;
  const float k = std::fabs(v);
  uint32_t out = 0xFF000000u;
  for (int c = 0; c < 3; ++c) {
    const float x = float(from[c]) + (float(to[c]) - float(from[c])) * k;
    out |= uint32_t(std::lround(x)) << (8 * c);
  }
  return out;
}

}  // namespace vz
