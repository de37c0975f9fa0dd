// CHOCO-Gossip against its published behaviour (Koloskova, Stich, Jaggi,
// ICML 2019): linear convergence to exact consensus with compressed messages,
// where the naive Q1/Q2 gossip with the same compressor stalls; and its
// invariants.
#include <catch2/catch.hpp>

#include "algorithms/decentralized/choco.hpp"
#include "algorithms/decentralized/gossip_sgd.hpp"
#include "algorithms/decentralized/quantized_gossip.hpp"
#include "compress/factory.hpp"
#include "fixture.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

// Ring of 25 with Metropolis weights (1/3 each), random x_i in R^200.
constexpr std::uint32_t kNodes = 25;
constexpr std::size_t kDim = 200;

DecentralizedConfig ring_consensus(std::string_view compressor, const ParamMap& params, double gamma,
                                   std::uint64_t rounds) {
  DecentralizedConfig config = consensus_config(mixing_matrix(ring_graph(kNodes), MixingRule::metropolis),
                                                random_vectors(kNodes, kDim, 7), rounds);
  config.compressor = make_compressor(compressor, params);
  config.gamma = gamma;
  return config;
}

}  // namespace

TEST_CASE("CHOCO-Gossip with top-10% reaches consensus below 1e-10, Q1 and Q2 gossip stall") {
  const auto initial = random_vectors(kNodes, kDim, 7);
  const double start = consensus_distance(initial);
  const ParamMap top10{{"ratio", 0.1}};

  Choco choco(ring_consensus("top-k", top10, 0.4, 2000), nullptr, false);
  run_all(choco, kNodes);
  const auto models = models_of(choco, kNodes);
  CHECK(consensus_distance(models) < 1e-10);
  // The average is preserved (W doubly stochastic): consensus on the true mean,
  // and the public copies x_hat_i have caught up with the models.
  const std::vector<double> mean = average_model(initial);
  for (NodeId node = 0; node < kNodes; ++node) {
    CHECK(max_abs_difference(models[node], mean) < 1e-5);
    const std::span<const double> x_hat = choco.public_copy(node);
    CHECK(max_abs_difference(models[node], std::vector<double>(x_hat.begin(), x_hat.end())) < 1e-5);
  }

  for (auto kind : {QuantizedGossipKind::q1, QuantizedGossipKind::q2}) {
    QuantizedGossip naive(ring_consensus("top-k", top10, 0.4, 2000), nullptr, kind);
    run_all(naive, kNodes);
    const auto naive_models = models_of(naive, kNodes);
    const double error = consensus_distance(naive_models);
    // Q1 does not even keep the average: every x_i drifts towards a compressed version.
    double mean_drift = max_abs_difference(average_model(naive_models), mean);
    INFO("kind " << (kind == QuantizedGossipKind::q1 ? "q1" : "q2") << ": consensus distance " << error
                 << ", drift of the mean " << mean_drift << ", start " << start);
    CHECK((error > 1e-3 * start || mean_drift > 1e-2 || !std::isfinite(error)));
  }
}

TEST_CASE("CHOCO-Gossip converges linearly with an unbiased quantiser (qsgd, 16 levels)") {
  Choco choco(ring_consensus("qsgd", {{"levels", std::int64_t{16}}}, 0.6, 1200), nullptr, false);
  run_all(choco, kNodes);
  CHECK(consensus_distance(models_of(choco, kNodes)) < 1e-10);
}

TEST_CASE("CHOCO keeps the average of x exactly, with a random compressor too") {
  // sum_i x_i changes by gamma sum_i (s_i - x_hat_i) = gamma (1^T W x_hat - 1^T x_hat) = 0.
  const auto initial = random_vectors(kNodes, kDim, 7);
  Choco choco(ring_consensus("rand-k", {{"ratio", 0.05}}, 0.05, 300), nullptr, false);
  run_all(choco, kNodes);
  const auto models = models_of(choco, kNodes);
  CHECK(max_abs_difference(average_model(models), average_model(initial)) < 1e-12);
  CHECK(consensus_distance(models) < 0.5 * consensus_distance(initial));
}

TEST_CASE("CHOCO messages have the compressor's exact size plus the 64-bit header") {
  // top-2 of d = 200 with ceil(log2 200) = 8-bit indices: 2 x (32 + 8) + 64 = 144 bits per message,
  // one message per node and neighbour per round.
  Choco choco(ring_consensus("top-k", {{"k", std::int64_t{2}}}, 0.1, 10), nullptr, false);
  Engine engine(gigabit_network(kNodes));
  engine.set_behaviour_all(&choco);
  engine.run_until(kNever - 1);
  const NodeCounters totals = engine.total_counters();
  CHECK(totals.messages_sent == 10u * kNodes * 2);
  CHECK(totals.bits_sent == totals.messages_sent * 144u);
}

TEST_CASE("CHOCO refuses a gamma outside 0 < gamma <= 1 and a time-varying graph") {
  CHECK_THROWS_WITH(Choco(ring_consensus("top-k", {}, 1.5, 1), nullptr, false), Catch::Contains("gamma"));
  DecentralizedConfig config = ring_consensus("top-k", {}, 0.5, 1);
  config.mixing.period.push_back(config.mixing.period.front());
  CHECK_THROWS_WITH(Choco(config, nullptr, false), Catch::Contains("time-varying"));
}

TEST_CASE("exact gossip on the time-varying one-peer exponential graph averages exactly in log2(n) rounds") {
  constexpr std::uint32_t n = 16;
  DecentralizedConfig config = consensus_config(mixing_matrix(ring_graph(n), MixingRule::metropolis),
                                                random_vectors(n, 10, 9), 4);
  config.mixing.period.clear();
  for (std::uint64_t round = 0; round < one_peer_exponential_period(n); ++round)
    config.mixing.period.push_back(mixing_rows(one_peer_exponential_mixing(n, round)));
  const auto initial = config.initial_models;
  GossipSgd gossip(config, nullptr, false);
  const EngineStats stats = run_all(gossip, n);
  const auto models = models_of(gossip, n);
  CHECK(consensus_distance(models) < 1e-28);
  CHECK(max_abs_difference(models.front(), average_model(initial)) < 1e-14);
  CHECK(stats.events > 0);
}
