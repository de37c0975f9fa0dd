// Mixing (gossip) matrices: sparse, symmetric, doubly stochastic W with
// w_ij > 0 only for linked i, j (and i = j).
//
// Rules, by the name the CLI and scenarios use (d_i is node i's degree, D the
// maximum degree; in every rule w_ii = 1 - sum_{j != i} w_ij):
//   metropolis        w_ij = 1 / (1 + max(d_i, d_j))   Metropolis-Hastings
//                     (Xiao and Boyd, "Fast linear iterations for distributed
//                     averaging", 2004; Boyd, Diaconis, Xiao, SIAM Rev. 2004);
//                     every w_ii > 0.
//   metropolis-choco  w_ij = 1 / max(d_i, d_j)          the variant the CHOCO-SGD
//                     reference code uses for the social network (Koloskova,
//                     Lin, Stich, Jaggi, ICLR 2020); w_ii may be 0, so on a
//                     bipartite graph it can have eigenvalue -1 (gap 0).
//   max-degree        w_ij = 1 / (1 + D)                same weight on every edge.
//   uniform           w_ij = 1 / (1 + d) on the closed neighbourhood; regular
//                     graphs only (TopologyError otherwise).
//   lazy-RULE         (I + W_RULE) / 2 for each rule above: eigenvalues in [0, 1],
//                     so spectral_gap = spectral_gap_signed.
#pragma once

#include <Eigen/SparseCore>

#include <cstdint>
#include <string_view>
#include <vector>

#include "topologies/graph.hpp"

namespace dlsim {

using SparseMatrix = Eigen::SparseMatrix<double>;

enum class MixingRule {
  metropolis,
  metropolis_choco,
  max_degree,
  uniform,
  lazy_metropolis,
  lazy_metropolis_choco,
  lazy_max_degree,
  lazy_uniform,
};

struct MixingRuleInfo {
  MixingRule rule;
  std::string_view name;
  std::string_view help;  // one line
};
// Every rule, in the order the help lists them.
const std::vector<MixingRuleInfo>& mixing_rules();
std::string_view mixing_rule_name(MixingRule rule);
// The rule called `name`; TopologyError listing the rules otherwise.
MixingRule parse_mixing_rule(std::string_view name);

// W for `graph` under `rule`. Column-major, one column per node, rows sorted.
// O(n + m) time and 12 bytes per non-zero (n + 2m non-zeros at most).
SparseMatrix mixing_matrix(const Graph& graph, MixingRule rule);

// W from the graph's own edge weights (topology.weights = "file": the third
// column of an edge list, GraphML's "weight"): w_ij = w_ji = the weight of edge
// {i, j}, w_ii = 1 - sum_j w_ij. Symmetric with rows summing to 1 by
// construction, so doubly stochastic; it is a mixing matrix when every w_ii
// is >= 0. Throws TopologyError naming the first node (row) whose edge weights
// sum to more than 1 (beyond a 1e-12 rounding). O(n + m).
SparseMatrix mixing_matrix_from_edge_weights(const Graph& graph);

// W of round `round` of the one-peer exponential graph: (I + P_t) / 2 where P_t
// swaps i and i xor 2^(t mod ceil(log2 n)) (see one_peer_exponential_graph).
SparseMatrix one_peer_exponential_mixing(std::size_t n, std::uint64_t round);

// What check_mixing_matrix measured. Each flag compares its error with the
// tolerance given to the check.
struct MixingCheck {
  double max_asymmetry = 0.0;      // max |w_ij - w_ji|
  double max_row_sum_error = 0.0;  // max |sum_j w_ij - 1|
  double max_col_sum_error = 0.0;  // max |sum_i w_ij - 1|
  double min_entry = 0.0;          // smallest stored entry
  bool symmetric = false;
  bool doubly_stochastic = false;
  bool nonnegative = false;
  bool ok() const { return symmetric && doubly_stochastic && nonnegative; }
};
// Measures symmetry, row and column sums and signs of any square sparse W.
// O(nnz log) time.
MixingCheck check_mixing_matrix(const SparseMatrix& w, double tolerance = 1e-12);

}  // namespace dlsim
