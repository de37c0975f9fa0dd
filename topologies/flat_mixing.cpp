// Flat mixing weights; see flat_mixing.hpp.
#include "topologies/flat_mixing.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace dlsim {
namespace {

// Drops the per-node and per-edge arrays when every row is the same.
void share_identical_rows(FlatMixing& mixing) {
  const NeighbourTable& graph = mixing.graph;
  if (graph.regular_degree == 0 || mixing.self_weights.empty()) return;
  const double self = mixing.self_weights[0];
  const double neighbour = mixing.neighbour_weights.empty() ? 0.0 : mixing.neighbour_weights[0];
  // Bitwise equality: a shared row must give the very same products.
  if (std::any_of(mixing.self_weights.begin(), mixing.self_weights.end(), [&](double w) { return w != self; }) ||
      std::any_of(mixing.neighbour_weights.begin(), mixing.neighbour_weights.end(),
                  [&](double w) { return w != neighbour; }))
    return;
  mixing.shared_row = true;
  mixing.shared_self_weight = self;
  mixing.shared_neighbour_weight = neighbour;
  mixing.self_weights = {};
  mixing.neighbour_weights = {};
}

}  // namespace

FlatMixing flat_mixing(const SparseMatrix& w) {
  FlatMixing mixing;
  NeighbourTable& graph = mixing.graph;
  const auto n = static_cast<std::size_t>(w.outerSize());
  graph.offsets.assign(n + 1, 0);
  mixing.self_weights.assign(n, 0.0);
  for (std::size_t node = 0; node < n; ++node) {
    std::uint64_t count = 0;
    for (SparseMatrix::InnerIterator it(w, static_cast<Eigen::Index>(node)); it; ++it)
      if (static_cast<std::size_t>(it.row()) != node) ++count;
    graph.offsets[node + 1] = graph.offsets[node] + count;
  }
  graph.ids.resize(graph.offsets[n]);
  mixing.neighbour_weights.resize(graph.offsets[n]);
  for (std::size_t node = 0; node < n; ++node) {
    std::uint64_t at = graph.offsets[node];
    // Entries come in ascending row order: the neighbours are sorted.
    for (SparseMatrix::InnerIterator it(w, static_cast<Eigen::Index>(node)); it; ++it) {
      if (static_cast<std::size_t>(it.row()) == node) {
        mixing.self_weights[node] = it.value();
      } else {
        graph.ids[at] = static_cast<std::uint32_t>(it.row());
        mixing.neighbour_weights[at++] = it.value();
      }
    }
  }
  graph.regular_degree = n == 0 ? 0 : graph.degree(0);
  for (std::size_t node = 1; node < n && graph.regular_degree != 0; ++node)
    if (graph.degree(static_cast<std::uint32_t>(node)) != graph.regular_degree) graph.regular_degree = 0;
  share_identical_rows(mixing);
  return mixing;
}

FlatMixing metropolis_ring_mixing(std::size_t n) { return metropolis_regular_mixing(ring_neighbour_table(n)); }

FlatMixing metropolis_regular_mixing(NeighbourTable table) {
  const std::size_t degree = table.regular_degree;
  if (degree == 0) throw std::invalid_argument("metropolis_regular_mixing: the graph is not regular");
  FlatMixing mixing;
  mixing.graph = std::move(table);
  // As mixing_matrix computes them: w_ij = 1 / (1 + max(d_i, d_j)) and
  // w_ii = max(0, 1 - the off-diagonal sum accumulated from 0, edge by edge;
  // every term is the same, so the order of the edges does not matter).
  const double neighbour = 1.0 / static_cast<double>(1 + degree);
  double off_sum = 0.0;
  for (std::size_t k = 0; k < degree; ++k) off_sum += neighbour;
  mixing.shared_row = true;
  mixing.shared_neighbour_weight = neighbour;
  mixing.shared_self_weight = std::max(0.0, 1.0 - off_sum);
  return mixing;
}

}  // namespace dlsim
