// Byzantine nodes and robust gossip in synchronous rounds, built directly from
// GossipSgd: closed forms of the robust combinations, and the relations to
// plain gossip that hold exactly or to rounding.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "algorithms/decentralized/gossip_sgd.hpp"
#include "algorithms/decentralized/robust_gossip.hpp"
#include "fixture.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

constexpr std::uint32_t kNodes = 8;

std::vector<std::vector<double>> run_gossip(DecentralizedConfig config, int threads = 1) {
  GossipSgd gossip(std::move(config), nullptr, false);
  run_all(gossip, kNodes, threads);
  for (NodeId node = 0; node < kNodes; ++node) REQUIRE(gossip.rounds_completed(node) == 30);
  return models_of(gossip, kNodes);
}

DecentralizedConfig ring_consensus() {
  // Metropolis weights on a ring: w_ii = w_ij = 1/3 (every degree is 2).
  const SparseMatrix w = mixing_matrix(make_topology("ring", kNodes, {}, 1), MixingRule::metropolis);
  return consensus_config(w, random_vectors(kNodes, 5, 7), 30);
}

double max_difference(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, max_abs_difference(a[i], b[i]));
  return worst;
}

}  // namespace

TEST_CASE("ClippedGossip with a huge radius and no attacker is plain gossip to rounding") {
  // x_i + sum_j w_ij (x_j - x_i) = w_ii x_i + sum_j w_ij x_j when no difference is clipped.
  const auto plain = run_gossip(ring_consensus());
  DecentralizedConfig config = ring_consensus();
  config.robust = RobustGossipConfig{RobustGossipKind::clipped, 0, 1e300};
  CHECK(max_difference(run_gossip(config), plain) <= 1e-12);
  // The adaptive radius with b = 0 is infinite: the same.
  config.robust = RobustGossipConfig{RobustGossipKind::clipped, 0, 0.0};
  CHECK(max_difference(run_gossip(config), plain) <= 1e-12);
}

TEST_CASE("trimmed-mean gossip with b = 0 on a ring with Metropolis weights is plain gossip to rounding") {
  // With b = 0 the trimmed mean is the unweighted mean of the neighbourhood
  // with self, (x_{i-1} + x_i + x_{i+1}) / 3: exactly W's row when every w = 1/3
  // (a regular graph with Metropolis weights); only the summation order differs.
  const auto plain = run_gossip(ring_consensus());
  DecentralizedConfig config = ring_consensus();
  config.robust = RobustGossipConfig{RobustGossipKind::trimmed_mean, 0, 0.0};
  CHECK(max_difference(run_gossip(config), plain) <= 1e-12);
}

TEST_CASE("robust_combine: clipping and the adaptive radius in closed form") {
  const std::vector<double> own{0.0, 0.0};
  const std::vector<double> near{1.0, 0.0}, middle{0.0, 2.0}, far{10.0, 0.0};
  const std::vector<VectorView> neighbours{near, middle, far};
  const std::vector<double> weights{0.25, 0.25, 0.25};
  std::vector<double> out(2);
  // tau = 1: near passes whole, middle is cut to (0, 1), far to (1, 0).
  robust_combine(RobustGossipConfig{RobustGossipKind::clipped, 0, 1.0}, 0.25, own, neighbours, weights, out);
  CHECK(out[0] == Approx(0.25 * 1 + 0.25 * 1));
  CHECK(out[1] == Approx(0.25 * 1));
  // Adaptive, b = 1: drop the farthest; tau = sqrt((0.25 * 1 + 0.25 * 4) / 0.25) = sqrt(5).
  CHECK(adaptive_clip_radius(own, neighbours, weights, 1) == Approx(std::sqrt(5.0)));
  CHECK(std::isinf(adaptive_clip_radius(own, neighbours, weights, 0)));
  // Median of {0, 1, 0, 10} per coordinate and {0, 0, 2, 0}: (0 + 1) / 2 and 0.
  robust_combine(RobustGossipConfig{RobustGossipKind::median, 0, 0.0}, 0.25, own, neighbours, weights, out);
  CHECK(out == std::vector<double>{0.5, 0.0});
  // Trimmed mean b = 1: {0, 0, 1, 10} -> (0 + 1) / 2; {0, 0, 0, 2} -> 0.
  robust_combine(RobustGossipConfig{RobustGossipKind::trimmed_mean, 1, 0.0}, 0.25, own, neighbours, weights, out);
  CHECK(out == std::vector<double>{0.5, 0.0});
  // A non-finite neighbour is clipped to nothing.
  const std::vector<double> broken{std::numeric_limits<double>::quiet_NaN(), 1.0};
  const std::vector<VectorView> with_nan{near, broken};
  robust_combine(RobustGossipConfig{RobustGossipKind::clipped, 0, 1e300}, 0.5, own, with_nan, std::vector<double>{0.25, 0.25}, out);
  CHECK(out == std::vector<double>{0.25, 0.0});
}

