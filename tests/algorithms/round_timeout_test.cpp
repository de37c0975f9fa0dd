// Round timeouts on a graph small enough to do by hand: a slow link makes
// two nodes time out, complete the round at exactly the timeout with their
// row renormalised (w_ii takes the missing weight), and drop the late
// message when it comes.
#include <catch2/catch.hpp>

#include "algorithms/decentralized/gossip_sgd.hpp"
#include "algorithms/round_snapshots.hpp"
#include "fixture.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

// Gossip on the triangle with w_ij = 1/3, x = (0, 3, 6), one round; link 0-1
// takes 10 ms, the others 1 ms; round timeout 5 ms.
struct Triangle {
  static constexpr SimTime kTimeout = 5'000'000;
  RoundSnapshots snapshots{3, 1, 1};
  std::unique_ptr<GossipSgd> gossip;
  EngineStats stats;

  explicit Triangle(int threads, SimTime timeout = kTimeout) {
    DecentralizedConfig config = consensus_config(mixing_matrix(complete_graph(3), MixingRule::metropolis), {{0.0}, {3.0}, {6.0}}, 1);
    config.round_timeout = timeout;
    gossip = std::make_unique<GossipSgd>(config, &snapshots, false);
    EngineConfig engine_config;
    engine_config.nodes = 3;
    engine_config.threads = threads;
    engine_config.network.latency.base = 1'000'000;
    engine_config.network.latency.kind = LatencyModel::Kind::table;
    engine_config.network.latency.per_link[{0, 1}] = 10'000'000;
    Engine engine(engine_config);
    engine.set_behaviour_all(gossip.get());
    while (engine.run_until(kNever - 1) == RunOutcome::stop_requested) {
    }
    stats = engine.stats();
  }
  double figure(const std::string& name) const {
    for (const auto& [key, value] : gossip->summary_figures())
      if (key == name) return value;
    return -1;
  }
};

}  // namespace

TEST_CASE("a message later than the timeout: the round completes at the timeout with w_ii taking the missing weight",
          "[timeout]") {
  for (int threads : {1, 2}) {
    Triangle triangle(threads);
    // Nodes 0 and 1 miss each other: x_0 = 2/3 * 0 + 1/3 * 6, x_1 = 2/3 * 3 + 1/3 * 6; node 2 hears both.
    CHECK(triangle.gossip->model(0)[0] == Approx(2.0).epsilon(1e-15));
    CHECK(triangle.gossip->model(1)[0] == Approx(4.0).epsilon(1e-15));
    CHECK(triangle.gossip->model(2)[0] == Approx(3.0).epsilon(1e-15));
    auto first = triangle.snapshots.take_ready();  // round 0
    REQUIRE(first);
    auto last = triangle.snapshots.take_ready();
    REQUIRE(last);
    CHECK(last->round == 1);
    CHECK(last->completed_at == Triangle::kTimeout);  // ready to mix at t = 0 (gossip sends first)
    CHECK(triangle.figure("round_timeouts") == 2);
    CHECK(triangle.figure("messages_missed") == 2);
    CHECK(triangle.figure("messages_late") == 2);  // the two messages of the slow link, at 10 ms
  }
}

TEST_CASE("a timeout longer than the slowest message changes nothing: full rows, no late message", "[timeout]") {
  Triangle triangle(1, 20'000'000);
  for (NodeId node = 0; node < 3; ++node) CHECK(triangle.gossip->model(node)[0] == Approx(3.0).epsilon(1e-15));
  CHECK(triangle.figure("round_timeouts") == 0);
  CHECK(triangle.figure("messages_late") == 0);
}
