// CHOCO's public copies after an outage (round timeout and churn): while a
// node is down its neighbours' increments to it are lost and its own to
// them may be, so the copies diverge; the node and its neighbours ask each
// other for their full public copies, and once those have come every copy
// of x_hat_j equals j's own again and CHOCO-Gossip reaches exact consensus
// (a lagging copy would leave a fixed disagreement).
#include <catch2/catch.hpp>

#include "algorithms/decentralized/choco.hpp"
#include "compress/factory.hpp"
#include "fixture.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

constexpr std::uint32_t kNodes = 8;
constexpr NodeId kChurner = 3;
constexpr std::uint64_t kRounds = 1500;

struct ChurnRun {
  std::unique_ptr<Choco> choco;
  std::uint64_t outages = 0;
  std::uint64_t rounds_after_last_rejoin = 0;
  double full_copies_sent = 0;

  explicit ChurnRun(int threads) {
    DecentralizedConfig config = consensus_config(mixing_matrix(ring_graph(kNodes), MixingRule::metropolis),
                                                  random_vectors(kNodes, 20, 3), kRounds);
    config.compressor = make_compressor("top-k", ParamMap{{"ratio", 0.25}});
    config.gamma = 0.4;
    config.round_timeout = 3'000'000;
    choco = std::make_unique<Choco>(config, nullptr, false);
    EngineConfig engine_config;
    engine_config.nodes = kNodes;
    engine_config.threads = threads;
    engine_config.network.latency.base = 1'000'000;
    engine_config.faults.churn_mean_up = 400'000'000;
    engine_config.faults.churn_mean_down = 20'000'000;
    engine_config.faults.churn_nodes = {kChurner};
    Engine engine(engine_config);
    engine.set_behaviour_all(choco.get());
    // Step through time to see node 3's outages and the round it rejoined in.
    bool was_up = true;
    std::uint64_t rejoin_round = 0;
    for (SimTime t = 500'000; t < 60'000'000'000; t += 500'000) {
      engine.run_until(t);
      const bool up = engine.is_up(kChurner);
      if (!up && was_up) ++outages;
      if (up && !was_up) rejoin_round = choco->rounds_completed(kChurner);
      was_up = up;
      bool all_done = true;
      for (NodeId node = 0; node < kNodes; ++node) all_done = all_done && choco->rounds_completed(node) == kRounds;
      if (all_done) break;
    }
    rounds_after_last_rejoin = kRounds - rejoin_round;
    for (const auto& [name, value] : choco->summary_figures())
      if (name == "full_copies_sent") full_copies_sent = value;
  }
};

}  // namespace

TEST_CASE("CHOCO after a churn outage: full public copies resynchronise the copies and consensus is exact",
          "[timeout]") {
  const double start = consensus_distance(random_vectors(kNodes, 20, 3));
  std::vector<std::vector<double>> reference;
  for (int threads : {1, 2}) {
    ChurnRun run(threads);
    REQUIRE(run.outages >= 1);
    REQUIRE(run.rounds_after_last_rejoin >= 100);  // time for the copies to come back
    for (NodeId node = 0; node < kNodes; ++node)
      REQUIRE(run.choco->rounds_completed(node) == kRounds);
    CHECK(run.full_copies_sent > 0);
    // Every node's copy of each neighbour's x_hat is that neighbour's own.
    for (NodeId node = 0; node < kNodes; ++node)
      for (NodeId neighbour : {(node + 1) % kNodes, (node + kNodes - 1) % kNodes}) {
        INFO("node " << node << "'s copy of " << neighbour);
        const std::span<const double> copy = run.choco->copy_of(node, neighbour);
        const std::span<const double> own = run.choco->public_copy(neighbour);
        CHECK(max_abs_difference({copy.begin(), copy.end()}, {own.begin(), own.end()}) < 1e-12);
      }
    const auto models = models_of(*run.choco, kNodes);
    CHECK(consensus_distance(models) < 1e-20 * start);
    if (reference.empty()) reference = models;
    CHECK(models == reference);  // bit-identical for 1 and 2 threads
  }
}
