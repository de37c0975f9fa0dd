// Scenario files that choose an asynchronous federated algorithm (fedbuff,
// fedasync, ps-sgd, ps-async-sgd): the staleness columns of metrics.csv and
// figures of summary.json, bit-identical runs for 1 and 2 threads (also with
// availability models and a compressed downlink, whose lost work is counted), what the
// new keys refuse (exit status 2 with the key named), and sweeps over them.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "run_files.hpp"
#include "scenario/experiment.hpp"
#include "scenario/sweep.hpp"

using namespace dlsim;
using dlsim::test::metrics_column;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// 12 clients of logistic-regression data sorted by label, at lognormal speeds.
const std::string kAsynchronous = R"(
    name = "asynchronous"
    nodes = 12
    [data]
    samples = 1200
    test_samples = 200
    features = 10
    partition = "sorted"
    [compute]
    flops_per_second = 1e7
    speed = "lognormal"
    speed_sigma = 1.0
    [algorithm]
    kind = "fedbuff"
    concurrency = 6
    buffer_size = 3
    learning_rate = 0.3
    [stop]
    rounds = 40
    [metrics]
    every_rounds = 10
  )";

Scenario asynchronous_with(const std::vector<std::string>& overrides) {
  return parse_scenario(kAsynchronous, "asynchronous.toml", overrides, scenario_schema());
}

// The overrides that make kAsynchronous a run of `kind`.
std::vector<std::string> kind_overrides(std::string_view kind) {
  const std::string set_kind = fmt::format("algorithm.kind={}", kind);
  if (kind == "fedbuff") return {set_kind};
  // concurrency and buffer_size are FedBuff's; FedAsync reads concurrency only.
  if (kind == "fedasync") return {set_kind, "algorithm.buffer_size=5"};
  return {set_kind, "algorithm.buffer_size=5", "algorithm.concurrency=10"};
}

