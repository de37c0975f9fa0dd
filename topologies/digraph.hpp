// Directed graphs and their column-stochastic mixing matrices.
//
// Design note. Push-sum (Kempe, Dobra, Gehrke, FOCS 2003) and Stochastic
// Gradient Push (Assran, Loizou, Ballas, Rabbat, ICML 2019) run on a digraph:
// node i sends shares of its (x, w) to its out-neighbours and keeps one, so the
// matrix W with W_ji = the share i sends to j (W_ii its own) is column
// stochastic: every column sums to 1, which preserves sum_i x_i and sum_i w_i,
// while the rows need not. Such a W is not symmetric, and its spectrum is
// complex: the rate of push-sum is governed by its second-largest eigenvalue
// modulus (SLEM), the largest being 1.
//
// A Digraph is a plain arc list on nodes 0..n-1; the rest of the simulator
// (links, latencies, graph facts) sees its underlying undirected graph (an edge
// wherever an arc goes either way), and only the mixing rows keep directions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "topologies/graph.hpp"
#include "topologies/mixing.hpp"

namespace dlsim {

// The arc from -> to. A self-loop (from == to) is only a weight: node i's own
// share W_ii, which a weighted file may state (see column_stochastic_from_arc_weights).
struct Arc {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  double weight = 1.0;
};

struct Digraph {
  std::size_t nodes = 0;
  std::vector<Arc> arcs;  // sorted by (from, to), no arc twice
};

// Builds the digraph; sorts the arcs. Throws TopologyError naming `origin` and
// the arc when an id is >= nodes or an arc repeats. O(m log m).
Digraph digraph_from_arcs(std::size_t nodes, std::vector<Arc> arcs, std::string_view origin = "digraph");

// Directed ring: i -> i + 1 mod n. n >= 2.
Digraph directed_ring_graph(std::size_t n);
// Directed exponential graph of the SGP experiments (Assran et al., ICML
// 2019): i -> i + 2^k mod n for k = 0..floor(log2(n - 1)), so every node has
// out- and in-degree floor(log2(n - 1)) + 1. n >= 2.
Digraph directed_exponential_graph(std::size_t n);

// The undirected graph of the arcs (self-loops dropped, an edge for each pair
// linked either way); the arcs' weights are not carried over. O(m log m).
Graph underlying_graph(const Digraph& digraph);

// Whether every node reaches every other one along arcs; if not, a pair
// (from, to) such that `from` cannot reach `to`. O(n + m).
struct StrongConnectivity {
  bool strongly_connected = true;
  std::uint32_t from = 0, to = 0;
};
StrongConnectivity strong_connectivity(const Digraph& digraph);

// Column-stochastic W, uniform over the out-neighbours and self: for every
// arc i -> j, W_ji = 1 / (1 + out_i), and W_ii = 1 / (1 + out_i) (self-loops
// are ignored). Column-major, rows sorted. O(n + m).
SparseMatrix column_stochastic_mixing(const Digraph& digraph);

// Column-stochastic W from the arcs' weights (topology.weights = "file"):
// W_ji = the weight of arc i -> j; W_ii = the self-loop's weight when the file
// gives one, else 1 - the rest of column i. Throws TopologyError naming the
// first bad column: one whose weights do not sum to 1 (a stated self-loop; 1e-9
// tolerance) or whose out-arcs weigh more than 1 (1e-12 rounding). O(n + m).
SparseMatrix column_stochastic_from_arc_weights(const Digraph& digraph);

// Second-largest eigenvalue modulus of a column-stochastic W (all eigenvalues
// of the dense W by Eigen's real Schur form: O(n^3) time, 8 n^2 bytes).
// `directed_spectral_gap` is 1 - slem. Requires a square W, n >= 2.
struct DirectedSpectralReport {
  double slem = 0.0;
  double directed_spectral_gap = 0.0;
  double max_row_sum_error = 0.0;  // 0 when W is also row stochastic (doubly stochastic)
  std::string method = "dense";
};
DirectedSpectralReport analyze_directed_spectrum(const SparseMatrix& w);

// Readers of directed graph files (topology.directed = true), formats by
// extension as read_graph_file: edge lists "u v [weight]" are arcs u -> v
// (a line "i i w" states W_ii); GraphML with edgedefault="directed"; DOT
// `digraph`. Weights default to 1. Throws TopologyError naming the file (and
// line for edge lists) on a malformed file, a repeated arc or an
// undirected graph.
Digraph read_digraph_file(const std::string& path);
Digraph read_directed_edge_list(std::istream& in, std::string_view name);
Digraph read_directed_graphml(std::istream& in, std::string_view name);
Digraph read_directed_dot(std::istream& in, std::string_view name);

}  // namespace dlsim
