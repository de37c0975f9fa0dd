// A graph's adjacency as two flat arrays (compressed sparse rows): what a
// simulation of millions of nodes keeps per node instead of a Boost adjacency
// list (about 60 bytes per edge, see graph.hpp) or a vector per node (24
// bytes of header plus an allocation each). 8 bytes per node plus 4 per
// directed edge: 12 bytes per node on a ring, 24 on a 4-regular graph.
//
// Metropolis-Hastings weights need no storage of their own: w_ij =
// 1 / (1 + max(d_i, d_j)) comes from the two degrees, and on a d-regular
// graph every row is the same, 1 / (d + 1) everywhere (metropolis_weight).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "topologies/graph.hpp"

namespace dlsim {

struct NeighbourTable {
  std::vector<std::uint64_t> offsets;  // n + 1; node i's neighbours are ids[offsets[i], offsets[i + 1])
  std::vector<std::uint32_t> ids;      // each row in increasing id order
  // d when every node has degree d (then every mixing row is the same), else 0.
  std::size_t regular_degree = 0;

  std::size_t nodes() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::size_t degree(std::uint32_t node) const { return offsets[node + 1] - offsets[node]; }
  std::span<const std::uint32_t> neighbours(std::uint32_t node) const {
    return {ids.data() + offsets[node], ids.data() + offsets[node + 1]};
  }
  // Metropolis-Hastings weight of the edge (i, j) and of the self-loop. On a
  // regular graph both are 1 / (d + 1), with no look-up of j's row.
  double metropolis_weight(std::uint32_t i, std::uint32_t j) const {
    if (regular_degree != 0) return 1.0 / static_cast<double>(regular_degree + 1);
    return 1.0 / (1.0 + static_cast<double>(std::max(degree(i), degree(j))));
  }
  double metropolis_self_weight(std::uint32_t i) const;
};

// The table of a graph, rows sorted by neighbour id. O(n + m log d).
NeighbourTable neighbour_table(const Graph& graph);

// The ring on n >= 3 nodes, built directly (no Graph): at 10^7 nodes the
// adjacency list alone would need more memory than the whole simulation.
NeighbourTable ring_neighbour_table(std::size_t n);

// The random d-regular graph of random_regular_graph(n, d, seed), the same
// edges, built from its pairing without a Graph. Throws TopologyError as it does.
NeighbourTable random_regular_neighbour_table(std::size_t n, std::size_t d, std::uint64_t seed);

// Whether every node reaches every other (an empty table is not connected). O(n + m).
bool is_connected(const NeighbourTable& table);

}  // namespace dlsim
