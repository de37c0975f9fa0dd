// Scenario files that choose a federated algorithm: the keys of the family
// and of [server], what they refuse (exit status 2 with the key named), the
// federated columns of metrics.csv and figures of summary.json, sweeps over
// federated keys, and bit-identical runs for 1 and 2 threads.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scenario/experiment.hpp"
#include "run_files.hpp"
#include "scenario/sweep.hpp"

using namespace dlsim;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// 20 clients with logistic-regression data sorted by label (non-iid).
const std::string kFederated = R"(
    name = "federated"
    nodes = 20
    [data]
    samples = 2000
    test_samples = 200
    features = 10
    partition = "sorted"
    [algorithm]
    kind = "fedavg"
    clients_per_round = 5
    local_steps = 3
    learning_rate = 0.5
    [stop]
    rounds = 30
    [metrics]
    every_rounds = 10
  )";

Scenario federated_with(const std::vector<std::string>& overrides, const std::string& text = kFederated) {
  return parse_scenario(text, "federated.toml", overrides, scenario_schema());
}

std::string error_of(const std::vector<std::string>& overrides, const std::string& text = kFederated) {
  const std::string dir = out_dir("federated_refused");
  std::filesystem::remove_all(dir);
  try {
    run_scenario(federated_with(overrides, text), RunOptions{dir, 1, true, false, {}});
  } catch (const ScenarioError& error) {
    CHECK(!std::filesystem::exists(dir));  // nothing written
    return error.what();
  }
  return "no error";
}

// The metrics.csv column `name` of a results folder, one value per row.
std::vector<double> column(const std::string& dir, const std::string& name) {
  std::vector<double> values = dlsim::test::csv_column(dir + "/metrics.csv", name);
  REQUIRE(!values.empty());
  return values;
}

}  // namespace

TEST_CASE("a federated scenario trains the server model and reports its rounds") {
  const std::string dir = out_dir("federated_fedavg");
  const RunSummary summary = run_scenario(federated_with({}), RunOptions{dir, 1, true, false, {}});
  REQUIRE(summary.status == RunStatus::completed);
  CHECK(summary.final.at("loss") < 0.6);
  CHECK(summary.final.at("participants") == 5);
  CHECK(summary.final.at("selected") == 5);
  CHECK(summary.final.at("consensus_distance") == 0);
  // d = 10: 5 models down and 5 updates up per round, exactly.
  CHECK(summary.final.at("bits_down") == 30 * 5 * (64 + 64 * 10));
  CHECK(summary.final.at("bits_up") == 30 * 5 * (64 + 64 * 10 + 64));
  CHECK(column(dir, "round") == std::vector<double>{0, 10, 20, 30});
  const auto json = nlohmann::json::parse(read_file(dir + "/summary.json"));
  CHECK(json.at("federated").at("updates_aggregated").get<double>() == 150);
  CHECK(json.at("federated").at("clients_participated").get<double>() <= 20);
  CHECK(json.at("federated").at("max_participations").get<double>() >= 8);
  CHECK(!json.contains("topology"));
  CHECK(json.at("scenario").contains("server"));
  CHECK(!json.at("scenario").contains("topology"));
}

TEST_CASE("every federated algorithm and server optimiser runs from a scenario") {
  for (const std::vector<std::string>& overrides :
       std::vector<std::vector<std::string>>{{"algorithm.kind=fedprox", "algorithm.mu=0.1"},
                                             {"algorithm.kind=scaffold"},
                                             {"algorithm.server_optimizer=momentum", "algorithm.server_lr=0.5"},
                                             {"algorithm.server_optimizer=adam", "algorithm.server_lr=0.03"},
                                             {"algorithm.server_optimizer=yogi", "algorithm.server_lr=0.03"},
                                             {"algorithm.server_optimizer=adagrad", "algorithm.server_lr=0.03"},
                                             {"algorithm.sampling=weighted", "algorithm.local_epochs=1",
                                              "algorithm.local_steps=1"},
                                             {"algorithm.sampling=round-robin", "compression.kind=top-k"},
                                             {"algorithm.sampling=power-of-choice", "algorithm.candidates=8"}}) {
    CAPTURE(overrides);
    const RunSummary summary = run_scenario(federated_with(overrides), RunOptions{out_dir("federated_kinds"), 1, true, false, {}});
    CHECK(summary.status == RunStatus::completed);
    CHECK(summary.final.at("loss") < 0.69);
  }
}