std::string error_of(const std::vector<std::string>& overrides) {
  const std::string dir = out_dir("asynchronous_refused");
  std::filesystem::remove_all(dir);
  try {
    run_scenario(asynchronous_with(overrides), RunOptions{dir, 1, true, false, {}});
  } catch (const ScenarioError& error) {
    CHECK(!std::filesystem::exists(dir));  // nothing written
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("every asynchronous federated algorithm trains from a scenario and reports its staleness", "[federated]") {
  for (const std::string_view kind : {"fedbuff", "fedasync", "ps-sgd", "ps-async-sgd"}) {
    CAPTURE(kind);
    const std::string dir = out_dir(fmt::format("asynchronous_{}", kind));
    const RunSummary summary = run_scenario(asynchronous_with(kind_overrides(kind)), RunOptions{dir, 1, true, false, {}});
    REQUIRE(summary.status == RunStatus::completed);
    CHECK(summary.final.at("loss") < 0.6);
    CHECK(metrics_column(dir, "round") == std::vector<double>{0, 10, 20, 30, 40});
    const std::vector<double> means = metrics_column(dir, "staleness_mean");
    const std::vector<double> maxima = metrics_column(dir, "staleness_max");
    const std::vector<double> participants = metrics_column(dir, "participants");
    REQUIRE(means.size() == 5);
    for (std::size_t row = 0; row < means.size(); ++row) {
      CHECK(maxima[row] >= means[row]);
      CHECK(means[row] >= 0);
    }
    // Updates applied since the previous row: 10 steps of batch_size updates.
    const double per_step = kind == "fedbuff" ? 3 : kind == "ps-sgd" ? 12 : 1;
    CHECK(participants == std::vector<double>{0, 10 * per_step, 10 * per_step, 10 * per_step, 10 * per_step});
    const auto json = nlohmann::json::parse(read_file(dir + "/summary.json"));
    const auto& federated = json.at("federated");
    CHECK(federated.at("updates_aggregated").get<double>() == 40 * per_step);
    CHECK(federated.at("staleness_max").get<double>() >= federated.at("staleness_mean").get<double>());
    if (kind == "ps-sgd") {
      CHECK(federated.at("staleness_max").get<double>() == 0);
    } else {
      CHECK(federated.at("staleness_mean").get<double>() > 0);  // several clients at once
    }
    // Updates have their exact size; by the last step at least those applied have arrived.
    const double update_bits = 64 + 64 * 10 + 64;
    CHECK(std::fmod(summary.final.at("bits_up"), update_bits) == 0);
    CHECK(summary.final.at("bits_up") >= 40 * per_step * update_bits);
    if (kind == "ps-sgd") CHECK(summary.final.at("bits_up") == 40 * per_step * update_bits);
  }
}

TEST_CASE("one client at a time has no staleness", "[federated]") {
  for (const std::vector<std::string>& overrides :
       std::vector<std::vector<std::string>>{{"algorithm.kind=fedasync", "algorithm.concurrency=1", "algorithm.buffer_size=5"},
                                             {"algorithm.concurrency=1", "algorithm.buffer_size=1"},
                                             {"algorithm.kind=ps-async-sgd", "nodes=1", "algorithm.concurrency=10",
                                              "algorithm.buffer_size=5"}}) {
    CAPTURE(overrides);
    const std::string dir = out_dir("asynchronous_single");
    const RunSummary summary = run_scenario(asynchronous_with(overrides), RunOptions{dir, 1, true, false, {}});
    REQUIRE(summary.status == RunStatus::completed);
    for (double value : metrics_column(dir, "staleness_max")) CHECK(value == 0);
    const auto json = nlohmann::json::parse(read_file(dir + "/summary.json"));
    CHECK(json.at("federated").at("staleness_mean").get<double>() == 0);
  }
}

TEST_CASE("asynchronous federated metrics are bit-identical for 1 and 2 threads", "[federated]") {
  // Lognormal speeds, compute jitter, a compressed uplink, a shared server NIC.
  for (const std::string_view kind : {"fedbuff", "fedasync", "ps-sgd", "ps-async-sgd"}) {
    CAPTURE(kind);
    std::vector<std::string> overrides = kind_overrides(kind);
    overrides.insert(overrides.end(), {"compute.jitter_sigma=0.3", "compression.kind=qsgd", "network.jitter=50us",
                                       "server.bandwidth=100Mbps", "network.model=fair"});
    std::string reference;
    for (int threads : {1, 2}) {
      const std::string dir = out_dir(fmt::format("asynchronous_threads_{}", threads));
      const RunSummary summary = run_scenario(asynchronous_with(overrides), RunOptions{dir, threads, true, false, {}});
      REQUIRE(summary.status == RunStatus::completed);
      const std::string metrics = read_file(dir + "/metrics.csv");
      if (reference.empty()) reference = metrics;
      CHECK(metrics == reference);
    }
  }
}

TEST_CASE("asynchronous servers with availability and a compressed downlink are bit-identical for 1 and 2 threads",
          "[federated]") {
  // Markov or diurnal clients leave mid-training: the lost work is counted
  // (dropped_unavailable, per row and in summary.json) and the run goes on.
  for (const std::vector<std::string>& availability : std::vector<std::vector<std::string>>{
           {"availability.kind=markov", "availability.mean_up=20ms", "availability.mean_down=10ms"},
           {"availability.kind=diurnal", "availability.period=50ms", "availability.base=0.5",
            "availability.amplitude=0.4"},
           {"availability.kind=bernoulli", "availability.probability=0.5", "availability.retry=1ms"},
           {"availability.kind=markov", "availability.mean_up=20ms", "availability.mean_down=10ms",
            "algorithm.client_timeout=20ms"}})
    for (const std::string_view kind : {"fedbuff", "fedasync", "ps-async-sgd"}) {
      const bool timeout = availability.back() == "algorithm.client_timeout=20ms";
      if (timeout && kind == "ps-async-sgd") continue;  // the parameter server has no timeout
      CAPTURE(kind, availability.back());
      std::vector<std::string> overrides = kind_overrides(kind);
      overrides.insert(overrides.end(), availability.begin(), availability.end());
      overrides.insert(overrides.end(), {"compute.jitter_sigma=0.3", "downlink_compression.kind=top-k",
                                         "downlink_compression.ratio=0.3", "algorithm.error_feedback=true"});
      std::string reference;
      for (int threads : {1, 2}) {
        const std::string dir = out_dir(fmt::format("asynchronous_available_{}", threads));
        const RunSummary summary = run_scenario(asynchronous_with(overrides), RunOptions{dir, threads, true, false, {}});
        REQUIRE(summary.status == RunStatus::completed);
        const std::string metrics = read_file(dir + "/metrics.csv");
        if (reference.empty()) reference = metrics;
        CHECK(metrics == reference);
        const auto json = nlohmann::json::parse(read_file(dir + "/summary.json"));
        const double dropped = json.at("federated").at("dropped_unavailable").get<double>();
        double per_row = 0;
        for (double value : metrics_column(dir, "dropped_unavailable")) per_row += value;
        CHECK(per_row <= dropped);  // rows count up to the last evaluated step
        if (availability.front() == "availability.kind=bernoulli") CHECK(dropped == 0);  // a drawn client stays
        if (availability.front() == "availability.kind=markov") CHECK(dropped > 0);
        // Written off at the timeout: counted then, not again at the check-in.
        if (timeout) CHECK(json.at("federated").at("dropped_timeout").get<double>() + dropped > 0);
        CHECK(json.at("federated").at("dropped_failure").get<double>() == 0);
      }
    }
}

TEST_CASE("asynchronous servers run through churn, and stall naming the clients a step waits for", "[federated]") {
  // Churning clients check in after each outage; a model still in flight to
  // a client that checked in starts a job of the same version as the one
  // the outage lost (the client keeps only the newest).
  const std::vector<std::string> faults{"faults.churn_fraction=0.5", "faults.churn_mean_up=5ms",
                                        "faults.churn_mean_down=2ms", "faults.crash_fraction=0.1",
                                        "faults.crash_time=3ms", "stop.rounds=200", "metrics.every_rounds=50"};
  for (const std::string_view kind : {"fedbuff", "fedasync", "ps-async-sgd"}) {
    CAPTURE(kind);
    std::vector<std::string> overrides = kind_overrides(kind);
    overrides.insert(overrides.end(), faults.begin(), faults.end());
    const RunSummary summary =
        run_scenario(asynchronous_with(overrides), RunOptions{out_dir("asynchronous_churn"), 1, true, false, {}});
    CHECK(summary.status == RunStatus::completed);
  }
  // Synchronous parameter-server SGD needs every worker's gradient: a crashed one stops it.
  std::vector<std::string> overrides = kind_overrides("ps-sgd");
  overrides.insert(overrides.end(), faults.begin(), faults.end());
  const RunSummary summary =
      run_scenario(asynchronous_with(overrides), RunOptions{out_dir("asynchronous_stall"), 1, true, false, {}});
  CHECK(summary.status == RunStatus::stalled);
  CHECK_THAT(summary.message, Catch::Contains("the server (node 12) waits for") && Catch::Contains("(down)"));
}

TEST_CASE("asynchronous federated keys refuse what no run can use, naming the key", "[federated]") {
  CHECK_THAT(error_of({"algorithm.concurrency=13"}),
             Catch::Contains("algorithm.concurrency") && Catch::Contains("12 clients"));
  CHECK_THAT(error_of({"algorithm.concurrency=0"}), Catch::Contains("algorithm.concurrency"));
  CHECK_THAT(error_of({"algorithm.client_timeout=-1s"}), Catch::Contains("algorithm.client_timeout"));
  CHECK_THAT(error_of({"algorithm.kind=ps-async-sgd", "algorithm.buffer_size=5", "algorithm.concurrency=10",
                       "algorithm.client_timeout=1s"}),
             Catch::Contains("algorithm.client_timeout") && Catch::Contains("ps-async-sgd does not read it"));
  CHECK_THAT(error_of({"algorithm.buffer_size=0"}), Catch::Contains("algorithm.buffer_size"));
  CHECK_THAT(error_of({"algorithm.staleness_weighting=linear"}),
             Catch::Contains("algorithm.staleness_weighting") && Catch::Contains("sqrt"));
  CHECK_THAT(error_of({"algorithm.kind=fedasync", "algorithm.buffer_size=5", "algorithm.mixing_alpha=0"}),
             Catch::Contains("algorithm.mixing_alpha"));
  CHECK_THAT(error_of({"algorithm.kind=fedasync", "algorithm.buffer_size=5", "algorithm.mixing_alpha=1.5"}),
             Catch::Contains("algorithm.mixing_alpha"));
  CHECK_THAT(error_of({"algorithm.kind=fedasync", "algorithm.buffer_size=5", "algorithm.staleness_function=hinge"}),
             Catch::Contains("algorithm.staleness_function") && Catch::Contains("polynomial"));
  CHECK_THAT(error_of({"algorithm.kind=fedasync", "algorithm.buffer_size=5", "algorithm.staleness_exponent=-1"}),
             Catch::Contains("algorithm.staleness_exponent"));
  // A key that another kind reads: named, with the kinds that read it.
  CHECK_THAT(error_of({"algorithm.kind=fedasync"}),
             Catch::Contains("algorithm.buffer_size") && Catch::Contains("fedasync does not read it") &&
                 Catch::Contains("fedbuff"));
  CHECK_THAT(error_of({"algorithm.mixing_alpha=0.9"}),
             Catch::Contains("algorithm.mixing_alpha") && Catch::Contains("read by fedasync"));
  CHECK_THAT(error_of({"algorithm.clients_per_round=4"}),
             Catch::Contains("algorithm.clients_per_round") && Catch::Contains("fedbuff does not read it"));
  CHECK_THAT(error_of({"algorithm.kind=fedavg"}),
             Catch::Contains("algorithm.concurrency") && Catch::Contains("fedavg does not read it"));
  CHECK_THAT(error_of({"algorithm.kind=fedasync", "algorithm.buffer_size=5", "algorithm.server_optimizer=adam"}),
             Catch::Contains("algorithm.server_optimizer") && Catch::Contains("fedasync does not read it"));
  CHECK_THAT(error_of({"algorithm.kind=ps-sgd", "algorithm.buffer_size=5", "algorithm.concurrency=10",
                       "algorithm.local_steps=3"}),
             Catch::Contains("algorithm.local_steps") && Catch::Contains("ps-sgd"));
  CHECK_THAT(error_of({"algorithm.kind=ps-async-sgd", "algorithm.buffer_size=5", "algorithm.concurrency=10",
                       "algorithm.sampling=weighted"}),
             Catch::Contains("algorithm.sampling") && Catch::Contains("ps-async-sgd does not read it"));
  CHECK_THAT(error_of({"algorithm.kind=fedasync", "algorithm.buffer_size=5", "algorithm.late_updates=stale"}),
             Catch::Contains("algorithm.late_updates") && Catch::Contains("fedasync does not read it"));
  // The new keys are the federated family's: refused under a decentralized algorithm.
  CHECK_THAT(error_of({"algorithm.kind=d-psgd", "algorithm.concurrency=10", "algorithm.learning_rate=0.1"}),
             (Catch::Contains("algorithm.buffer_size") || Catch::Contains("algorithm.concurrency")) &&
                 Catch::Contains("federated") && Catch::Contains("d-psgd"));
}

TEST_CASE("asynchronous federated keys are in the reference and can be swept", "[federated]") {
  const SectionSpec* algorithm = scenario_schema().find_section("algorithm");
  REQUIRE(algorithm != nullptr);
  std::vector<std::string> documented;
  for (const KeyGroup& group : algorithm->documented_kind_keys)
    for (const KeySpec& key : group.keys) documented.push_back(key.name);
  for (const std::string name : {"concurrency", "buffer_size", "staleness_weighting", "mixing_alpha",
                                 "staleness_function", "staleness_exponent", "client_timeout"})
    CHECK(std::find(documented.begin(), documented.end(), name) != documented.end());
  const Sweep sweep = parse_sweep(kAsynchronous + R"(
    [sweep]
    "algorithm.buffer_size" = [1, 3]
    "algorithm.staleness_weighting" = ["sqrt", "constant"]
    "algorithm.concurrency" = [3, 6]
    "algorithm.client_timeout" = ["0s", "50ms"]
  )", "sweep.toml", {}, scenario_schema());
  CHECK(sweep.points().size() == 16);
  CHECK(sweep.scenario(sweep.points().back()).duration("algorithm.client_timeout") == 50'000'000);
  CHECK(sweep.scenario(sweep.points().back()).text("algorithm.staleness_weighting") == "constant");
  CHECK(sweep.scenario(sweep.points().back()).integer("algorithm.concurrency") == 6);
}
