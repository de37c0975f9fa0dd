// Directed graphs (topologies/digraph.hpp): generators, strong connectivity,
// column-stochastic W and its SLEM against the circulant closed form, and the
// directed file readers with their errors.
#include "topologies/digraph.hpp"

#include <catch2/catch.hpp>

#include <complex>
#include <functional>
#include <numbers>
#include <sstream>

#include "topologies/errors.hpp"

using namespace dlsim;
using Catch::Contains;

namespace {

// The SLEM of the circulant W whose first column has `share` at the offsets
// `hops` and at 0: eigenvalues mu_k = sum_h share_h exp(2 pi i k h / n), k = 0..n-1
// (mu_0 = 1); the SLEM is max_{k >= 1} |mu_k|.
double circulant_slem(std::size_t n, const std::vector<std::size_t>& hops, double share) {
  double slem = 0;
  for (std::size_t k = 1; k < n; ++k) {
    std::complex<double> mu = share;  // the node's own share
    for (std::size_t hop : hops)
      mu += share * std::polar(1.0, 2 * std::numbers::pi * static_cast<double>(k * hop) / static_cast<double>(n));
    slem = std::max(slem, std::abs(mu));
  }
  return slem;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const TopologyError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("directed ring with uniform shares 1/2 has SLEM |(1 + exp(2 pi i / n)) / 2| = cos(pi / n)") {
  for (std::size_t n : {2u, 3u, 5u, 8u, 13u, 32u}) {
    const SparseMatrix w = column_stochastic_mixing(directed_ring_graph(n));
    const DirectedSpectralReport report = analyze_directed_spectrum(w);
    CHECK(report.slem == Approx(circulant_slem(n, {1}, 0.5)).margin(1e-12));
    CHECK(report.slem == Approx(std::abs(std::cos(std::numbers::pi / static_cast<double>(n)))).margin(1e-12));
    CHECK(report.max_row_sum_error < 1e-15);  // a circulant: doubly stochastic too
  }
}

TEST_CASE("directed exponential graph: i -> i + 2^k, shares 1/(1 + log2 degree), SLEM of its circulant") {
  for (std::size_t n : {6u, 16u, 20u}) {
    const Digraph digraph = directed_exponential_graph(n);
    std::vector<std::size_t> hops;
    for (std::size_t hop = 1; hop < n; hop <<= 1) hops.push_back(hop);
    CHECK(digraph.arcs.size() == n * hops.size());
    const SparseMatrix w = column_stochastic_mixing(digraph);
    CHECK(w.coeff(static_cast<Eigen::Index>(hops.back() % n), 0) == Approx(1.0 / static_cast<double>(hops.size() + 1)));
    CHECK(analyze_directed_spectrum(w).slem ==
          Approx(circulant_slem(n, hops, 1.0 / static_cast<double>(hops.size() + 1))).margin(1e-12));
  }
  // n = 16: hops 1, 2, 4, 8 with shares 1/5; mu_8 = (1 + 1 + 1 + 1 - 1)/5 = 3/5 is the SLEM.
  CHECK(analyze_directed_spectrum(column_stochastic_mixing(directed_exponential_graph(16))).slem ==
        Approx(0.6).margin(1e-12));
  // Its underlying graph is the undirected exponential graph: i ~ i +/- 2^k.
  CHECK(boost::num_edges(underlying_graph(directed_exponential_graph(16))) == 16 * 4 - 8);
}

TEST_CASE("uniform out-shares on an irregular digraph: columns sum to 1, rows do not") {
  // The ring 0 -> 1 -> 2 -> 3 -> 0 with the chord 0 -> 2: node 0 sends thirds.
  const Digraph digraph = digraph_from_arcs(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {0, 2}});
  const SparseMatrix w = column_stochastic_mixing(digraph);
  const MixingCheck check = check_mixing_matrix(w);
  CHECK(check.max_col_sum_error < 1e-15);
  CHECK(check.max_row_sum_error > 0.1);  // row 2 gets 1/2 + 1/2 + 1/3
  CHECK(w.coeff(2, 0) == Approx(1.0 / 3));
  CHECK(w.coeff(0, 0) == Approx(1.0 / 3));
  CHECK(w.coeff(2, 1) == Approx(0.5));
  CHECK(analyze_directed_spectrum(w).max_row_sum_error == Approx(1.0 / 3));
}

TEST_CASE("strong connectivity names a pair that cannot reach each other") {
  CHECK(strong_connectivity(directed_ring_graph(5)).strongly_connected);
  // 3 -> 0 only: nothing reaches 3.
  const StrongConnectivity forward = strong_connectivity(digraph_from_arcs(4, {{0, 1}, {1, 2}, {2, 0}, {3, 0}}));
  CHECK_FALSE(forward.strongly_connected);
  CHECK((forward.from == 0 && forward.to == 3));
  // 0 -> 3 only: 3 reaches nothing.
  const StrongConnectivity backward = strong_connectivity(digraph_from_arcs(4, {{0, 1}, {1, 2}, {2, 0}, {0, 3}}));
  CHECK_FALSE(backward.strongly_connected);
  CHECK((backward.from == 3 && backward.to == 0));
}

TEST_CASE("W from arc weights: W_ji = weight of i -> j, w_ii the rest or stated, and the first bad column named") {
  std::istringstream good("0 1 0.25\n1 2 0.5\n2 0 0.75\n0 2 0.25\n");
  const SparseMatrix w = column_stochastic_from_arc_weights(read_directed_edge_list(good, "good.edges"));
  CHECK(w.coeff(1, 0) == 0.25);
  CHECK(w.coeff(2, 0) == 0.25);
  CHECK(w.coeff(0, 0) == 0.5);
  CHECK(w.coeff(0, 2) == 0.75);
  CHECK(w.coeff(2, 2) == Approx(0.25));
  // A stated self weight: the column must sum to 1.
  std::istringstream stated("0 1 0.5\n0 0 0.5\n1 0 1\n");
  CHECK(column_stochastic_from_arc_weights(read_directed_edge_list(stated, "stated.edges")).coeff(0, 0) == 0.5);
  std::istringstream short_column("0 1 0.5\n1 1 0.25\n1 0 0.5\n");
  const Digraph short_digraph = read_directed_edge_list(short_column, "short.edges");
  CHECK_THAT(error_of([&] { column_stochastic_from_arc_weights(short_digraph); }),
             Contains("column 1 of W does not sum to 1: node 1's self weight 0.25 and its 1 out-arcs sum to 0.75"));
  std::istringstream heavy("0 1 0.5\n1 2 0.7\n1 0 0.4\n2 0 1\n");
  const Digraph heavy_digraph = read_directed_edge_list(heavy, "heavy.edges");
  CHECK_THAT(error_of([&] { column_stochastic_from_arc_weights(heavy_digraph); }),
             Contains("column 1 of W does not sum to 1: the weights of node 1's 2 out-arcs sum to 1.1"));
}

TEST_CASE("directed files: arcs keep their direction, repeats and undirected DOT refused") {
  std::istringstream edges("# a 3-cycle\n0 1\n1 2\n2 0\n");
  const Digraph cycle = read_directed_edge_list(edges, "cycle.edges");
  CHECK(cycle.nodes == 3);
  CHECK(cycle.arcs.size() == 3);
  CHECK(strong_connectivity(cycle).strongly_connected);
  std::istringstream both_ways("0 1\n1 0\n");
  CHECK(read_directed_edge_list(both_ways, "pair.edges").arcs.size() == 2);  // two arcs, one undirected edge
  std::istringstream repeated("0 1\n1 2\n0 1\n");
  CHECK_THAT(error_of([&] { read_directed_edge_list(repeated, "r.edges"); }), Contains("r.edges:3: arc 0->1 repeats line 1"));
  std::istringstream dot("digraph g { 0 -> 1 [weight=0.5]; 1 -> 2; 2 -> 0; }");
  const Digraph from_dot = read_directed_dot(dot, "g.dot");
  CHECK(from_dot.arcs.size() == 3);
  CHECK(from_dot.arcs[0].from == 0);
  CHECK(from_dot.arcs[0].to == 1);
  CHECK(from_dot.arcs[0].weight == 0.5);
  std::istringstream undirected("graph g { 0 -- 1; }");
  CHECK_THAT(error_of([&] { read_directed_dot(undirected, "u.dot"); }), Contains("u.dot: not a valid DOT digraph"));
  std::istringstream graphml(R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph edgedefault="directed">
    <node id="n0"/><node id="n1"/>
    <edge source="n0" target="n1"><data key="w">0.25</data></edge>
    <edge source="n1" target="n0"/>
  </graph>
</graphml>)");
  const Digraph from_graphml = read_directed_graphml(graphml, "g.graphml");
  CHECK(from_graphml.arcs.size() == 2);
  CHECK(column_stochastic_from_arc_weights(from_graphml).coeff(0, 0) == 0.75);
}
