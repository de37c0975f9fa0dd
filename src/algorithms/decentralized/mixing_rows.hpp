// The rows of a sparse mixing matrix as the algorithms use them.
#pragma once

#include <span>
#include <vector>

#include "algorithms/decentralized/config.hpp"
#include "topologies/mixing.hpp"

namespace dlsim {

// Row i of a symmetric W for every node: w_ii and the neighbours in ascending order.
std::vector<MixingRow> mixing_rows(const SparseMatrix& w);

// A fixed W for every round.
MixingSchedule fixed_mixing(const SparseMatrix& w);

// Row i of a column-stochastic W of a digraph (topologies/digraph.hpp): w_ii,
// the in-neighbours j with W_ij, and as receivers the out-neighbours (the rows
// of column i). O(nnz).
std::vector<MixingRow> directed_mixing_rows(const SparseMatrix& w);
// A fixed directed W for every round (MixingSchedule::directed set).
MixingSchedule fixed_directed_mixing(const SparseMatrix& w);

// `schedule` with the `silent` nodes (ascending) cut out of every row: a
// silent node's weight w_ij goes to w_ii of each of its neighbours, so rows
// still sum to 1, and a silent node keeps only itself (w_ii = 1). What
// synchronous rounds do with Byzantine nodes that send nothing, so that no
// one waits for them. O(total row length).
MixingSchedule without_silent_nodes(const MixingSchedule& schedule, std::span<const NodeId> silent);

}  // namespace dlsim
