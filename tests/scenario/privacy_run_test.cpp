// The [privacy] section in runs: DP-SGD reduces to plain SGD without clipping
// or noise, the epsilon column and summary.json's privacy block agree with
// the accountant, the noise multiplier is calibrated for a target epsilon,
// stop.privacy_budget, determinism across thread counts, and bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "federated_clients.hpp"
#include "privacy/renyi_accountant.hpp"
#include "run_files.hpp"
#include "text_runs.hpp"
#include "scenario/experiment.hpp"

using namespace dlsim;
using dlsim::test::metrics_column;
using dlsim::test::out_dir;
using dlsim::test::read_file;
using dlsim::test::run_scenario_text;
using dlsim::test::summary_of;

namespace {

const std::string& kRing = dlsim::test::kPrivacyRing;

std::string error_of(const std::string& text, const std::vector<std::string>& overrides) {
  return test::refusal_of(text, overrides, "privacy_refused");
}

}  // namespace

TEST_CASE("DP-SGD without clipping or noise is plain SGD bit for bit", "[privacy][run]") {
  for (const std::string& text : {kRing, dlsim::test::kTwentyClients}) {
    const std::string plain = run_scenario_text("privacy_plain", text, {});
    const std::string private_run = run_scenario_text("privacy_identity", text,
                                        {"privacy.mechanism=\"dp-sgd\"", "privacy.clip_norm=inf",
                                         "privacy.noise_multiplier=0.0", "privacy.sampling=\"fixed-size\""});
    CHECK(metrics_column(plain, "loss") == metrics_column(private_run, "loss"));
    CHECK(metrics_column(plain, "bits_sent") == metrics_column(private_run, "bits_sent"));
    const auto epsilon = metrics_column(private_run, "epsilon");
    REQUIRE(!epsilon.empty());
    CHECK(std::isinf(epsilon.back()));
    CHECK(summary_of(private_run)["privacy"]["epsilon"].is_null());
  }
}

TEST_CASE("The epsilon column is the accountant's for the steps taken", "[privacy][run]") {
  const std::string dir =
      run_scenario_text("privacy_ring", kRing, {"privacy.mechanism=\"dp-sgd\"", "privacy.noise_multiplier=1.5", "privacy.delta=1e-4"});
  const auto rounds = metrics_column(dir, "round");
  const auto epsilon = metrics_column(dir, "epsilon");
  REQUIRE(epsilon.size() == rounds.size());
  // Each node holds 100 samples: q = 10 / 100. Epsilon after the last
  // evaluation is at least that of the rounds completed (one step a round)
  // and at most one pipelined step more.
  const double at_rounds = sampled_gaussian_epsilon(0.1, 1.5, std::uint64_t(rounds.back()), 1e-4);
  const double one_more = sampled_gaussian_epsilon(0.1, 1.5, std::uint64_t(rounds.back()) + 1, 1e-4);
  CHECK(epsilon.back() >= at_rounds * (1 - 1e-12));
  CHECK(epsilon.back() <= one_more * (1 + 1e-12));
  for (std::size_t i = 1; i < epsilon.size(); ++i) CHECK(epsilon[i] > epsilon[i - 1]);
  const auto summary = summary_of(dir);
  const auto& privacy = summary["privacy"];
  CHECK(privacy["mechanism"] == "dp-sgd");
  CHECK(privacy["delta"].get<double>() == 1e-4);
  CHECK(privacy["sampling_rate"].get<double>() == Approx(0.1));
  CHECK(privacy["epsilon"].get<double>() ==
        Approx(sampled_gaussian_epsilon(0.1, 1.5, privacy["steps"].get<std::uint64_t>(), 1e-4)).epsilon(1e-12));
  CHECK(std::isfinite(summary["final"]["loss"].get<double>()));
}

TEST_CASE("Private runs are bit-identical for any thread count", "[privacy][run]") {
  const std::vector<std::string> overrides = {"privacy.mechanism=\"dp-sgd\"", "privacy.noise_multiplier=1.0",
                                              "privacy.clip_norm=0.5"};
  for (const std::string& text : {kRing, dlsim::test::kTwentyClients}) {
    const std::string one = run_scenario_text("privacy_threads_1", text, overrides, 1);
    const auto loss = metrics_column(one, "loss");
    const auto epsilon = metrics_column(one, "epsilon");
    const std::string four = run_scenario_text("privacy_threads_4", text, overrides, 4);
    CHECK(loss == metrics_column(four, "loss"));
    CHECK(epsilon == metrics_column(four, "epsilon"));
    // The noise changes the trajectory.
    CHECK(loss != metrics_column(run_scenario_text("privacy_threads_plain", text, {}), "loss"));
  }
}

