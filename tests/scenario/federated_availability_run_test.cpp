// Scenario files with an [availability] section and late_updates: runs
// bit-identical for 1 and 2 threads (bernoulli, markov), the drop-cause
// columns, a run that no client can ever join ends stalled, and every
// refusal names its key (a trace's bad row as file:line), also through the
// CLI (exit status 2).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_files.hpp"
#include "scenario/experiment.hpp"
#include "scenario/sweep.hpp"

using namespace dlsim;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

const std::string kFederated = R"(
    name = "federated_availability"
    nodes = 20
    [data]
    samples = 2000
    test_samples = 200
    features = 10
    [algorithm]
    kind = "fedavg"
    clients_per_round = 5
    local_steps = 3
    learning_rate = 0.5
    round_deadline = "8ms"
    [compute]
    flops_per_second = 1e7
    [stop]
    rounds = 30
    [metrics]
    every_rounds = 10
  )";

Scenario scenario_with(const std::vector<std::string>& overrides, const std::string& text = kFederated) {
  return parse_scenario(text, "availability.toml", overrides, scenario_schema());
}

std::string error_of(const std::vector<std::string>& overrides, const std::string& text = kFederated) {
  const std::string dir = out_dir("availability_refused");
  std::filesystem::remove_all(dir);
  try {
    run_scenario(scenario_with(overrides, text), RunOptions{dir, 1, true, false, {}});
  } catch (const ScenarioError& error) {
    CHECK(!std::filesystem::exists(dir));  // nothing written
    return error.what();
  }
  return "no error";
}

std::string write_trace(const std::string& name, const std::string& text) {
  const std::string path = out_dir(name);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
  return path;
}

// The total of the summary.json federated figure `name`.
double figure(const std::string& dir, const std::string& name) {
  return nlohmann::json::parse(read_file(dir + "/summary.json")).at("federated").at(name).get<double>();
}

}  // namespace

TEST_CASE("federated runs with bernoulli or markov availability are bit-identical for 1 and 2 threads",
          "[federated]") {
  for (const std::vector<std::string>& availability :
       std::vector<std::vector<std::string>>{{"availability.kind=bernoulli", "availability.probability=0.4"},
                                             {"availability.kind=markov", "availability.mean_up=6ms",
                                              "availability.mean_down=3ms", "algorithm.late_updates=stale"}}) {
    CAPTURE(availability);
    std::vector<std::string> overrides = availability;
    overrides.insert(overrides.end(), {"compute.speed=lognormal", "compute.speed_sigma=1.0", "network.jitter=50us",
                                       "algorithm.over_commit=0.4"});
    std::string reference;
    for (int threads : {1, 2}) {
      const std::string dir = out_dir("availability_threads_" + std::to_string(threads));
      const RunSummary summary = run_scenario(scenario_with(overrides), RunOptions{dir, threads, true, false, {}});
      REQUIRE(summary.status == RunStatus::completed);
      const std::string metrics = read_file(dir + "/metrics.csv");
      if (reference.empty()) reference = metrics;
      CHECK(metrics == reference);
      CHECK(metrics.find("dropped_unavailable,dropped_failure,stale_updates") != std::string::npos);
    }
    const std::string dir = out_dir("availability_threads_1");
    CHECK(figure(dir, "updates_aggregated") > 0);
    if (availability[0] == "availability.kind=markov") {
      CHECK(figure(dir, "dropped_unavailable") > 0);  // clients left mid-round
      CHECK(figure(dir, "stale_updates") <= figure(dir, "late_updates"));
    } else {
      CHECK(figure(dir, "dropped_unavailable") == 0);  // bernoulli: selected clients stay for the round
    }
  }
}

TEST_CASE("crashed clients are counted as dropped_failure", "[federated]") {
  const std::string dir = out_dir("availability_crashes");
  const RunSummary summary = run_scenario(
      scenario_with({"faults.crash_fraction=0.5", "faults.crash_time=20ms", "algorithm.min_updates=1"}),
      RunOptions{dir, 1, true, false, {}});
  REQUIRE(summary.status == RunStatus::completed);
  CHECK(figure(dir, "dropped_failure") > 0);
  CHECK(figure(dir, "dropped_unavailable") == 0);
}

TEST_CASE("a run in which no client is ever available ends stalled, saying why", "[federated]") {
  const std::string dir = out_dir("availability_never");
  const RunSummary summary =
      run_scenario(scenario_with({"availability.kind=bernoulli", "availability.probability=0"}),
                   RunOptions{dir, 1, true, false, {}});
  CHECK(summary.status == RunStatus::stalled);
  CHECK_THAT(summary.message, Catch::Contains("cannot begin round 0") && Catch::Contains("bernoulli"));
  CHECK(figure(dir, "updates_aggregated") == 0);
  // A trace that ends: the rounds run while clients are there, then the run stalls.
  const std::string trace = write_trace("availability_files/short.csv", "client,start_s,end_s\n0,0,0.05\n1,0,0.05\n");
  const RunSummary short_trace = run_scenario(
      scenario_with({"availability.kind=trace", "availability.file=" + trace, "algorithm.clients_per_round=2",
                     "nodes=2"}),
      RunOptions{dir, 1, true, false, {}});
  CHECK(short_trace.status == RunStatus::stalled);
  CHECK(figure(dir, "updates_aggregated") > 0);
}

