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
#include "federated_clients.hpp"
#include "run_files.hpp"
#include "scenario/sweep.hpp"

using namespace dlsim;
using dlsim::test::out_dir;
using dlsim::test::read_file;
using dlsim::test::metrics_column;

namespace {

const std::string& kFederated = dlsim::test::kTwentyClients;

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
  CHECK(metrics_column(dir, "round") == std::vector<double>{0, 10, 20, 30});
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
  for (double value : metrics_column(dir, "dropped_deadline")) dropped += value;
  for (double value : metrics_column(dir, "surplus")) surplus += value;
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

namespace {

// scenarios/sign_error_feedback.toml with overrides, run; its final loss.
double sign_scenario_loss(const std::vector<std::string>& overrides) {
  const std::string path = std::string(DLSIM_SOURCE_DIR) + "/scenarios/sign_error_feedback.toml";
  const Scenario scenario = parse_scenario(read_file(path), path, overrides, scenario_schema());
  const RunSummary summary = run_scenario(scenario, RunOptions{out_dir("federated_sign_ef"), 1, true, false, {}});
  REQUIRE(summary.status == RunStatus::completed);
  return summary.final.at("loss");
}

}  // namespace

TEST_CASE("sign compression stalls on the nonsmooth example without error feedback and converges with it") {
  // Karimireddy et al., ICML 2019: every update's sign is +-(1, -1), so
  // without error feedback x1 + x2 = 1.3 stays and f >= 1.3; with it the
  // residuals carry the rest to the minimum 0. The same holds when the
  // server's steps are what is compressed (the downlink).
  const double stalled = sign_scenario_loss({});
  CHECK(stalled >= 1.3 - 1e-9);
  CHECK(stalled < 1.3 + 1e-3);
  CHECK(sign_scenario_loss({"algorithm.error_feedback=true"}) < 2e-3);
  CHECK(sign_scenario_loss({"compression.kind=none", "downlink_compression.kind=sign"}) >= 1.3 - 1e-9);
  CHECK(sign_scenario_loss({"compression.kind=none", "downlink_compression.kind=sign", "algorithm.error_feedback=true"}) < 2e-3);
  // Top-1 is no counterexample here: it keeps the coordinate of magnitude 3
  // (|s + 2t| or |s - 2t|), which moves x1 + x2, and converges either way.
  CHECK(sign_scenario_loss({"compression.kind=top-k", "compression.k=1"}) < 2e-3);
  CHECK(sign_scenario_loss({"compression.kind=top-k", "compression.k=1", "algorithm.error_feedback=true"}) < 2e-3);
}

TEST_CASE("error_feedback = ef21 reads as EF21 on the uplink, and refuses what it cannot run") {
  // EF21 (Richtarik et al. 2021) on the counterexample: the clients' g_i
  // track their subgradient steps through the scaled sign, and the server
  // steps with their mean g, not the mean of the signs.
  const double ef21 = sign_scenario_loss({"algorithm.error_feedback=ef21"});
  CHECK(ef21 < 2e-3);
  CHECK(ef21 != sign_scenario_loss({"algorithm.error_feedback=true"}));
  CHECK_THAT(error_of({"algorithm.error_feedback=ef22", "compression.kind=sign"}),
             Catch::Contains("algorithm.error_feedback") && Catch::Contains("ef21"));
  CHECK_THAT(error_of({"algorithm.error_feedback=ef21", "downlink_compression.kind=sign"}),
             Catch::Contains("algorithm.error_feedback") && Catch::Contains("uplink"));
  CHECK_THAT(error_of({"algorithm.error_feedback=ef21", "compression.kind=sign", "algorithm.late_updates=stale"}),
             Catch::Contains("algorithm.error_feedback") && Catch::Contains("late_updates"));
  CHECK_THAT(error_of({"algorithm.error_feedback=ef21", "compression.kind=sign", "algorithm.kind=fedbuff",
                       "algorithm.clients_per_round=10"}),
             Catch::Contains("algorithm.error_feedback") && Catch::Contains("fedbuff"));
  CHECK_THAT(error_of({"algorithm.probe=true"}), Catch::Contains("algorithm.probe") && Catch::Contains("power-of-choice"));
  CHECK_THAT(error_of({"algorithm.probe=true", "algorithm.sampling=power-of-choice", "downlink_compression.kind=sign"}),
             Catch::Contains("algorithm.probe") && Catch::Contains("downlink"));
  CHECK(federated_with({"algorithm.probe=true", "algorithm.sampling=power-of-choice"}).boolean("algorithm.probe"));
  const Sweep sweep = parse_sweep(kFederated + R"(
    [compression]
    kind = "sign"
    [sweep]
    "algorithm.error_feedback" = [false, true, "ef21"]
  )", "sweep.toml", {}, scenario_schema());
  REQUIRE(sweep.points().size() == 3);
  CHECK(sweep.scenario(sweep.points().back()).is_text("algorithm.error_feedback"));
  CHECK(sweep.scenario(sweep.points().back()).text("algorithm.error_feedback") == "ef21");
  CHECK(!sweep.scenario(sweep.points()[1]).is_text("algorithm.error_feedback"));
}

TEST_CASE("fednova, time budgets, error feedback and downlink compression run from a scenario, bit-identical for 1 and 2 threads") {
  const std::vector<std::string> overrides{"algorithm.kind=fednova",       "algorithm.local_steps=1",
                                           "algorithm.local_time_budget=5ms", "compute.speed=lognormal",
                                           "compute.jitter_sigma=0.3",     "compute.flops_per_second=1e7",
                                           "compression.kind=sign",        "downlink_compression.kind=top-k",
                                           "downlink_compression.ratio=0.5",           "algorithm.error_feedback=true"};
  std::string reference;
  for (int threads : {1, 2}) {
    const std::string dir = out_dir("federated_local_work_" + std::to_string(threads));
    const RunSummary summary = run_scenario(federated_with(overrides), RunOptions{dir, threads, true, false, {}});
    REQUIRE(summary.status == RunStatus::completed);
    CHECK(summary.final.at("loss") < 0.69);
    const std::string metrics = read_file(dir + "/metrics.csv");
    if (reference.empty()) reference = metrics;
    CHECK(metrics == reference);
  }
  const std::string dir = out_dir("federated_local_work_1");
  const std::vector<double> least = metrics_column(dir, "local_steps_min"), most = metrics_column(dir, "local_steps_max");
  CHECK(least.at(0) == 0);  // round 0: nothing aggregated yet
  CHECK(least.at(1) >= 1);
  CHECK(most.at(1) > least.at(1));  // lognormal speeds: different budgets' worth of steps
}

TEST_CASE("the keys of budgets, error feedback, the downlink and the initial point refuse bad values, naming the key") {
  CHECK_THAT(error_of({"algorithm.local_time_budget=10ms", "algorithm.local_steps=3"}),
             Catch::Contains("algorithm.local_time_budget") && Catch::Contains("not both"));
  CHECK_THAT(error_of({"algorithm.local_time_budget=10ms", "algorithm.local_epochs=1", "algorithm.local_steps=1"}),
             Catch::Contains("algorithm.local_time_budget") && Catch::Contains("local_epochs"));
  CHECK_THAT(error_of({"algorithm.local_time_budget=-1ms"}), Catch::Contains("algorithm.local_time_budget"));
  CHECK_THAT(error_of({"algorithm.error_feedback=true"}),
             Catch::Contains("algorithm.error_feedback") && Catch::Contains("compressor"));
  CHECK_THAT(error_of({"algorithm.error_feedback=1"}), Catch::Contains("algorithm.error_feedback"));
  CHECK_THAT(error_of({"downlink_compression.kind=zip"}), Catch::Contains("downlink_compression.kind"));
  CHECK_THAT(error_of({"downlink_compression.kind=top-k", "downlink_compression.levels=4"}), Catch::Contains("downlink_compression.levels"));
  CHECK_THAT(error_of({"model.initial_point=[1.0, 2.0]"}),
             Catch::Contains("model.initial_point") && Catch::Contains("10 parameters"));
  CHECK_THAT(error_of({"model.initial_point=[\"a\"]"}), Catch::Contains("model.initial_point"));
  const std::string decentralized = "nodes = 8\n[downlink_compression]\nkind = \"sign\"\n";
  CHECK_THAT(error_of({}, decentralized),
             Catch::Contains("downlink_compression.kind") && Catch::Contains("[downlink_compression] is for the federated algorithms"));
}

TEST_CASE("the keys of budgets, error feedback and the downlink are in the reference and can be swept") {
  const SectionSpec* algorithm = scenario_schema().find_section("algorithm");
  REQUIRE(algorithm != nullptr);
  int documented = 0;
  for (const KeyGroup& group : algorithm->documented_kind_keys)
    for (const KeySpec& key : group.keys) documented += key.name == "local_time_budget" || key.name == "error_feedback";
  CHECK(documented == 2);
  REQUIRE(scenario_schema().find_section("downlink_compression") != nullptr);
  const Sweep sweep = parse_sweep(kFederated + R"(
    [compression]
    kind = "sign"
    [sweep]
    "algorithm.kind" = ["fedavg", "fednova"]
    "algorithm.local_time_budget" = ["0s", "2ms"]
    "algorithm.error_feedback" = [false, true]
    "downlink_compression.kind" = ["none", "sign"]
  )", "sweep.toml", {}, scenario_schema());
  CHECK(sweep.points().size() == 16);
  CHECK(sweep.scenario(sweep.points().back()).text("downlink_compression.kind") == "sign");
  CHECK(sweep.scenario(sweep.points().back()).boolean("algorithm.error_feedback"));
}

TEST_CASE("downlink compression under churn: a client that lost its model in an outage gets it again") {
  // Outages of about 1 ms every 3 ms: some clients are sent steps from a
  // model they lost before the server heard of it; they check in again and
  // later get x_t itself. The run goes on, bit-identical for 1 and 2 threads.
  const std::vector<std::string> overrides{
      "faults.churn_fraction=0.5",         "faults.churn_mean_up=3ms",           "faults.churn_mean_down=1ms",
      "algorithm.round_deadline=10ms",     "downlink_compression.kind=top-k",    "downlink_compression.ratio=0.3",
      "algorithm.error_feedback=true",     "stop.rounds=100"};
  std::string reference;
  for (int threads : {1, 2}) {
    const std::string dir = out_dir("federated_downlink_churn_" + std::to_string(threads));
    const RunSummary summary = run_scenario(federated_with(overrides), RunOptions{dir, threads, true, false, {}});
    REQUIRE(summary.status == RunStatus::completed);
    CHECK(summary.final.at("loss") < 0.69);
    const std::string metrics = read_file(dir + "/metrics.csv");
    if (reference.empty()) reference = metrics;
    CHECK(metrics == reference);
  }
}

TEST_CASE("a round waiting without a deadline for a crashed client ends stalled despite churn") {
  // Crashed clients of a cohort never report, and with no deadline the round
  // waits for them; the churning clients keep coming back, but once none of
  // them is busy or awaited, their check-ins change nothing: the run ends
  // `stalled`, naming the wait, instead of simulating churn for ever.
  const std::string dir = out_dir("federated_crash_churn_stall");
  std::filesystem::remove_all(dir);
  const RunSummary summary = run_scenario(
      federated_with({"faults.churn_fraction=0.5", "faults.churn_mean_up=5ms", "faults.churn_mean_down=2ms",
                      "faults.crash_fraction=0.1", "faults.crash_time=3ms", "stop.rounds=100000"}),
      RunOptions{dir, 1, true, false, {}});
  CHECK(summary.status == RunStatus::stalled);
  CHECK_THAT(summary.message, Catch::Contains("the server waits in round"));
}
