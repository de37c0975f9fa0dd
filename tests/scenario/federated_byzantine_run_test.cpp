// Byzantine clients and robust aggregation on the synchronous federated
// server ([aggregator], [byzantine] in a federated scenario): the mean is
// today's FedAvg bit for bit, the median of two updates is their mean, one
// attacker sending huge values blows up the mean but not the robust
// aggregators, what cannot tolerate the attackers is refused, and runs with
// an attacker are bit-identical for 1 and 2 threads. Worker momentum 0 is
// today's run; bucketing with s = 1 and inner_NAME keys is its inner
// aggregator with those parameters, bit for bit.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "robust/attacks.hpp"
#include "run_files.hpp"
#include "scenario/experiment.hpp"

using namespace dlsim;
using dlsim::test::metrics_column;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// 10 clients with iid logistic-regression data, all of them every round.
const std::string kClients = R"(
    name = "federated_byzantine"
    nodes = 10
    [data]
    samples = 1000
    test_samples = 200
    features = 10
    [algorithm]
    kind = "fedavg"
    clients_per_round = 10
    local_steps = 3
    learning_rate = 0.5
    [stop]
    rounds = 20
    [metrics]
    every_rounds = 5
  )";

// One attacker, client 3, sending N(0, 1e4^2) coordinates instead of its update.
const std::vector<std::string> kHugeAttacker{"byzantine.placement=list", "byzantine.nodes=[3]",
                                             "byzantine.attack=gaussian", "byzantine.sigma=1e4"};

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

RunSummary run(const std::string& name, const std::vector<std::string>& overrides, int threads = 1) {
  return run_scenario(parse_scenario(kClients, "byzantine.toml", overrides, scenario_schema()),
                      RunOptions{out_dir(name), threads, true, false, {}});
}

