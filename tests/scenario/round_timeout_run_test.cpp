// algorithm.round_timeout through whole runs: a timeout that never expires
// changes no model figure, churn and loss runs that stall without a timeout
// complete with one (bit-identical across threads), and bad values are refused
// naming the key.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "run_files.hpp"
#include "scenario/experiment.hpp"
#include "scenario/experiment_builder.hpp"

using namespace dlsim;
using dlsim::test::metrics_column;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// 16 nodes on a ring, logistic regression, 1 ms links (as faults_run_test.cpp).
Scenario ring(const std::vector<std::string>& overrides) {
  const std::string text = R"(
    name = "timeouts"
    nodes = 16
    [topology]
    kind = "ring"
    [data]
    samples = 1600
    test_samples = 0
    features = 10
    [stop]
    rounds = 200
    [metrics]
    every_rounds = 20
    optimum = false
  )";
  return parse_scenario(text, "timeouts.toml", overrides, scenario_schema());
}

RunSummary run(const std::vector<std::string>& overrides, int threads = 1, const std::string& name = "timeouts") {
  return run_scenario(ring(overrides), RunOptions{out_dir(name), threads, true});
}

std::string error_of(const std::vector<std::string>& overrides) {
  try {
    run(overrides, 1, "timeouts_refused");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no error";
}

std::vector<std::string> with(std::vector<std::string> overrides, const std::vector<std::string>& more) {
  overrides.insert(overrides.end(), more.begin(), more.end());
  return overrides;
}

// The header line of a metrics.csv.
std::vector<std::string> header_of(const std::string& dir) {
  const std::string text = read_file(dir + "/metrics.csv");
  std::vector<std::string> names;
  std::string name;
  for (char c : text.substr(0, text.find('\n'))) {
    if (c == ',') {
      names.push_back(name);
      name.clear();
    } else {
      name += c;
    }
  }
  names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("a round timeout that never expires changes no figure of metrics.csv but the event count", "[timeout]") {
  // Random compression, jittered links and compute: every draw keyed by the
  // nodes' event sequence, which the timeouts must leave alone.
  for (const std::vector<std::string>& kind :
       std::vector<std::vector<std::string>>{{"algorithm.kind=d-psgd"},
                                             {"algorithm.kind=choco-sgd", "compression.kind=rand-k",
                                              "compression.ratio=0.3", "algorithm.gamma=0.3"},
                                             {"algorithm.kind=choco-sgd", "algorithm.variant=iclr2020",
                                              "compression.kind=rand-k", "compression.ratio=0.3", "algorithm.gamma=0.3"}}) {
    const std::vector<std::string> base =
        with(kind, {"network.jitter=0.2ms", "compute.jitter_sigma=0.3", "stop.rounds=60"});
    const RunSummary without = run(base, 1, "timeouts_without");
    const RunSummary with_timeout = run(with(base, {"algorithm.round_timeout=1s"}), 1, "timeouts_with");
    INFO(kind.front() << ": " << without.message << " / " << with_timeout.message);
    REQUIRE(without.status == RunStatus::completed);
    REQUIRE(with_timeout.status == RunStatus::completed);
    const std::vector<std::string> columns = header_of(out_dir("timeouts_without"));
    const std::vector<std::string> columns_with = header_of(out_dir("timeouts_with"));
    REQUIRE(columns_with.size() == columns.size() + 3);
    CHECK(columns_with[columns.size()] == "round_timeouts");
    CHECK(columns_with[columns.size() + 1] == "messages_missed");
    CHECK(columns_with[columns.size() + 2] == "messages_late");
    for (const std::string& column : columns) {
      if (column == "events") continue;  // one event per fired timer
      INFO(column);
      CHECK(metrics_column(out_dir("timeouts_without"), column) == metrics_column(out_dir("timeouts_with"), column));
    }
    for (const char* column : {"round_timeouts", "messages_missed", "messages_late"})
      for (double value : metrics_column(out_dir("timeouts_with"), column)) CHECK(value == 0);
  }
}

TEST_CASE("churn and loss stall synchronous rounds without a timeout and complete with one, the same for any threads",
          "[timeout]") {
  const std::vector<std::string> churn{"faults.churn_fraction=0.5", "faults.churn_mean_up=20ms",
                                       "faults.churn_mean_down=5ms"};
  REQUIRE(run(churn).status == RunStatus::stalled);
  REQUIRE(run({"network.loss=0.02", "algorithm.kind=diging"}).status == RunStatus::stalled);
  for (const std::vector<std::string>& faults :
       std::vector<std::vector<std::string>>{churn,
                                             with(churn, {"algorithm.rejoin=average"}),
                                             with(churn, {"algorithm.kind=choco-sgd", "compression.kind=top-k",
                                                          "compression.ratio=0.3", "algorithm.gamma=0.3"}),
                                             {"network.loss=0.02", "algorithm.kind=diging"},
                                             with(churn, {"network.loss=0.05"})}) {
    std::string reference;
    for (int threads : {1, 2}) {
      const RunSummary summary = run(with(faults, {"algorithm.round_timeout=5ms"}), threads);
      INFO(faults.back() << ", " << threads << " threads: " << summary.message);
      REQUIRE(summary.status == RunStatus::completed);
      CHECK(summary.final.at("round") == 200);
      CHECK(summary.final.at("loss") < 0.6);  // it learned (log 2 = 0.69 at the start)
      const std::string metrics = read_file(out_dir("timeouts") + "/metrics.csv");
      const std::string json = read_file(out_dir("timeouts") + "/summary.json");
      if (reference.empty()) reference = metrics;
      CHECK(metrics == reference);
      double timeouts = 0;
      for (double value : metrics_column(out_dir("timeouts"), "round_timeouts")) timeouts += value;
      CHECK(timeouts > 0);
      CHECK(json.find("\"round_timeouts\"") != std::string::npos);
      if (faults.front() == churn.front()) {
        CHECK(json.find("\"rejoins\": 0") == std::string::npos);  // nodes came back and carried on
        CHECK(json.find("\"rounds_skipped\": 0") == std::string::npos);
      }
    }
  }
}

TEST_CASE("algorithm.round_timeout and algorithm.rejoin refuse what they cannot do, naming the key", "[timeout]") {
  CHECK_THAT(error_of({"algorithm.round_timeout=0s"}),
             Catch::Contains("algorithm.round_timeout") && Catch::Contains("positive"));
  CHECK_THAT(error_of({"algorithm.kind=ad-psgd", "algorithm.round_timeout=5ms"}),
             Catch::Contains("algorithm.round_timeout") && Catch::Contains("reply_timeout"));
  CHECK_THAT(error_of({"algorithm.rejoin=average"}), Catch::Contains("algorithm.rejoin"));
  CHECK_THAT(error_of({"algorithm.kind=choco-sgd", "algorithm.gamma=0.5", "algorithm.round_timeout=5ms",
                       "algorithm.rejoin=average"}),
             Catch::Contains("algorithm.rejoin") && Catch::Contains("keep"));
}
