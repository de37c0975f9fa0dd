// Synchronous algorithms on the time-varying one-peer exponential graph with
// timing variation: a neighbour may then be several rounds ahead (it did not
// need this node in between), and the run must still complete with the same
// mathematics: timing changes when a round completes, not what it computes.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "scenario/experiment.hpp"
#include "run_files.hpp"

using namespace dlsim;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// metrics.csv without the columns that depend on timing: time_s, and events
// and traffic so far when the round's last node finished (faster nodes are
// then further ahead with a spread of timings).
std::string timing_free_metrics(const std::string& path) {
  std::ifstream in(path);
  std::string line, result;
  std::vector<bool> keep;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::size_t column = 0;
    for (std::string cell; std::getline(cells, cell, ','); ++column) {
      if (keep.size() <= column)
        keep.push_back(cell != "time_s" && cell != "events" && cell != "messages_sent" && cell != "bits_sent" &&
                       cell != "max_node_bits_sent");
      if (keep[column]) result += cell + ",";
    }
    result += "\n";
  }
  return result;
}

}  // namespace

TEST_CASE("one-peer exponential with jitter, latency spread, compute jitter or stragglers gives the models of the run without") {
  const std::string base = R"(
    nodes = 16
    [topology]
    kind = "one-peer-exponential"
    [network]
    latency = "100us"
    [compute]
    flops_per_second = 1e8
    [data]
    samples = 1600
    test_samples = 0
    features = 10
    [stop]
    rounds = 60
    [metrics]
    every_rounds = 10
  )";
  for (const std::string algorithm : {"d-psgd", "local-sgd", "diging"}) {
    std::vector<std::string> common{"algorithm.kind=" + algorithm};
    if (algorithm == "local-sgd") common.push_back("algorithm.local_steps=2");
    std::string reference;
    for (const std::vector<std::string>& timing :
         std::vector<std::vector<std::string>>{{},
                                               {"network.jitter=300us"},
                                               {"network.latency_spread=2ms"},
                                               {"compute.jitter_sigma=0.8"},
                                               {"compute.speed=two-class", "compute.slow_fraction=0.25",
                                                "compute.slow_factor=8"}}) {
      std::vector<std::string> overrides = common;
      overrides.insert(overrides.end(), timing.begin(), timing.end());
      const Scenario scenario = parse_scenario(base, "one_peer.toml", overrides, scenario_schema());
      const std::string dir = out_dir("one_peer_timing");
      const RunSummary summary = run_scenario(scenario, RunOptions{dir, 1, true});
      INFO(algorithm << " " << (timing.empty() ? "no variation" : timing.front()) << ": " << summary.message);
      REQUIRE(summary.status == RunStatus::completed);
      const std::string metrics = timing_free_metrics(dir + "/metrics.csv");
      if (reference.empty()) reference = metrics;
      CHECK(metrics == reference);
    }
  }
}
