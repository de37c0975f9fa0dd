// `dlsim run` on the flat gossip path against the general path
// (algorithm.flat_gossip = "off") on the same scenarios: the same metrics.csv
// byte for byte and the same summary figures, events and topology facts; and
// the selection, which must fall back to the general path whenever the
// scenario uses something FlatGossip does not model.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "scenario/experiment.hpp"
#include "scenario/flat_gossip_path.hpp"
#include "text_runs.hpp"

using namespace dlsim;
using namespace dlsim::test;

namespace {

// Exact gossip on the nodes' data means (model.kind = "consensus").
const std::string kGossip = R"(
    name = "flat"
    seed = 3
    nodes = 200
    [topology]
    kind = "ring"
    [data]
    source = "synthetic-linear"
    samples = 600
    test_samples = 0
    features = 3
    partition = "iid"
    [model]
    kind = "consensus"
    [algorithm]
    kind = "gossip"
    [network]
    latency_spread = "2ms"
    [stop]
    rounds = 8
    [metrics]
    every_rounds = 3
  )";

// Runs `overrides` on both paths (and the flat one on 2 threads too) and compares.
void check_same_run(const std::string& name, const std::vector<std::string>& overrides) {
  std::vector<std::string> general_overrides = overrides;
  general_overrides.push_back("algorithm.flat_gossip=off");
  const std::string flat = run_scenario_text(name + "_flat", kGossip, overrides, 1);
  const std::string flat_two = run_scenario_text(name + "_flat_2", kGossip, overrides, 2);
  const std::string general = run_scenario_text(name + "_general", kGossip, general_overrides, 2);
  const nlohmann::json flat_summary = summary_of(flat), general_summary = summary_of(general);
  CHECK(flat_summary.value("flat_gossip", false));
  CHECK_FALSE(general_summary.contains("flat_gossip"));
  CHECK(flat_summary["status"] == "completed");
  const std::string metrics = read_file(flat + "/metrics.csv");
  CHECK(metrics.size() > 100);
  CHECK(metrics == read_file(general + "/metrics.csv"));
  CHECK(metrics == read_file(flat_two + "/metrics.csv"));
  for (const char* key : {"final", "events", "topology", "status", "message", "optimal_loss"})
    CHECK(flat_summary[key] == general_summary[key]);
}

bool flat_with(const std::vector<std::string>& overrides, const std::string& text = kGossip) {
  return takes_flat_gossip(parse_scenario(text, "flat.toml", overrides, scenario_schema()));
}

}  // namespace

TEST_CASE("dlsim run on the flat gossip path matches the general path byte for byte", "[flat_gossip]") {
  SECTION("random regular, 3 features, iid partition") {
    check_same_run("regular", {"topology.kind=\"random-regular\"", "topology.d=4"});
  }
  SECTION("ring built straight into flat arrays, 1 feature, contiguous partition") {
    check_same_run("big_ring", {"nodes=5000", "topology.kind=\"ring\"", "data.samples=5000", "data.features=1",
                                "data.partition=\"contiguous\""});
  }
  SECTION("random regular graph built straight into flat arrays, 2 features") {
    check_same_run("big_regular", {"nodes=5000", "topology.kind=\"random-regular\"", "topology.d=3",
                                   "data.samples=10000", "data.features=2"});
  }
  SECTION("irregular graph, relaxed gossip, evaluations by time, fair sharing of slow links") {
    check_same_run("irregular", {"topology.kind=\"barabasi-albert\"", "topology.m=2", "nodes=60", "algorithm.gamma=1.1",
                                 "metrics.every_time=\"1.5ms\"", "network.model=\"fair\"", "network.bandwidth=\"1Mbps\""});
  }
  SECTION("ring with Metropolis weights, averaged iterates") {
    check_same_run("ring_averaged", {"nodes=30", "metrics.averaged_iterate=true", "data.partition=\"contiguous\""});
  }
}

TEST_CASE("The flat gossip path is chosen only where it is exact", "[flat_gossip]") {
  CHECK(flat_with({}));
  CHECK(flat_with({"topology.kind=\"random-regular\"", "topology.d=4"}));
  CHECK(flat_with({"topology.kind=\"file\"", "topology.file=\"graph.edges\""}));
  CHECK(flat_with({"topology.kind=\"one-peer-exponential\"", "topology.round=2"}));  // one fixed graph of the sequence
  // Each of these needs the general machinery.
  CHECK_FALSE(flat_with({"algorithm.flat_gossip=\"off\""}));
  CHECK_FALSE(flat_with({"algorithm.kind=\"d-psgd\""}));
  CHECK_FALSE(flat_with({"algorithm.kind=\"choco-gossip\""}));
  CHECK_FALSE(flat_with({"algorithm.round_timeout=\"10ms\""}));
  CHECK_FALSE(flat_with({"algorithm.robust_gossip=\"median\""}));
  CHECK_FALSE(flat_with({"byzantine.count=1"}));
  CHECK_FALSE(flat_with({"privacy.mechanism=\"local-dp\""}));
  CHECK_FALSE(flat_with({"network.loss=0.01"}));
  CHECK_FALSE(flat_with({"faults.crash_fraction=0.1"}));
  CHECK_FALSE(flat_with({"faults.churn_fraction=0.1"}));
  CHECK_FALSE(flat_with({"topology.kind=\"one-peer-exponential\""}));  // time-varying
  CHECK_FALSE(flat_with({"topology.kind=\"file\"", "topology.file=\"graph.edges\"", "topology.directed=true"}));
  CHECK_FALSE(flat_with({"topology.kind=\"directed-ring\""}));
  CHECK_FALSE(flat_with({"model.kind=\"least-squares\""}));

  // Rings and random regular graphs skip the Boost graph and W only beyond
  // the summary's spectral figures, and with W's own rule.
  const auto direct = [](const std::vector<std::string>& overrides) {
    std::vector<std::string> all{"topology.kind=\"ring\"", "nodes=5000", "data.samples=5000"};
    all.insert(all.end(), overrides.begin(), overrides.end());
    return builds_flat_graph(parse_scenario(kGossip, "flat.toml", all, scenario_schema()));
  };
  CHECK(direct({}));
  CHECK(direct({"topology.kind=\"random-regular\"", "topology.d=4"}));
  CHECK_FALSE(direct({"topology.kind=\"torus\""}));
  CHECK_FALSE(direct({"nodes=4096"}));
  CHECK_FALSE(direct({"topology.weights=\"max-degree\""}));
  CHECK_FALSE(direct({"algorithm.gamma=1.2"}));
  CHECK_FALSE(direct({"network.loss=0.01"}));
}

TEST_CASE("A run with a feature the flat path lacks runs on the general path", "[flat_gossip]") {
  // A round timeout that never fires changes nothing but the timer events.
  const std::string dir = run_scenario_text("fallback", kGossip, {"algorithm.round_timeout=\"1s\"", "network.latency_spread=\"0s\""});
  const nlohmann::json summary = summary_of(dir);
  CHECK(summary["status"] == "completed");
  CHECK_FALSE(summary.contains("flat_gossip"));
  const std::string flat = run_scenario_text("fallback_flat", kGossip, {"network.latency_spread=\"0s\""});
  CHECK(summary_of(flat).value("flat_gossip", false));
  CHECK(metrics_column(dir, "consensus_distance") == metrics_column(flat, "consensus_distance"));
}