TEST_CASE("A target epsilon fixes the noise multiplier before the run", "[privacy][run]") {
  // 20 clients of 100 samples, batch 32 (q = 0.32), 30 rounds of 3 steps: at most 90 steps per client.
  const std::string dir =
      run_scenario_text("privacy_target", dlsim::test::kTwentyClients,
          {"privacy.mechanism=\"dp-sgd\"", "privacy.noise_multiplier=\"auto\"", "privacy.target_epsilon=8.0"});
  const auto privacy = summary_of(dir)["privacy"];
  const double sigma = privacy["noise_multiplier"].get<double>();
  const double delta = privacy["delta"].get<double>();
  CHECK(delta == Approx(1.0 / std::pow(100.0, 1.1)));
  CHECK(privacy["planned_steps"] == 90);
  CHECK(sampled_gaussian_epsilon(0.32, sigma, 90, delta) <= 8.0);
  CHECK(sampled_gaussian_epsilon(0.32, sigma * 0.999, 90, delta) > 8.0);
  CHECK(privacy["epsilon"].get<double>() <= 8.0);
}

TEST_CASE("stop.privacy_budget ends the run before the budget is overspent", "[privacy][run]") {
  const std::string dir = run_scenario_text("privacy_budget", kRing,
                              {"privacy.mechanism=\"dp-sgd\"", "privacy.noise_multiplier=1.5", "privacy.delta=1e-4",
                               "stop.privacy_budget=1.5", "stop.rounds=1000"});
  const auto summary = summary_of(dir);
  CHECK(summary["status"] == "completed");
  CHECK(summary["message"].get<std::string>().find("privacy budget") != std::string::npos);
  const auto epsilon = metrics_column(dir, "epsilon");
  REQUIRE(!epsilon.empty());
  CHECK(epsilon.back() <= 1.5);
  CHECK(metrics_column(dir, "round").back() < 1000);
}

TEST_CASE("Bad privacy input names the key", "[privacy][run]") {
  const std::string dp = "privacy.mechanism=\"dp-sgd\"";
  CHECK_THAT(error_of(kRing, {dp, "privacy.clip_norm=0.0"}), Catch::Contains("privacy.clip_norm"));
  CHECK_THAT(error_of(kRing, {dp, "privacy.clip_norm=-1.0"}), Catch::Contains("privacy.clip_norm"));
  CHECK_THAT(error_of(kRing, {dp, "privacy.noise_multiplier=-0.5"}), Catch::Contains("privacy.noise_multiplier"));
  CHECK_THAT(error_of(kRing, {dp, "privacy.delta=1.0"}), Catch::Contains("privacy.delta"));
  CHECK_THAT(error_of(kRing, {dp, "privacy.delta=0.0"}), Catch::Contains("privacy.delta"));
  // At delta 1e-10 no noise multiplier brings epsilon below about 0.015 (order 1024's conversion term).
  CHECK_THAT(error_of(kRing, {dp, "privacy.noise_multiplier=\"auto\"", "privacy.target_epsilon=0.001",
                              "privacy.delta=1e-10"}),
             Catch::Contains("privacy.target_epsilon"));
  CHECK_THAT(error_of(kRing, {dp, "privacy.noise_multiplier=\"auto\""}), Catch::Contains("privacy.target_epsilon"));
  CHECK_THAT(error_of(kRing, {dp, "privacy.sampling=\"fixed-size\""}), Catch::Contains("privacy.sampling"));
  CHECK_THAT(error_of(kRing, {dp, "privacy.clip_norm=inf"}), Catch::Contains("privacy.clip_norm"));
  CHECK_THAT(error_of(kRing, {dp, "algorithm.kind=\"choco-sgd\"", "compression.kind=\"top-k\"",
                              "compression.ratio=0.1"}),
             Catch::Contains("algorithm.gamma"));
  CHECK_THAT(error_of(kRing, {"stop.privacy_budget=1.0"}), Catch::Contains("stop.privacy_budget"));
  CHECK_THAT(error_of(kRing, {dp, "privacy.noise_multiplier=0.0", "stop.privacy_budget=1.0"}),
             Catch::Contains("stop.privacy_budget"));
}

TEST_CASE("Per-sample clipping costs simulated compute time", "[privacy][run]") {
  // Same batches (fixed-size, no noise), so the same messages; clipping adds
  // 4 d flops per sample to every gradient task, so the rounds take longer.
  const std::string plain = run_scenario_text("privacy_cost_plain", kRing, {"network.latency=\"1us\"", "compute.flops_per_second=1e6"});
  const std::string clipped =
      run_scenario_text("privacy_cost_clipped", kRing,
          {"network.latency=\"1us\"", "compute.flops_per_second=1e6", "privacy.mechanism=\"dp-sgd\"",
           "privacy.clip_norm=1e9", "privacy.noise_multiplier=0.0", "privacy.sampling=\"fixed-size\""});
  CHECK(metrics_column(clipped, "bits_sent") == metrics_column(plain, "bits_sent"));
  CHECK(metrics_column(clipped, "time_s").back() > metrics_column(plain, "time_s").back());
}
