// PowerGossip (Vogels, Karimireddy, Jaggi, NeurIPS 2020) against its
// invariants and its promise: the sum of the vectors is kept exactly (both
// ends of an edge apply the same rank-1 difference with opposite signs), the
// nodes reach exact consensus with messages of rows or cols values instead
// of d, and one round with d = rows x cols = 1 x d alternates a projection
// with an exact gossip step.
#include <catch2/catch.hpp>

#include "algorithms/decentralized/gossip_sgd.hpp"
#include "algorithms/decentralized/power_gossip.hpp"
#include "fixture.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

// Ring of 8 with Metropolis weights (1/3 each), random x_i in R^200 (a 10 x 20 matrix).
constexpr std::uint32_t kNodes = 8;
constexpr std::size_t kDim = 200;

DecentralizedConfig ring_consensus(std::uint64_t rounds, std::size_t dim = kDim) {
  DecentralizedConfig config = consensus_config(mixing_matrix(ring_graph(kNodes), MixingRule::metropolis),
                                                random_vectors(kNodes, dim, 7), rounds);
  config.gamma = 1.0;
  return config;
}

}  // namespace

TEST_CASE("PowerGossip keeps the average exactly and reaches consensus with sqrt(d)-sized messages") {
  const DecentralizedConfig config = ring_consensus(600);
  const std::vector<double> mean = average_model(config.initial_models);
  const double start = consensus_distance(config.initial_models);
  PowerGossip power(config, nullptr);
  CHECK(power.matrix_rows() == 10);
  CHECK(power.matrix_cols() == 20);
  Engine engine(gigabit_network(kNodes));
  engine.set_behaviour_all(&power);
  engine.run_until(kNever - 1);
  const auto models = models_of(power, kNodes);
  INFO("consensus distance " << start << " -> " << consensus_distance(models));
  CHECK(max_abs_difference(average_model(models), mean) < 1e-12);
  CHECK(consensus_distance(models) < 1e-10 * start);
  // Per edge and round: 10 values (even rounds) or 20 (odd), fp64, plus the 64-bit header.
  const NodeCounters totals = engine.total_counters();
  CHECK(totals.messages_sent == 600u * kNodes * 2);
  CHECK(totals.bits_sent == 300u * kNodes * 2 * (64 + 64 * 10) + 300u * kNodes * 2 * (64 + 64 * 20));
}

TEST_CASE("PowerGossip on a 1 x d matrix: every odd round is an exact gossip step") {
  // d = 7 (prime): rows = 1. In an odd round v is +-1 and q = D^T v is the whole
  // difference, so D~ = D and x_i -= w_ij (x_i - x_j): exact gossip on top of round 0.
  DecentralizedConfig config = ring_consensus(1, 7);
  PowerGossip first(config, nullptr);
  run_all(first, kNodes);
  config.rounds = 2;
  PowerGossip second(config, nullptr);
  run_all(second, kNodes);
  const auto after_one = models_of(first, kNodes), after_two = models_of(second, kNodes);
  const SparseMatrix w = mixing_matrix(ring_graph(kNodes), MixingRule::metropolis);
  for (NodeId node = 0; node < kNodes; ++node) {
    std::vector<double> expected(7, 0.0);
    for (SparseMatrix::InnerIterator it(w, node); it; ++it)
      for (std::size_t k = 0; k < 7; ++k) expected[k] += it.value() * after_one[static_cast<NodeId>(it.index())][k];
    CHECK(max_abs_difference(after_two[node], expected) < 1e-13);
  }
}

TEST_CASE("PowerGossip is bit-identical with 1 and 2 threads and refuses a round timeout") {
  const DecentralizedConfig config = ring_consensus(50);
  PowerGossip one(config, nullptr), two(config, nullptr);
  run_all(one, kNodes, 1);
  run_all(two, kNodes, 2);
  CHECK(models_of(one, kNodes) == models_of(two, kNodes));
  DecentralizedConfig timed = config;
  timed.round_timeout = 1'000'000;
  CHECK_THROWS_WITH(PowerGossip(timed, nullptr), Catch::Contains("round timeout"));
}