TEST_CASE("federated metrics are bit-identical for 1 and 2 threads") {
  // Random cohorts, lognormal speeds, compute jitter, a deadline, over-commitment and a compressed uplink.
  const std::vector<std::string> overrides{"compute.speed=lognormal", "compute.speed_sigma=1.0",
                                           "compute.jitter_sigma=0.3", "compute.flops_per_second=1e7",
                                           "algorithm.over_commit=0.4", "algorithm.round_deadline=8ms",
                                           "compression.kind=qsgd", "network.jitter=50us",
                                           "server.bandwidth=100Mbps", "network.model=fair"};
  std::string reference;
  for (int threads : {1, 2}) {
    const std::string dir = out_dir("federated_threads_" + std::to_string(threads));
    const RunSummary summary = run_scenario(federated_with(overrides), RunOptions{dir, threads, true, false, {}});
    REQUIRE(summary.status == RunStatus::completed);
    const std::string metrics = read_file(dir + "/metrics.csv");
    if (reference.empty()) reference = metrics;
    CHECK(metrics == reference);
  }
  // The deadline and over-commitment did something.
  const std::string dir = out_dir("federated_threads_1");
  double dropped = 0, surplus = 0;
  for (double value : column(dir, "dropped_deadline")) dropped += value;
  for (double value : column(dir, "surplus")) surplus += value;
  CHECK(dropped + surplus > 0);
}

TEST_CASE("federated keys refuse what no run can use, naming the key") {
  CHECK_THAT(error_of({"algorithm.clients_per_round=21"}), Catch::Contains("algorithm.clients_per_round") &&
                                                               Catch::Contains("20 clients"));
  CHECK_THAT(error_of({"algorithm.clients_per_round=0"}), Catch::Contains("algorithm.clients_per_round"));
  CHECK_THAT(error_of({"algorithm.over_commit=-0.5"}), Catch::Contains("algorithm.over_commit"));
  CHECK_THAT(error_of({"algorithm.round_deadline=0s"}),
             Catch::Contains("algorithm.round_deadline") && Catch::Contains("positive"));
  CHECK_THAT(error_of({"algorithm.round_deadline=-1s"}), Catch::Contains("algorithm.round_deadline"));
  CHECK_THAT(error_of({"algorithm.server_optimizer=lamb"}),
             Catch::Contains("algorithm.server_optimizer") && Catch::Contains("yogi"));
  CHECK_THAT(error_of({"algorithm.min_updates=6"}), Catch::Contains("algorithm.min_updates"));
  CHECK_THAT(error_of({"algorithm.mu=0.5"}), Catch::Contains("algorithm.mu") && Catch::Contains("fedprox"));
  CHECK_THAT(error_of({"algorithm.local_epochs=2", "algorithm.local_steps=4"}),
             Catch::Contains("algorithm.local_epochs"));
  CHECK_THAT(error_of({"server.speed=0"}), Catch::Contains("server.speed"));
  CHECK_THAT(error_of({"stop.target_consensus=0.1"}), Catch::Contains("stop.target_consensus"));
}

TEST_CASE("a key of one family under the other family's algorithm is refused, naming the key") {
  // A decentralized key under a federated algorithm, and the reverse.
  CHECK_THAT(error_of({"algorithm.gamma=0.5"}),
             Catch::Contains("algorithm.gamma") && Catch::Contains("decentralized") && Catch::Contains("fedavg"));
  CHECK_THAT(error_of({"topology.kind=torus"}),
             Catch::Contains("topology.kind") && Catch::Contains("[topology] is for the decentralized algorithms"));
  CHECK_THAT(error_of({"algorithm.kind=d-psgd"}),
             Catch::Contains("algorithm.clients_per_round") && Catch::Contains("federated") &&
                 Catch::Contains("d-psgd"));
  const std::string decentralized = "nodes = 8\n[server]\nbandwidth = \"1Gbps\"\n";
  CHECK_THAT(error_of({}, decentralized),
             Catch::Contains("federated.toml:3:13: server.bandwidth") &&
                 Catch::Contains("[server] is for the federated algorithms; d-psgd is decentralized"));
}

TEST_CASE("federated keys are in the reference and can be swept") {
  const SectionSpec* algorithm = scenario_schema().find_section("algorithm");
  REQUIRE(algorithm != nullptr);
  bool documented = false;
  for (const KeyGroup& group : algorithm->documented_kind_keys)
    for (const KeySpec& key : group.keys) documented |= key.name == "clients_per_round";
  CHECK(documented);
  REQUIRE(scenario_schema().find_section("server") != nullptr);
  const Sweep sweep = parse_sweep(kFederated + R"(
    [sweep]
    "algorithm.clients_per_round" = [2, 5]
    "server.bandwidth" = ["100Mbps", "1Gbps"]
    "algorithm.server_optimizer" = ["sgd", "adam"]
  )", "sweep.toml", {}, scenario_schema());
  CHECK(sweep.points().size() == 8);
  CHECK(sweep.scenario(sweep.points().back()).text("algorithm.server_optimizer") == "adam");
}