TEST_CASE("silent Byzantine nodes are cut out of their neighbours' rows, and no one waits for them") {
  DecentralizedConfig config = ring_consensus();
  config.byzantine = {3};
  config.attack.kind = AttackKind::none;
  config.mixing = without_silent_nodes(config.mixing, config.byzantine);
  const MixingRow& row = config.mixing.row(2, 0);
  CHECK(row.neighbours == std::vector<NodeId>{1});
  CHECK(row.self_weight == Approx(2.0 / 3.0));
  CHECK(config.mixing.row(3, 0).neighbours.empty());
  CHECK(config.mixing.row(3, 0).self_weight == 1.0);
  const auto initial = config.initial_models;
  const auto models = run_gossip(config);  // requires every node to finish its 30 rounds
  CHECK(models[3] == initial[3]);          // alone, it keeps its model
  // The honest nodes (a path 4 .. 7, 0 .. 2 with doubly stochastic weights) keep their sum.
  for (std::size_t k = 0; k < 5; ++k) {
    double before = 0, after = 0;
    for (NodeId node = 0; node < kNodes; ++node)
      if (node != 3) before += initial[node][k], after += models[node][k];
    CHECK(after == Approx(before).margin(1e-12));
  }
}

TEST_CASE("one huge sign-flip attacker on a ring: plain gossip blows up, median and trimmed-mean gossip do not") {
  DecentralizedConfig attacked = ring_consensus();
  attacked.byzantine = {0};
  attacked.attack.kind = AttackKind::sign_flip;
  attacked.attack.scale = 1e6;
  auto honest_spread = [](const std::vector<std::vector<double>>& models) {
    double worst = 0;
    for (NodeId node = 1; node < kNodes; ++node)
      for (double value : models[node]) worst = std::max(worst, std::abs(value));
    return worst;
  };
  const double start = honest_spread(ring_consensus().initial_models);
  CHECK(honest_spread(run_gossip(attacked)) > 1e3 * start);
  for (RobustGossipKind kind : {RobustGossipKind::median, RobustGossipKind::trimmed_mean}) {
    attacked.robust = RobustGossipConfig{kind, 1, 0.0};
    // Each coordinate stays within the range of the honest values it started from.
    CHECK(honest_spread(run_gossip(attacked)) <= start);
  }
}

TEST_CASE("gossip with omniscient and random attackers gives bit-identical models with 1 and 2 threads") {
  for (AttackKind kind : {AttackKind::alie, AttackKind::gaussian, AttackKind::dissensus}) {
    DecentralizedConfig config = ring_consensus();
    config.byzantine = {1, 4};
    config.attack.kind = kind;
    config.attack.z = 1.0;
    config.attack.per_receiver = true;
    config.robust = RobustGossipConfig{RobustGossipKind::clipped, 1, 0.0};
    CHECK(run_gossip(config, 1) == run_gossip(config, 2));
  }
}
