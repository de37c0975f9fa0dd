// Push-sum consensus (Kempe, Dobra, Gehrke, FOCS 2003) on a digraph whose
// uniform out-shares give a column-stochastic W that is not row stochastic:
// plain x <- W x would converge to a weighted average (W's Perron vector), but
// push-sum's x / w converges to the exact average, and the sums of x and of w
// are invariant every round.
#include <catch2/catch.hpp>

#include <cmath>

#include "algorithms/decentralized/push_sum.hpp"
#include "fixture.hpp"
#include "topologies/digraph.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

constexpr std::uint32_t kNodes = 7;
constexpr std::size_t kDimension = 3;

// The directed ring on 7 nodes with the chords 0 -> 3 and 0 -> 5: node 0 sends
// quarters, the others halves; strongly connected, W not doubly stochastic.
SparseMatrix chorded_ring() {
  std::vector<Arc> arcs;
  for (std::uint32_t i = 0; i < kNodes; ++i) arcs.push_back({i, (i + 1) % kNodes});
  arcs.push_back({0, 3});
  arcs.push_back({0, 5});
  return column_stochastic_mixing(digraph_from_arcs(kNodes, arcs));
}

DecentralizedConfig push_sum_config(std::uint64_t rounds) {
  DecentralizedConfig config = consensus_config(chorded_ring(), random_vectors(kNodes, kDimension, 5), rounds);
  config.mixing = fixed_directed_mixing(chorded_ring());
  return config;
}

std::vector<double> true_average() {
  std::vector<double> mean(kDimension, 0.0);
  for (const auto& x : random_vectors(kNodes, kDimension, 5))
    for (std::size_t k = 0; k < kDimension; ++k) mean[k] += x[k] / kNodes;
  return mean;
}

}  // namespace

TEST_CASE("push-sum keeps sum x and sum w every round and reaches the exact average on a digraph") {
  REQUIRE(check_mixing_matrix(chorded_ring()).max_row_sum_error > 0.1);  // not doubly stochastic
  const std::vector<double> mean = true_average();
  for (std::uint64_t rounds = 1; rounds <= 12; ++rounds) {
    PushSum algorithm(push_sum_config(rounds), nullptr, false);
    run_all(algorithm, kNodes);
    std::vector<double> sums(kDimension + 1, 0.0);
    for (NodeId node = 0; node < kNodes; ++node)
      for (std::size_t k = 0; k <= kDimension; ++k) sums[k] += algorithm.pair(node)[k];
    for (std::size_t k = 0; k < kDimension; ++k) CHECK(sums[k] == Approx(mean[k] * kNodes).margin(1e-12));
    CHECK(sums[kDimension] == Approx(double{kNodes}).margin(1e-12));
  }
  PushSum converged(push_sum_config(400), nullptr, false);
  run_all(converged, kNodes);
  for (NodeId node = 0; node < kNodes; ++node)
    CHECK(max_abs_difference(models_of(converged, kNodes)[node], mean) < 1e-12);
}

TEST_CASE("the same W without the weights w is biased: x <- W x converges to W's Perron average, not the mean") {
  // What push-sum corrects: after many rounds x_i = (sum_j x_j) * pi_i, with pi
  // W's Perron vector, so the nodes disagree with the mean (and each other).
  const SparseMatrix w = chorded_ring();
  Eigen::MatrixXd x(kNodes, kDimension);
  const auto start = random_vectors(kNodes, kDimension, 5);
  for (std::uint32_t i = 0; i < kNodes; ++i)
    for (std::size_t k = 0; k < kDimension; ++k) x(i, k) = start[i][k];
  for (int round = 0; round < 400; ++round) x = w * x;
  const std::vector<double> mean = true_average();
  // Here pi = (2, 1, 1, 2, 2, 3, 3) / 14: node 1 ends at half the mean.
  CHECK(x(1, 0) / mean[0] == Approx(0.5).epsilon(1e-9));
}

TEST_CASE("push-sum on a digraph is bit-identical with 1 and 2 threads") {
  PushSum one(push_sum_config(30), nullptr, false);
  run_all(one, kNodes, 1);
  PushSum two(push_sum_config(30), nullptr, false);
  run_all(two, kNodes, 2);
  CHECK(models_of(one, kNodes) == models_of(two, kNodes));
}

TEST_CASE("push-sum refuses compressed messages and an overlap") {
  DecentralizedConfig overlapping = push_sum_config(5);
  overlapping.overlap = 1;
  CHECK_THROWS_AS(PushSum(overlapping, nullptr, false), std::invalid_argument);
}
