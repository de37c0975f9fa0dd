// Runs with faults always end, with a status that says how: churn, crashes
// and loss stall synchronous rounds (status stalled, naming who waits for
// whom) unless algorithm.round_timeout lets them carry on, AD-PSGD carries
// on, and stop.wall_time holds whatever the simulation does. A round timeout
// that never expires changes no model figure.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/experiment.hpp"
#include "run_files.hpp"
#include "scenario/experiment_builder.hpp"

using namespace dlsim;
using dlsim::test::metrics_column;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// 16 nodes on a ring, logistic regression, 1 ms links: the quickstart, smaller.
Scenario faulty(const std::vector<std::string>& overrides) {
  const std::string text = R"(
    name = "faults"
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
  return parse_scenario(text, "faults.toml", overrides, scenario_schema());
}

RunSummary run(const std::vector<std::string>& overrides, int threads = 1, const std::string& name = "faults") {
  return run_scenario(faulty(overrides), RunOptions{out_dir(name), threads, true});
}

// The bad-input message of a run with these overrides, or "no error".
std::string error_of(const std::vector<std::string>& overrides) {
  try {
    run(overrides, 1, "faults_refused");
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

TEST_CASE("churn without stop.time stalls synchronous rounds, naming who waits for whom, the same for any threads") {
  std::string reference;
  for (int threads : {1, 2}) {
    const RunSummary summary = run({"faults.churn_fraction=0.5", "faults.churn_mean_up=20ms"}, threads);
    INFO(summary.message);
    REQUIRE(summary.status == RunStatus::stalled);
    CHECK_THAT(summary.message, Catch::StartsWith("no node can make progress any more at t = ") &&
                                    Catch::Contains("is down in round") && Catch::Contains("waits for round-"));
    const std::string json = read_file(out_dir("faults") + "/summary.json");
    CHECK(json.find("\"status\": \"stalled\"") != std::string::npos);
    const std::string metrics = read_file(out_dir("faults") + "/metrics.csv");
    if (reference.empty()) reference = summary.message + metrics;
    CHECK(summary.message + metrics == reference);
  }
}

TEST_CASE("a crash or a lost message stalls synchronous rounds: the crashed node and the waiting ones are named") {
  const RunSummary crashed = run({"faults.crash_fraction=0.125", "faults.crash_time=10ms"});
  INFO(crashed.message);
  CHECK(crashed.status == RunStatus::stalled);
  CHECK_THAT(crashed.message, Catch::Contains("crashed in round") && Catch::Contains("waits for round-"));
  const RunSummary lossy = run({"network.loss=0.02", "algorithm.kind=diging"});
  INFO(lossy.message);
  CHECK(lossy.status == RunStatus::stalled);
  CHECK_THAT(lossy.message, Catch::Contains("waits for round-"));
}

TEST_CASE("AD-PSGD carries on through churn, crashes and loss, and stays bit-identical across threads") {
  for (const std::vector<std::string>& faults :
       std::vector<std::vector<std::string>>{{"faults.churn_fraction=0.5", "faults.churn_mean_up=20ms",
                                              "faults.churn_mean_down=5ms"},
                                             {"faults.churn_fraction=1", "faults.churn_mean_up=5ms",
                                              "faults.churn_mean_down=5ms"},
                                             {"network.loss=0.1"}}) {
    std::string reference;
    for (int threads : {1, 2}) {
      std::vector<std::string> overrides{"algorithm.kind=ad-psgd"};
      overrides.insert(overrides.end(), faults.begin(), faults.end());
      const RunSummary summary = run(overrides, threads);
      INFO(faults.front() << ": " << summary.message);
      REQUIRE(summary.status == RunStatus::completed);
      CHECK(summary.final.at("round") == 200);
      CHECK(summary.final.at("loss") < 0.6);  // it learned (log 2 = 0.69 at the start)
      const std::string metrics = read_file(out_dir("faults") + "/metrics.csv");
      if (reference.empty()) reference = metrics;
      CHECK(metrics == reference);
    }
  }
  // With crashes the crashed nodes never finish: the others do, then the run stalls naming them.
  const RunSummary crashed = run({"algorithm.kind=ad-psgd", "faults.crash_fraction=0.125", "faults.crash_time=5ms"});
  INFO(crashed.message);
  CHECK(crashed.status == RunStatus::stalled);
  CHECK_THAT(crashed.message, Catch::Contains("crashed at step"));
}

TEST_CASE("stop.wall_time holds within a second whatever the simulation does") {
  for (const std::vector<std::string>& endless :
       std::vector<std::vector<std::string>>{
           {"algorithm.kind=ad-psgd", "faults.churn_fraction=0.5", "stop.rounds=1000000000"},
           {"stop.rounds=1000000000", "metrics.every_rounds=1000000000"},
           {"algorithm.kind=choco-sgd", "compression.kind=top-k", "compression.ratio=0.5",
            "algorithm.tune_rounds=1000000000", "stop.rounds=1000000000"}}) {
    std::vector<std::string> overrides = endless;
    overrides.push_back("stop.wall_time=500ms");
    const auto started = std::chrono::steady_clock::now();
    const RunSummary summary = run(overrides);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    INFO(endless.front() << ": " << summary.message);
    CHECK(summary.status == RunStatus::stopped);
    CHECK_THAT(summary.message, Catch::Contains("wall-time limit 500ms reached"));
    CHECK(seconds < 1.5);
  }
}

TEST_CASE("gamma = auto under churn: the trial runs stall instead of hanging") {
  const RunSummary summary = run({"algorithm.kind=choco-sgd", "compression.kind=top-k", "compression.ratio=0.5",
                                  "faults.churn_fraction=0.5", "faults.churn_mean_up=5ms", "stop.wall_time=20s"});
  INFO(summary.message);
  CHECK(summary.status == RunStatus::stalled);
}

TEST_CASE("durations beyond the int64 nanosecond clock are bad input naming the key") {
  // One gradient of 32 samples x 10 features at 1e-6 flop/s: about 1e9 s x 1e3 -> beyond 292 years.
  CHECK_THAT(error_of({"compute.flops_per_second=1e-6"}),
             Catch::Contains("compute.flops_per_second") && Catch::Contains("clock's range"));
  CHECK_THAT(error_of({"compute.bytes_per_second=1e-6"}), Catch::Contains("compute.bytes_per_second"));
  // Each gradient fits (about 1e8 s), 200 of them one after the other (5000 samples: 1.7e10 s) do not;
  // with stop.time the run may go on.
  CHECK_THAT(error_of({"compute.flops_per_second=2e-5"}),
             Catch::Contains("compute.flops_per_second") && Catch::Contains("200 rounds") &&
                 Catch::Contains("set stop.time"));
  CHECK_THAT(error_of({"network.latency=2000000h", "network.latency_spread=2000000h"}),
             Catch::Contains("network.latency_spread") && Catch::Contains("clock's range"));
  const RunSummary limited = run({"compute.flops_per_second=2e-5", "stop.time=100000000s"});
  INFO(limited.message);
  CHECK(limited.status == RunStatus::completed);
  CHECK_THAT(limited.message, Catch::Contains("simulated time limit"));
}

TEST_CASE("metrics.every_time implying more than 10^6 evaluations is bad input naming the key") {
  // 200 rounds over 1 ms links last at least 0.2 s: 2e8 evaluations at 1 ns.
  CHECK_THAT(error_of({"metrics.every_time=1ns"}),
             Catch::Contains("metrics.every_time") && Catch::Contains("use every_time >= 200ns"));
  CHECK_THAT(error_of({"metrics.every_time=1ns", "stop.time=2ms"}), Catch::Contains("metrics.every_time"));
  // At the bound (checked without running): 1 ms / 1 ns = 10^6 evaluations is allowed, and so is
  // 20 rounds of at least 1 ms each at 20 ns.
  CHECK_NOTHROW(build_experiment(faulty({"metrics.every_time=1ns", "stop.time=1ms"}), 1));
  CHECK_NOTHROW(build_experiment(faulty({"metrics.every_time=20ns", "stop.rounds=20"}), 1));
  CHECK_THROWS_AS(build_experiment(faulty({"metrics.every_time=19ns", "stop.rounds=20"}), 1), ScenarioError);
}

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
    const RunSummary without = run(base, 1, "faults_without");
    const RunSummary with_timeout = run(with(base, {"algorithm.round_timeout=1s"}), 1, "faults_with");
    INFO(kind.front() << ": " << without.message << " / " << with_timeout.message);
    REQUIRE(without.status == RunStatus::completed);
    REQUIRE(with_timeout.status == RunStatus::completed);
    const std::vector<std::string> columns = header_of(out_dir("faults_without"));
    const std::vector<std::string> columns_with = header_of(out_dir("faults_with"));
    REQUIRE(columns_with.size() == columns.size() + 3);
    CHECK(columns_with[columns.size()] == "round_timeouts");
    CHECK(columns_with[columns.size() + 1] == "messages_missed");
    CHECK(columns_with[columns.size() + 2] == "messages_late");
    for (const std::string& column : columns) {
      if (column == "events") continue;  // one event per fired timer
      INFO(column);
      CHECK(metrics_column(out_dir("faults_without"), column) == metrics_column(out_dir("faults_with"), column));
    }
    for (const char* column : {"round_timeouts", "messages_missed", "messages_late"})
      for (double value : metrics_column(out_dir("faults_with"), column)) CHECK(value == 0);
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
      const std::string metrics = read_file(out_dir("faults") + "/metrics.csv");
      const std::string json = read_file(out_dir("faults") + "/summary.json");
      if (reference.empty()) reference = metrics;
      CHECK(metrics == reference);
      double timeouts = 0;
      for (double value : metrics_column(out_dir("faults"), "round_timeouts")) timeouts += value;
      CHECK(timeouts > 0);
      CHECK(json.find("\"round_timeouts\"") != std::string::npos);
      if (faults.front() == churn.front()) {
        CHECK(json.find("\"rejoins\": 0") == std::string::npos);  // nodes came back and carried on
        CHECK(json.find("\"rounds_skipped\": 0") == std::string::npos);
      }
    }
  }
}

