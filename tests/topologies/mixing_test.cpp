#include "topologies/mixing.hpp"

#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include "topologies/errors.hpp"
#include "topologies/generators.hpp"

using namespace dlsim;
using Catch::Matchers::Contains;

TEST_CASE("every rule gives a symmetric, doubly stochastic, non-negative W") {
  const std::vector<Graph> graphs = {ring_graph(9),          star_graph(7),
                                     social_network_graph(), barabasi_albert_graph(200, 3, 1),
                                     erdos_renyi_graph(100, 0.05, 2), dumbbell_graph(11)};
  for (const auto& info : mixing_rules()) {
    for (const auto& graph : graphs) {
      const bool regular = graph_facts(graph).degree_min == graph_facts(graph).degree_max;
      if (!regular && (info.rule == MixingRule::uniform || info.rule == MixingRule::lazy_uniform)) continue;
      INFO(info.name << " on " << boost::num_vertices(graph) << " nodes");
      const MixingCheck check = check_mixing_matrix(mixing_matrix(graph, info.rule));
      CHECK(check.ok());
      CHECK(check.max_row_sum_error <= 1e-12);
      CHECK(check.max_col_sum_error <= 1e-12);
      CHECK(check.min_entry >= 0.0);
    }
  }
}

TEST_CASE("mixing weights follow their formulas") {
  // Star with 5 nodes: hub degree 4, leaves degree 1.
  const Graph star = star_graph(5);
  const SparseMatrix metropolis = mixing_matrix(star, MixingRule::metropolis);
  CHECK(metropolis.coeff(0, 1) == Approx(1.0 / 5));
  CHECK(metropolis.coeff(1, 1) == Approx(4.0 / 5));
  const SparseMatrix choco = mixing_matrix(star, MixingRule::metropolis_choco);
  CHECK(choco.coeff(0, 1) == Approx(1.0 / 4));
  CHECK(choco.coeff(0, 0) == 0.0);  // 1 - 4 x 1/4, stored as exactly 0
  const SparseMatrix max_degree = mixing_matrix(ring_graph(6), MixingRule::max_degree);
  CHECK(max_degree.coeff(0, 1) == Approx(1.0 / 3));
  const SparseMatrix lazy = mixing_matrix(star, MixingRule::lazy_metropolis);
  CHECK(lazy.coeff(0, 1) == Approx(1.0 / 10));
  CHECK(lazy.coeff(0, 0) == Approx(0.5 + 0.5 / 5));
  // On a regular graph, uniform = metropolis = max-degree.
  const Graph torus = torus_graph(3, 4);
  const Eigen::MatrixXd uniform(mixing_matrix(torus, MixingRule::uniform));
  const Eigen::MatrixXd mh(mixing_matrix(torus, MixingRule::metropolis));
  CHECK((uniform - mh).cwiseAbs().maxCoeff() < 1e-15);
}

TEST_CASE("uniform weights need a regular graph, unknown rules are named") {
  CHECK_THROWS_WITH(mixing_matrix(star_graph(5), MixingRule::uniform), Contains("regular"));
  CHECK(parse_mixing_rule("lazy-metropolis") == MixingRule::lazy_metropolis);
  CHECK_THROWS_WITH(parse_mixing_rule("metropoli"), Contains("did you mean 'metropolis'"));
  CHECK_THROWS_AS(parse_mixing_rule("fastest"), TopologyError);
}

TEST_CASE("the check reports asymmetric and non-stochastic matrices") {
  SparseMatrix w(2, 2);
  w.insert(0, 0) = 0.5;
  w.insert(0, 1) = 0.6;
  w.insert(1, 0) = 0.5;
  w.insert(1, 1) = 0.4;
  const MixingCheck check = check_mixing_matrix(w);
  CHECK_FALSE(check.symmetric);
  CHECK(check.max_asymmetry == Approx(0.1));
  CHECK_FALSE(check.doubly_stochastic);
  CHECK(check.nonnegative);
}

TEST_CASE("one-peer exponential graphs average exactly in log2(n) rounds") {
  // Round k pairs i with i xor 2^k with weight 1/2: after rounds 0..tau-1 every
  // node holds the mean over all tau bits, i.e. the product is 11^T / n exactly
  // (the arithmetic is exact: sums of halves of equal-weight entries).
  for (std::size_t n : {2, 4, 16, 64}) {
    INFO("n = " << n);
    const std::size_t tau = one_peer_exponential_period(n);
    Eigen::MatrixXd product = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    Eigen::MatrixXd before_last = product;
    for (std::size_t t = 0; t < tau; ++t) {
      const SparseMatrix w = one_peer_exponential_mixing(n, t);
      CHECK(check_mixing_matrix(w).ok());
      before_last = product;
      product = Eigen::MatrixXd(w) * product;
    }
    const Eigen::MatrixXd average = Eigen::MatrixXd::Constant(product.rows(), product.cols(), 1.0 / static_cast<double>(n));
    CHECK((product - average).cwiseAbs().maxCoeff() == 0.0);
    // One round fewer is not enough: entries are 2/n on half the pairs, 0 elsewhere.
    CHECK((before_last - average).cwiseAbs().maxCoeff() == Approx(1.0 / static_cast<double>(n)));
  }
  // Not a power of two: each W is still valid, the product is not the average.
  const std::size_t n = 12;
  Eigen::MatrixXd product = Eigen::MatrixXd::Identity(12, 12);
  for (std::size_t t = 0; t < one_peer_exponential_period(n); ++t) {
    const SparseMatrix w = one_peer_exponential_mixing(n, t);
    CHECK(check_mixing_matrix(w).ok());
    product = Eigen::MatrixXd(w) * product;
  }
  CHECK((product.array() - 1.0 / 12).abs().maxCoeff() > 1e-3);
}