TEST_CASE("availability keys refuse what no run can use, naming the key", "[federated]") {
  CHECK_THAT(error_of({"availability.kind=sometimes"}), Catch::Contains("availability.kind"));
  CHECK_THAT(error_of({"availability.kind=bernoulli", "availability.probability=1.5"}),
             Catch::Contains("availability.probability"));
  CHECK_THAT(error_of({"availability.kind=bernoulli", "availability.retry=0s"}), Catch::Contains("availability.retry"));
  CHECK_THAT(error_of({"availability.kind=markov", "availability.mean_up=0s"}), Catch::Contains("availability.mean_up"));
  CHECK_THAT(error_of({"availability.kind=diurnal", "availability.base=0.8", "availability.amplitude=0.3"}),
             Catch::Contains("availability.amplitude") && Catch::Contains("[0, 1]"));
  CHECK_THAT(error_of({"availability.kind=diurnal", "availability.period=0s"}), Catch::Contains("availability.period"));
  CHECK_THAT(error_of({"availability.kind=trace"}), Catch::Contains("availability.file"));
  CHECK_THAT(error_of({"availability.kind=trace", "availability.file=/no/such/trace.csv"}),
             Catch::Contains("availability.file") && Catch::Contains("cannot open"));
  const std::string bad = write_trace("availability_files/bad.csv", "client,start_s,end_s\n0,0,1\n20,0,1\n");
  CHECK_THAT(error_of({"availability.kind=trace", "availability.file=" + bad}),
             Catch::Contains("availability.file") && Catch::Contains(bad + ":3:") && Catch::Contains("client 20"));
  CHECK_THAT(error_of({"algorithm.late_updates=sometimes"}), Catch::Contains("algorithm.late_updates"));
  const std::string decentralized = "nodes = 8\n[availability]\nkind = \"bernoulli\"\n";
  CHECK_THAT(error_of({}, decentralized),
             Catch::Contains("availability.kind") &&
                 Catch::Contains("[availability] is for the federated algorithms; d-psgd is decentralized"));
}

TEST_CASE("a bad availability trace makes dlsim validate exit with status 2, naming file and line", "[federated]") {
  namespace fs = std::filesystem;
  const fs::path work = fs::path(out_dir("availability_cli")) / std::to_string(getpid());
  fs::create_directories(work);
  std::ofstream(work / "trace.csv") << "0,0,1\n1,5,2\n";
  std::ofstream(work / "scenario.toml") << kFederated << "\n[availability]\nkind = \"trace\"\nfile = \"trace.csv\"\n";
  const std::string command = "cd " + work.string() + " && " + DLSIM_BINARY_DIR "/src/cli/dlsim validate scenario.toml" +
                              " >out.txt 2>err.txt";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_THAT(read_file((work / "err.txt").string()),
             Catch::Contains("availability.file") && Catch::Contains("trace.csv:2:") && Catch::Contains("ends at or before"));
}

TEST_CASE("availability keys are in the reference and can be swept", "[federated]") {
  const SectionSpec* section = scenario_schema().find_section("availability");
  REQUIRE(section != nullptr);
  std::vector<std::string> names;
  for (const KeySpec& key : section->keys) names.push_back(key.name);
  for (const char* name : {"kind", "probability", "retry", "mean_up", "mean_down", "period", "base", "amplitude", "file"})
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  const Sweep sweep = parse_sweep(kFederated + R"(
    [availability]
    kind = "bernoulli"
    [sweep]
    "availability.probability" = [0.2, 0.5, 1.0]
    "algorithm.late_updates" = ["drop", "stale"]
  )", "sweep.toml", {}, scenario_schema());
  CHECK(sweep.points().size() == 6);
  CHECK(sweep.scenario(sweep.points().back()).real("availability.probability") == 1.0);
}

TEST_CASE("a round without a deadline closes when the last update arrives after a check-in", "[federated]") {
  // Every client is selected and the clients come and go every few
  // milliseconds: a client that left checks in before the others' updates
  // arrive, and the last update must close the round (it once waited for ever).
  const std::string dir = out_dir("availability_check_in_first");
  std::filesystem::remove_all(dir);
  std::string no_deadline = kFederated;
  no_deadline.erase(no_deadline.find("round_deadline"), std::string("round_deadline = \"8ms\"").size());
  const RunSummary summary = run_scenario(
      scenario_with({"nodes=4", "algorithm.clients_per_round=4", "algorithm.local_steps=1", "stop.rounds=300",
                     "availability.kind=\"markov\"", "availability.mean_up=10ms", "availability.mean_down=5ms"},
                    no_deadline),
      RunOptions{dir, 1, true, false, {}});
  CHECK(summary.status == RunStatus::completed);
  CHECK(summary.final.at("round") == 300);
  CHECK(figure(dir, "dropped_unavailable") + figure(dir, "dropped_failure") > 0);
}
