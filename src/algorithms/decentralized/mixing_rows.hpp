// The rows of a sparse mixing matrix as the algorithms use them.
#pragma once

#include <vector>

#include "algorithms/decentralized/config.hpp"
#include "topologies/mixing.hpp"

namespace dlsim {

// Row i of a symmetric W for every node: w_ii and the neighbours in ascending order.
std::vector<MixingRow> mixing_rows(const SparseMatrix& w);

// A fixed W for every round.
MixingSchedule fixed_mixing(const SparseMatrix& w);

}  // namespace dlsim