TEST_CASE("with a round timeout a crashed node does not stall the run: the others finish, the same for any threads",
          "[timeout]") {
  for (const std::vector<std::string>& faults : std::vector<std::vector<std::string>>{
           {"faults.crash_time=10ms"},
           {"faults.crash_time=0s"},  // crashed before its first round
           {"faults.crash_time=10ms", "algorithm.kind=choco-sgd", "compression.kind=top-k", "compression.ratio=0.3",
            "algorithm.gamma=0.3"},
           {"faults.crash_time=10ms", "faults.churn_fraction=0.25", "faults.churn_mean_up=20ms",
            "faults.churn_mean_down=5ms"}}) {
    std::string reference;
    for (int threads : {1, 2}) {
      const RunSummary summary =
          run(with(faults, {"faults.crash_fraction=0.125", "algorithm.round_timeout=5ms"}), threads);
      INFO(faults.back() << ", " << threads << " threads: " << summary.message);
      REQUIRE(summary.status == RunStatus::completed);
      CHECK(summary.final.at("round") == 200);
      CHECK(summary.final.at("loss") < 0.6);  // the others learned; the crashed nodes' last models are in the average
      const std::string metrics = read_file(out_dir("faults") + "/metrics.csv");
      if (reference.empty()) reference = metrics;
      CHECK(metrics == reference);
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

TEST_CASE("dlsim run with a zero round timeout exits with status 2, names the key and writes nothing", "[timeout]") {
  const std::string out = out_dir("faults_cli");
  std::filesystem::remove_all(out);
  std::filesystem::create_directories(std::filesystem::path(out).parent_path());
  const std::string command = std::string(DLSIM_BINARY_DIR) + "/src/cli/dlsim run " DLSIM_SOURCE_DIR
                              "/scenarios/quickstart.toml --quiet --out " + out +
                              " --set algorithm.round_timeout=0s 2>" + out + ".err";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_THAT(read_file(out + ".err"), Catch::Contains("algorithm.round_timeout") && Catch::Contains("positive"));
  CHECK_FALSE(std::filesystem::exists(out));
}
