// FlatGossip against GossipSgd's exact gossip, bit for bit: the same models
// after every round, the same snapshots, the same events (the engine's
// fingerprint hashes every event's time, kind, ends and bits), the same
// messages and bits, on regular and irregular graphs, d = 1 and d > 1,
// relaxed or not, with values arriving out of neighbour order, 1 and 2 threads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <memory>
#include <vector>

#include "algorithms/decentralized/flat_gossip.hpp"
#include "algorithms/decentralized/gossip_sgd.hpp"
#include "algorithms/round_snapshots.hpp"
#include "fixture.hpp"
#include "topologies/flat_mixing.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

struct Outcome {
  std::vector<std::vector<double>> models;
  std::vector<RoundSnapshot> snapshots;
  EngineStats stats;
  NodeCounters totals;
  std::uint64_t max_node_bits = 0;
};

// Latency 1 ms plus, per link, up to 3 ms more (so that values of one round
// arrive in any order and neighbours run a round ahead), 1 Gbit/s NICs.
Outcome run(DecentralizedAlgorithm& algorithm, RoundSnapshots& snapshots, std::uint32_t nodes, int threads,
            bool counters) {
  EngineConfig config;
  config.nodes = nodes;
  config.threads = threads;
  config.per_node_counters = counters;
  config.network.latency.base = 1'000'000;
  config.network.latency.kind = LatencyModel::Kind::uniform;
  config.network.latency.spread = 3'000'000;
  config.network.uplink_bps.assign(nodes, 1'000'000'000);
  config.network.downlink_bps.assign(nodes, 1'000'000'000);
  Engine engine(config);
  engine.set_behaviour_all(&algorithm);
  Outcome outcome;
  while (true) {
    const RunOutcome result = engine.run_until(kNever - 1);
    while (auto snapshot = snapshots.take_ready()) outcome.snapshots.push_back(std::move(*snapshot));
    if (result != RunOutcome::stop_requested) break;
  }
  outcome.models = models_of(algorithm, nodes);
  outcome.stats = engine.stats();
  outcome.totals = engine.total_counters();
  if (counters)
    for (NodeId node = 0; node < nodes; ++node)
      outcome.max_node_bits = std::max(outcome.max_node_bits, engine.counters(node).bits_sent);
  else
    outcome.max_node_bits = algorithm.max_node_bits_sent().value();
  return outcome;
}

bool same_bits(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return false;
    for (std::size_t k = 0; k < a[i].size(); ++k)
      if (std::bit_cast<std::uint64_t>(a[i][k]) != std::bit_cast<std::uint64_t>(b[i][k])) return false;
  }
  return true;
}

std::vector<double> flattened(const std::vector<std::vector<double>>& x) {
  std::vector<double> flat;
  for (const auto& row : x) flat.insert(flat.end(), row.begin(), row.end());
  return flat;
}

// Runs both behaviours on `graph` with d-dimensional starts and compares everything.
void check_identical(const Graph& graph, std::size_t d, double gamma, int threads) {
  const auto nodes = static_cast<std::uint32_t>(boost::num_vertices(graph));
  constexpr std::uint64_t kRounds = 7;
  const SparseMatrix w = mixing_matrix(graph, MixingRule::metropolis);
  const std::vector<std::vector<double>> start = random_vectors(nodes, d, 11);

  DecentralizedConfig general_config = consensus_config(w, start, kRounds);
  general_config.gamma = gamma;
  RoundSnapshots general_snapshots(nodes, 2, kRounds);
  GossipSgd general(general_config, &general_snapshots, false);
  const Outcome expected = run(general, general_snapshots, nodes, threads, true);

  RoundSnapshots flat_snapshots(nodes, 2, kRounds);
  FlatGossip flat(FlatGossipConfig{std::make_shared<const FlatMixing>(flat_mixing(w)), d, kRounds, gamma, flattened(start)},
                  &flat_snapshots);
  const Outcome actual = run(flat, flat_snapshots, nodes, threads, false);

  CHECK(same_bits(actual.models, expected.models));
  CHECK_FALSE(same_bits(actual.models, start));  // it did mix
  for (NodeId node = 0; node < nodes; ++node) CHECK(flat.rounds_completed(node) == kRounds);
  REQUIRE(actual.snapshots.size() == expected.snapshots.size());
  CHECK(actual.snapshots.size() == 5);  // rounds 0, 2, 4, 6 and the last
  for (std::size_t s = 0; s < actual.snapshots.size(); ++s) {
    CHECK(actual.snapshots[s].round == expected.snapshots[s].round);
    CHECK(actual.snapshots[s].completed_at == expected.snapshots[s].completed_at);
    CHECK(same_bits(actual.snapshots[s].models, expected.snapshots[s].models));
  }
  CHECK(actual.stats.events == expected.stats.events);
  // The fingerprint hashes each event's value field, which flags a value
  // carried in Message::word (d = 1): with bodies the two runs hash the same.
  if (d > 1) CHECK(actual.stats.fingerprint == expected.stats.fingerprint);
  CHECK(actual.stats.last_event_time == expected.stats.last_event_time);
  CHECK(actual.totals.messages_sent == expected.totals.messages_sent);
  CHECK(actual.totals.bits_sent == expected.totals.bits_sent);
  CHECK(actual.totals.messages_received == expected.totals.messages_received);
  CHECK(actual.max_node_bits == expected.max_node_bits);
}

}  // namespace

TEST_CASE("Flat gossip is bit-identical to the general exact gossip", "[flat_gossip]") {
  const int threads = GENERATE(1, 2);
  SECTION("ring, d = 1") { check_identical(ring_graph(12), 1, 1.0, threads); }
  SECTION("random regular, d = 1") { check_identical(random_regular_graph(40, 4, 2), 1, 1.0, threads); }
  SECTION("random regular, d = 5") { check_identical(random_regular_graph(40, 4, 2), 5, 1.0, threads); }
  SECTION("irregular degrees, d = 3") { check_identical(barabasi_albert_graph(50, 2, 7), 3, 1.0, threads); }
  SECTION("relaxed gossip, gamma = 1.3") { check_identical(ring_graph(12), 2, 1.3, threads); }
}

TEST_CASE("Flat gossip refuses what it cannot run", "[flat_gossip]") {
  const auto mixing = std::make_shared<const FlatMixing>(metropolis_ring_mixing(5));
  CHECK_THROWS_AS(FlatGossip(FlatGossipConfig{mixing, 1, 3, 0.0, std::vector<double>(5)}, nullptr),
                  std::invalid_argument);
  CHECK_THROWS_AS(FlatGossip(FlatGossipConfig{mixing, 1, 3, 1.0, std::vector<double>(4)}, nullptr),
                  std::invalid_argument);
  CHECK_THROWS_AS(FlatGossip(FlatGossipConfig{nullptr, 1, 3, 1.0, std::vector<double>(5)}, nullptr),
                  std::invalid_argument);
}
