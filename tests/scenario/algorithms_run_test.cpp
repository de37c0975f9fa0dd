// Scenario files that choose the decentralized algorithms: what each refuses
// (exit status 2 with the key named), gamma = "auto", and bit-identical runs
// of the compressed algorithms across thread counts.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scenario/experiment.hpp"
#include "run_files.hpp"

using namespace dlsim;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// A small logistic-regression scenario on a ring, with extra --set overrides.
Scenario scenario_with(const std::vector<std::string>& overrides) {
  const std::string text = R"(
    name = "algorithms"
    nodes = 8
    [topology]
    kind = "ring"
    [data]
    samples = 800
    test_samples = 200
    features = 10
    partition = "sorted"
    [stop]
    rounds = 40
    [metrics]
    every_rounds = 10
  )";
  return parse_scenario(text, "algorithms.toml", overrides, scenario_schema());
}

std::string error_of(const std::vector<std::string>& overrides) {
  try {
    run_scenario(scenario_with(overrides), RunOptions{out_dir("algorithms_refused"), 1, true});
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("each algorithm refuses what it cannot run, naming the key") {
  CHECK_THAT(error_of({"algorithm.kind=local-sgd", "compression.kind=top-k"}),
             Catch::Contains("compression.kind") && Catch::Contains("choco-sgd"));
  CHECK_THAT(error_of({"model.kind=mlp", "stop.target_suboptimality=0.01"}),
             Catch::Contains("stop.target_suboptimality") && Catch::Contains("not convex"));
  CHECK_THAT(error_of({"algorithm.kind=dcd-psgd", "compression.kind=top-k"}),
             Catch::Contains("compression.kind") && Catch::Contains("unbiased"));
  CHECK_THAT(error_of({"algorithm.kind=ecd-psgd", "compression.kind=sign"}), Catch::Contains("unbiased"));
  CHECK_THAT(error_of({"algorithm.kind=choco-sgd", "topology.kind=one-peer-exponential"}),
             Catch::Contains("topology.kind") && Catch::Contains("fixed graph"));
  CHECK_THAT(error_of({"algorithm.kind=d-psgd", "algorithm.local_steps=4"}), Catch::Contains("algorithm.local_steps"));
  CHECK_THAT(error_of({"algorithm.kind=choco-gossip"}), Catch::Contains("model.kind = \"consensus\""));
  CHECK_THAT(error_of({"algorithm.gamma=fast"}), Catch::Contains("algorithm.gamma") && Catch::Contains("\"auto\""));
  CHECK_THAT(error_of({"algorithm.gamma=1.5"}), Catch::Contains("algorithm.gamma"));
  CHECK_THAT(error_of({"algorithm.nesterov=true"}), Catch::Contains("nesterov"));
  CHECK_THAT(error_of({"algorithm.kind=diging", "algorithm.momentum=0.9"}), Catch::Contains("momentum"));
}

TEST_CASE("gamma = auto runs the candidates on a prefix and records the choice") {
  const std::string dir = out_dir("gamma_auto");
  const Scenario scenario = scenario_with({"algorithm.kind=choco-gossip", "model.kind=consensus",
                                           "compression.kind=top-k", "compression.ratio=0.2",
                                           "algorithm.tune_rounds=30"});
  const RunSummary summary = run_scenario(scenario, RunOptions{dir, 1, true});
  REQUIRE(summary.status == RunStatus::completed);
  const auto json = nlohmann::json::parse(read_file(dir + "/summary.json"));
  const auto& tuning = json.at("gamma_tuning");
  CHECK(tuning.at("rounds") == 30);
  CHECK(tuning.at("criterion") == "consensus_distance");
  CHECK(tuning.at("trials").size() >= 5);
  // The chosen gamma is the trial with the smallest consensus distance.
  double best = 1e300, best_gamma = 0;
  for (const auto& trial : tuning.at("trials"))
    if (!trial.at("consensus_distance").is_null() && trial.at("consensus_distance").get<double>() < best) {
      best = trial.at("consensus_distance").get<double>();
      best_gamma = trial.at("gamma").get<double>();
    }
  CHECK(json.at("gamma").get<double>() == best_gamma);
}

TEST_CASE("compressed and asynchronous runs are bit-identical with 1 and 2 threads") {
  for (const std::vector<std::string>& overrides :
       std::vector<std::vector<std::string>>{{"algorithm.kind=choco-sgd", "compression.kind=rand-k", "algorithm.gamma=0.3"},
                                             {"algorithm.kind=choco-sgd", "algorithm.variant=iclr2020", "compression.kind=qsgd",
                                              "algorithm.gamma=0.3", "network.jitter=100us"},
                                             {"algorithm.kind=ecd-psgd", "compression.kind=qsgd"},
                                             {"algorithm.kind=ad-psgd", "compute.speed=two-class", "compute.slow_fraction=0.25"},
                                             {"algorithm.kind=diging", "topology.kind=one-peer-exponential"}}) {
    std::string reference;
    for (int threads : {1, 2}) {
      const std::string dir = out_dir("algorithms_threads_" + std::to_string(threads));
      const RunSummary summary = run_scenario(scenario_with(overrides), RunOptions{dir, threads, true});
      INFO(overrides.front() << " " << summary.message);
      CHECK(summary.status == RunStatus::completed);
      const std::string metrics = read_file(dir + "/metrics.csv");
      if (reference.empty()) reference = metrics;
      CHECK(metrics == reference);
    }
  }
}

TEST_CASE("a key left over after changing a section's kind names the kinds it belongs to") {
  const std::string text = "[compression]\nkind = \"top-k\"\nratio = 0.1\n";
  CHECK_THROWS_WITH(parse_scenario(text, "k.toml", {"compression.kind=qsgd"}, scenario_schema()),
                    Catch::Contains("k.toml:3:1: compression.ratio: unknown key in [compression]") &&
                        Catch::Contains("a parameter of top-k, rand-k, not of qsgd"));
  // A plain misspelling still gets the nearest key.
  CHECK_THROWS_WITH(parse_scenario("[compression]\nkind = \"top-k\"\nration = 0.1\n", "k.toml", {}, scenario_schema()),
                    Catch::Contains("did you mean \"ratio\""));
}

namespace {

// metrics.csv as columns by name.
std::map<std::string, std::vector<double>> read_columns(const std::string& path) {
  std::istringstream text(read_file(path));
  std::string line;
  std::getline(text, line);
  std::vector<std::string> names;
  std::stringstream head(line);
  for (std::string cell; std::getline(head, cell, ',');) names.push_back(cell);
  std::map<std::string, std::vector<double>> columns;
  while (std::getline(text, line)) {
    std::stringstream row(line);
    std::size_t i = 0;
    for (std::string cell; std::getline(row, cell, ','); ++i) columns[names.at(i)].push_back(std::stod(cell));
  }
  return columns;
}

}  // namespace

TEST_CASE("suboptimality is loss - f*, the target figures are the first evaluation there, and stops stop") {
  const std::string dir = out_dir("targets");
  const RunSummary summary = run_scenario(
      scenario_with({"data.partition=iid", "algorithm.learning_rate=1.0", "metrics.target_suboptimality=0.05",
                     "stop.rounds=200", "metrics.every_rounds=5"}),
      RunOptions{dir, 1, true});
  REQUIRE(summary.status == RunStatus::completed);
  const auto json = nlohmann::json::parse(read_file(dir + "/summary.json"));
  const double optimum = json.at("optimal_loss").get<double>();
  auto columns = read_columns(dir + "/metrics.csv");
  std::size_t first = columns["round"].size();
  for (std::size_t i = 0; i < columns["round"].size(); ++i) {
    CHECK(columns["suboptimality"][i] == columns["loss"][i] - optimum);
    CHECK(columns["suboptimality"][i] >= -1e-12);
    CHECK(columns["optimum_distance"][i] >= 0.0);
    CHECK(columns["node_test_accuracy"][i] >= 0.0);
    CHECK(columns["node_test_accuracy"][i] <= 1.0);
    if (first == columns["round"].size() && columns["suboptimality"][i] <= 0.05) first = i;
  }
  REQUIRE(first < columns["round"].size());
  CHECK(summary.final.at("rounds_to_target") == columns["round"][first]);
  CHECK(summary.final.at("time_to_target_s") == columns["time_s"][first]);
  CHECK(summary.final.at("bits_to_target") == columns["bits_sent"][first]);
  // A consensus target stops the run at the first evaluation that meets it.
  const RunSummary stopped = run_scenario(
      scenario_with({"algorithm.kind=gossip", "model.kind=consensus", "stop.target_consensus=1e-3", "stop.rounds=5000",
                     "metrics.every_rounds=5"}),
      RunOptions{out_dir("targets_consensus"), 1, true});
  CHECK_THAT(stopped.message, Catch::Contains("target consensus distance reached"));
  CHECK(stopped.final.at("consensus_distance") <= 1e-3);
  CHECK(stopped.final.at("round") < 5000);
}

TEST_CASE("bad input leaves no output folder behind") {
  const std::string dir = out_dir("never_written");
  std::filesystem::remove_all(dir);
  CHECK_THROWS_AS(run_scenario(scenario_with({"model.kind=mlp", "stop.target_suboptimality=0.01"}),
                               RunOptions{dir, 1, true}),
                  ScenarioError);
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("a diverged run names the figure that is not finite") {
  // A huge step: the models spread beyond 1e154 at once, so the consensus
  // distance (a sum of squares) overflows while the loss at their average,
  // linear in the margin without l2, stays finite.
  const RunSummary spread = run_scenario(
      scenario_with({"algorithm.learning_rate=1e154", "model.l2=0", "metrics.optimum=false", "metrics.every_rounds=1",
                     "stop.rounds=5"}),
      RunOptions{out_dir("diverged_consensus"), 1, true});
  CHECK(spread.status == RunStatus::diverged);
  CHECK(std::isfinite(spread.final.at("loss")));
  CHECK_THAT(spread.message, Catch::StartsWith("the consensus distance is not finite at round "));
  const RunSummary both = run_scenario(scenario_with({"algorithm.learning_rate=1e300", "metrics.every_rounds=1"}),
                                       RunOptions{out_dir("diverged_both"), 1, true});
  CHECK(both.status == RunStatus::diverged);
  CHECK_THAT(both.message, Catch::StartsWith("the loss and the consensus distance are not finite at round"));
}