std::string error_of(const std::vector<std::string>& overrides) {
  const std::string dir = out_dir("federated_byzantine_refused");
  std::filesystem::remove_all(dir);
  try {
    run_scenario(parse_scenario(kClients, "byzantine.toml", overrides, scenario_schema()),
                 RunOptions{dir, 1, true, false, {}});
  } catch (const ScenarioError& error) {
    CHECK(!std::filesystem::exists(dir));
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("aggregator mean is FedAvg bit for bit, with no aggregate_error column", "[federated]") {
  run("federated_mean_default", {});
  run("federated_mean_explicit", {"aggregator.kind=mean"});
  const std::string reference = read_file(out_dir("federated_mean_default") + "/metrics.csv");
  CHECK(!reference.empty());
  CHECK(read_file(out_dir("federated_mean_explicit") + "/metrics.csv") == reference);
  CHECK(metrics_column(out_dir("federated_mean_default"), "aggregate_error").empty());
  const auto json = nlohmann::json::parse(read_file(out_dir("federated_mean_default") + "/summary.json"));
  CHECK(!json.contains("byzantine"));
}

TEST_CASE("the median of two equally weighted updates is their mean, bit for bit", "[federated]") {
  // 0.5 (a + b) and 0.5 a + 0.5 b round alike: the models, hence the losses, are equal.
  const std::vector<std::string> two{"algorithm.clients_per_round=2", "algorithm.weighting=uniform"};
  run("federated_two_mean", two);
  run("federated_two_median", with(two, {"aggregator.kind=median"}));
  const auto mean_loss = metrics_column(out_dir("federated_two_mean"), "loss");
  REQUIRE(mean_loss.size() == 5);
  CHECK(metrics_column(out_dir("federated_two_median"), "loss") == mean_loss);
  CHECK(metrics_column(out_dir("federated_two_median"), "test_accuracy") ==
        metrics_column(out_dir("federated_two_mean"), "test_accuracy"));
  // No attacker: the median is the honest mean, exactly.
  for (double error : metrics_column(out_dir("federated_two_median"), "aggregate_error")) CHECK(error == 0);
  // The median's O(n d log n) task is costed: the rounds take longer.
  CHECK(metrics_column(out_dir("federated_two_median"), "time_s").back() >
        metrics_column(out_dir("federated_two_mean"), "time_s").back());
}

TEST_CASE("one client sending huge values breaks the mean, not the robust aggregators", "[federated]") {
  const double clean = run("federated_clean", {}).final.at("loss");
  const RunSummary broken = run("federated_attacked_mean", kHugeAttacker);
  CHECK(!(broken.final.at("loss") < 10 * clean));  // huge or NaN
  CHECK(metrics_column(out_dir("federated_attacked_mean"), "aggregate_error").back() > 1e6);
  for (const std::vector<std::string>& defence : std::vector<std::vector<std::string>>{
           {"aggregator.kind=median"},
           {"aggregator.kind=trimmed-mean", "aggregator.f=1"},
           {"aggregator.kind=centered-clipping", "aggregator.tau=0.1", "aggregator.iterations=3"},
           {"aggregator.kind=krum", "aggregator.f=1"},
           {"aggregator.kind=geometric-median"},
           {"aggregator.kind=bucketing", "aggregator.s=2"}}) {
    CAPTURE(defence);
    const RunSummary robust = run("federated_attacked_robust", with(kHugeAttacker, defence));
    REQUIRE(robust.status == RunStatus::completed);
    CHECK(std::abs(robust.final.at("loss") - clean) < 0.05);
    CHECK(metrics_column(out_dir("federated_attacked_robust"), "aggregate_error").back() < 1.0);
  }
  const auto json = nlohmann::json::parse(read_file(out_dir("federated_attacked_robust") + "/summary.json"));
  CHECK(json.at("byzantine").at("clients") == std::vector<int>{3});
  CHECK(json.at("byzantine").at("attack").get<std::string>().starts_with("gaussian"));
  CHECK(json.at("byzantine").at("aggregator").get<std::string>().starts_with("bucketing"));
}

TEST_CASE("a silent Byzantine client is dropped by failure and never aggregated", "[federated]") {
  const RunSummary summary =
      run("federated_silent", {"byzantine.placement=list", "byzantine.nodes=[0, 1]", "byzantine.attack=none",
                               "algorithm.clients_per_round=5", "algorithm.round_deadline=1s"});
  REQUIRE(summary.status == RunStatus::completed);
  const auto json = nlohmann::json::parse(read_file(out_dir("federated_silent") + "/summary.json"));
  // Never heard from, they stay busy after their first selection: at most one drop each.
  CHECK(json.at("federated").at("dropped_failure").get<double>() >= 1);
  CHECK(json.at("federated").at("dropped_failure").get<double>() <= 2);
  CHECK(json.at("federated").at("clients_participated").get<double>() <= 8);
  for (double error : metrics_column(out_dir("federated_silent"), "aggregate_error")) CHECK(error == 0);
}

TEST_CASE("label-flip clients train on flipped labels and send updates of the normal size", "[federated]") {
  const RunSummary clean = run("federated_label_clean", {});
  const RunSummary flipped = run("federated_label_flip", {"byzantine.count=3", "byzantine.attack=label-flip"});
  REQUIRE(flipped.status == RunStatus::completed);
  // The same messages, bit for bit in size: only the labels differ.
  CHECK(flipped.final.at("bits_up") == clean.final.at("bits_up"));
  CHECK(flipped.final.at("bits_down") == clean.final.at("bits_down"));
  // Their updates pull the other way: the mean is off the honest mean, and the model worse.
  CHECK(metrics_column(out_dir("federated_label_flip"), "aggregate_error").back() > 0);
  CHECK(flipped.final.at("loss") > clean.final.at("loss"));
}

TEST_CASE("federated runs with an attacker are bit-identical for 1 and 2 threads", "[federated]") {
  const std::vector<std::string> overrides =
      with({"byzantine.count=2", "byzantine.attack=alie", "aggregator.kind=bucketing", "aggregator.s=2",
            "aggregator.inner=trimmed-mean", "algorithm.clients_per_round=6", "algorithm.over_commit=0.5",
            "compute.jitter_sigma=0.3", "compute.flops_per_second=1e7", "network.jitter=50us"},
           {});
  run("federated_byzantine_threads_1", overrides, 1);
  run("federated_byzantine_threads_2", overrides, 2);
  const std::string reference = read_file(out_dir("federated_byzantine_threads_1") + "/metrics.csv");
  CHECK(!reference.empty());
  CHECK(read_file(out_dir("federated_byzantine_threads_2") + "/metrics.csv") == reference);
  // ALIE's "auto" z is Baruch et al.'s for the K = 6 updates combined, 2 of them Byzantine.
  const auto json = nlohmann::json::parse(read_file(out_dir("federated_byzantine_threads_1") + "/summary.json"));
  CHECK(json.at("byzantine").at("attack").get<std::string>().find(fmt::format("z={}", alie_z(6, 2))) !=
        std::string::npos);
  // The attack reached the aggregate.
  double error = 0;
  for (double value : metrics_column(out_dir("federated_byzantine_threads_1"), "aggregate_error")) error += value;
  CHECK(error > 0);
}

TEST_CASE("federated Byzantine settings refuse what cannot work, naming the key", "[federated]") {
  using Catch::Matchers::Contains;
  // Krum needs n > 2f + 2 with n = clients_per_round.
  CHECK_THAT(error_of({"aggregator.kind=krum", "aggregator.f=4"}), Contains("aggregator.kind") && Contains("krum"));
  // Krum's f below the Byzantine clients a cohort can hold.
  CHECK_THAT(error_of(with(kHugeAttacker, {"aggregator.kind=krum"})),
             Contains("aggregator.f") && Contains("tolerates 0"));
  CHECK_THAT(error_of({"byzantine.count=5", "aggregator.kind=median"}), Contains("aggregator.kind"));
  CHECK_THAT(error_of({"byzantine.count=1", "byzantine.placement=highest-degree"}),
             Contains("byzantine.placement") && Contains("graph"));
  CHECK_THAT(error_of({"byzantine.count=1", "byzantine.attack=dissensus"}), Contains("byzantine.attack"));
  CHECK_THAT(error_of({"byzantine.count=1", "byzantine.attack=ipm", "byzantine.omniscient=false"}),
             Contains("byzantine.omniscient"));
  CHECK_THAT(error_of({"byzantine.count=1", "algorithm.kind=fedbuff", "algorithm.clients_per_round=10"}),
             Contains("byzantine.count") && Contains("fedbuff"));
  CHECK_THAT(error_of({"aggregator.kind=median", "algorithm.kind=fedasync"}), Contains("aggregator.kind"));
  CHECK_THAT(error_of({"aggregator.kind=krum", "aggregator.tau=1"}), Contains("tau"));
}

TEST_CASE("worker momentum 0 is today's run bit for bit, and beta > 0 is named in the summary", "[federated]") {
  run("federated_momentum_default", kHugeAttacker);
  run("federated_momentum_zero", with(kHugeAttacker, {"aggregator.worker_momentum=0"}));
  const std::string reference = read_file(out_dir("federated_momentum_default") + "/metrics.csv");
  CHECK(!reference.empty());
  CHECK(read_file(out_dir("federated_momentum_zero") + "/metrics.csv") == reference);
  const RunSummary summary = run("federated_momentum", with(kHugeAttacker, {"aggregator.kind=centered-clipping",
                                                                             "aggregator.tau=0.1",
                                                                             "aggregator.worker_momentum=0.9"}));
  REQUIRE(summary.status == RunStatus::completed);
  const auto json = nlohmann::json::parse(read_file(out_dir("federated_momentum") + "/summary.json"));
  CHECK(json.at("byzantine").at("aggregator").get<std::string>().ends_with("worker momentum 0.9"));
  // The momentum costs 3 d flops per update: the same rounds take longer.
  const RunSummary without = run("federated_momentum_off", with(kHugeAttacker, {"aggregator.kind=centered-clipping",
                                                                                "aggregator.tau=0.1"}));
  CHECK(metrics_column(out_dir("federated_momentum"), "time_s").back() >
        metrics_column(out_dir("federated_momentum_off"), "time_s").back());
  CHECK(summary.final.at("loss") != without.final.at("loss"));
}

TEST_CASE("bucketing takes its inner aggregator's parameters as inner_NAME", "[federated]") {
  // s = 1 is exactly the inner aggregator: bucketing around centered clipping
  // with inner_tau is centered clipping with that tau, bit for bit (the
  // models; bucketing's task costs n d more).
  const std::vector<std::string> clipping{"aggregator.kind=centered-clipping", "aggregator.tau=0.05",
                                          "aggregator.iterations=2"};
  const std::vector<std::string> bucketed{"aggregator.kind=bucketing", "aggregator.s=1",
                                          "aggregator.inner=centered-clipping", "aggregator.inner_tau=0.05",
                                          "aggregator.inner_iterations=2"};
  run("federated_inner_direct", with(kHugeAttacker, clipping));
  run("federated_inner_bucketed", with(kHugeAttacker, bucketed));
  for (const char* column : {"loss", "optimum_distance", "test_accuracy", "aggregate_error"}) {
    CAPTURE(column);
    const auto reference = metrics_column(out_dir("federated_inner_direct"), column);
    REQUIRE(reference.size() == 5);
    CHECK(metrics_column(out_dir("federated_inner_bucketed"), column) == reference);
  }
  CHECK(metrics_column(out_dir("federated_inner_bucketed"), "time_s").back() >
        metrics_column(out_dir("federated_inner_direct"), "time_s").back());
  // Left out, the inner kind's own defaults (tau = 1, one iteration): another run.
  run("federated_inner_default", with(kHugeAttacker, {"aggregator.kind=bucketing", "aggregator.s=1",
                                                      "aggregator.inner=centered-clipping"}));
  CHECK(metrics_column(out_dir("federated_inner_default"), "loss") !=
        metrics_column(out_dir("federated_inner_direct"), "loss"));
  const auto json = nlohmann::json::parse(read_file(out_dir("federated_inner_bucketed") + "/summary.json"));
  CHECK(json.at("byzantine").at("aggregator").get<std::string>().find("0.05") != std::string::npos);
}

TEST_CASE("worker momentum and inner parameters refuse what cannot work, naming the key", "[federated]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(error_of({"aggregator.kind=bucketing", "aggregator.inner=median", "aggregator.inner_tau=0.1"}),
             Contains("aggregator.inner_tau") && Contains("median"));
  CHECK_THAT(error_of({"aggregator.kind=median", "aggregator.inner_tau=0.1"}), Contains("inner_tau"));
  CHECK_THAT(error_of({"aggregator.kind=bucketing", "aggregator.inner=krum", "aggregator.inner_f=-1"}),
             Contains("aggregator.kind") && Contains("'f'"));
  CHECK_THAT(error_of({"aggregator.worker_momentum=1"}), Contains("aggregator.worker_momentum"));
  CHECK_THAT(error_of({"aggregator.worker_momentum=-0.1"}), Contains("aggregator.worker_momentum"));
  CHECK_THAT(error_of({"aggregator.worker_momentum=0.9", "algorithm.kind=fedbuff"}),
             Contains("aggregator.worker_momentum") && Contains("fedbuff"));
}

TEST_CASE("federated runs with worker momentum are bit-identical for 1 and 2 threads", "[federated]") {
  // Partial participation, over-commitment and jitter: each client's m_i
  // moves in its own events, whatever thread runs them.
  const std::vector<std::string> overrides{"byzantine.count=2",
                                           "byzantine.attack=ipm",
                                           "aggregator.kind=bucketing",
                                           "aggregator.s=2",
                                           "aggregator.inner=centered-clipping",
                                           "aggregator.inner_tau=0.1",
                                           "aggregator.worker_momentum=0.9",
                                           "algorithm.clients_per_round=6",
                                           "algorithm.over_commit=0.5",
                                           "compute.jitter_sigma=0.3",
                                           "compute.flops_per_second=1e7",
                                           "network.jitter=50us"};
  run("federated_momentum_threads_1", overrides, 1);
  run("federated_momentum_threads_2", overrides, 2);
  const std::string reference = read_file(out_dir("federated_momentum_threads_1") + "/metrics.csv");
  CHECK(!reference.empty());
  CHECK(read_file(out_dir("federated_momentum_threads_2") + "/metrics.csv") == reference);
}
