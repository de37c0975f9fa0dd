// A symmetric mixing matrix W as flat arrays beside its graph's
// NeighbourTable: what exact gossip over millions of nodes keeps instead of
// an Eigen matrix (about 16 bytes per stored entry) and a MixingRow per node
// (three vectors each). Per node 8 bytes (w_ii) and per directed edge 8 bytes
// (w_ij), or nothing at all when every row is the same (a regular graph under
// a degree-based rule: one w_ii and one w_ij shared by every row).
//
// The values are exactly those W stores, so that gossip on them is
// bit-identical to gossip on W's rows (algorithms/decentralized/mixing_rows.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "topologies/mixing.hpp"
#include "topologies/neighbour_table.hpp"

namespace dlsim {

struct FlatMixing {
  NeighbourTable graph;  // the nodes each row mixes, ascending
  // Every row the same: shared_self_weight and shared_neighbour_weight, and
  // the two arrays below are empty.
  bool shared_row = false;
  double shared_self_weight = 1.0;
  double shared_neighbour_weight = 0.0;
  std::vector<double> self_weights;       // w_ii by node
  std::vector<double> neighbour_weights;  // w_ij, in the order of graph.ids

  std::size_t nodes() const { return graph.nodes(); }
  double self_weight(std::uint32_t node) const { return shared_row ? shared_self_weight : self_weights[node]; }
  // w_ij for j the node's k-th neighbour (ascending).
  double neighbour_weight(std::uint32_t node, std::size_t k) const {
    return shared_row ? shared_neighbour_weight : neighbour_weights[graph.offsets[node] + k];
  }
};

// The rows of a symmetric W: for node i, every entry W stores in column i
// (its row, by symmetry) besides w_ii is a neighbour, as mixing_rows() reads
// them; w_ii is 0 where W stores none. O(nnz).
FlatMixing flat_mixing(const SparseMatrix& w);

// The Metropolis-Hastings W of the ring on n >= 3 nodes, the values exactly
// those of mixing_matrix(ring_graph(n), MixingRule::metropolis), built without
// either: at 10^7 nodes the adjacency list and the matrix would each take
// more memory than the whole gossip run. O(n).
FlatMixing metropolis_ring_mixing(std::size_t n);

// The Metropolis-Hastings W of a d-regular graph given as its table
// (table.regular_degree = d > 0), the values exactly those mixing_matrix
// stores for it: one shared row. O(1) beyond the table.
FlatMixing metropolis_regular_mixing(NeighbourTable table);

}  // namespace dlsim
