// privacy.mechanism = "dp-fedavg" in runs (McMahan et al., ICLR 2018): the
// epsilon column and summary.json's privacy block are the accountant's for
// q = clients_per_round / nodes and one step per round, a target epsilon
// calibrates sigma for the rounds, runs are bit-identical for any thread
// count, and what the accountant cannot cover is refused naming the key.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "federated_clients.hpp"
#include "privacy/renyi_accountant.hpp"
#include "run_files.hpp"
#include "scenario/experiment.hpp"

using namespace dlsim;
using dlsim::test::metrics_column;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

const std::vector<std::string> kDpFedAvg = {"privacy.mechanism=\"dp-fedavg\"", "algorithm.sampling=\"poisson\"",
                                            "algorithm.weighting=\"uniform\""};

std::vector<std::string> with(std::vector<std::string> more) {
  std::vector<std::string> all = kDpFedAvg;
  all.insert(all.end(), more.begin(), more.end());
  return all;
}

std::string run(const std::string& name, const std::vector<std::string>& overrides, int threads = 1) {
  const std::string dir = out_dir(name);
  run_scenario(parse_scenario(dlsim::test::kTwentyClients, name + ".toml", overrides, scenario_schema()),
               RunOptions{dir, threads, true});
  return dir;
}

nlohmann::json summary_of(const std::string& dir) { return nlohmann::json::parse(read_file(dir + "/summary.json")); }

std::string error_of(const std::vector<std::string>& overrides) {
  try {
    run_scenario(parse_scenario(dlsim::test::kTwentyClients, "refused.toml", overrides, scenario_schema()),
                 RunOptions{out_dir("dp_fedavg_refused"), 1, true});
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("DP-FedAvg's epsilon is the accountant's for q = K / N and one step per round", "[privacy][federated]") {
  // 20 clients, 5 per round expected: q = 0.25.
  const std::string dir = run("dp_fedavg_epsilon", with({"privacy.noise_multiplier=1.2", "privacy.delta=1e-3",
                                                        "privacy.clip_norm=0.5"}));
  const auto rounds = metrics_column(dir, "round");
  const auto epsilon = metrics_column(dir, "epsilon");
  REQUIRE(epsilon.size() == rounds.size());
  REQUIRE(rounds.back() == 30);
  for (std::size_t i = 0; i < rounds.size(); ++i)
    CHECK(epsilon[i] == Approx(sampled_gaussian_epsilon(0.25, 1.2, std::uint64_t(rounds[i]), 1e-3)).epsilon(1e-12));
  const auto summary = summary_of(dir);
  const auto& privacy = summary["privacy"];
  CHECK(privacy["mechanism"] == "dp-fedavg");
  CHECK(privacy["level"] == "user");
  CHECK(privacy["steps"] == 30);
  CHECK(privacy["sampling_rate"].get<double>() == 0.25);
  CHECK(privacy["expected_cohort"].get<double>() == 5.0);
  CHECK(privacy["epsilon"].get<double>() ==
        Approx(sampled_gaussian_epsilon(0.25, 1.2, 30, 1e-3)).epsilon(1e-12));
  CHECK(std::isfinite(summary["final"]["loss"].get<double>()));
}

TEST_CASE("DP-FedAvg calibrates sigma for a target epsilon over the rounds, and delta auto is 1 / N^1.1",
          "[privacy][federated]") {
  const std::string dir =
      run("dp_fedavg_target", with({"privacy.noise_multiplier=\"auto\"", "privacy.target_epsilon=4.0"}));
  const auto privacy = summary_of(dir)["privacy"];
  const double sigma = privacy["noise_multiplier"].get<double>();
  const double delta = privacy["delta"].get<double>();
  CHECK(delta == Approx(1.0 / std::pow(20.0, 1.1)));
  CHECK(privacy["planned_steps"] == 30);
  CHECK(sampled_gaussian_epsilon(0.25, sigma, 30, delta) <= 4.0);
  CHECK(sampled_gaussian_epsilon(0.25, sigma * 0.999, 30, delta) > 4.0);
}

TEST_CASE("DP-FedAvg runs are bit-identical for 1 and 2 threads", "[privacy][federated]") {
  const auto overrides = with({"privacy.noise_multiplier=1.0", "privacy.clip_norm=0.5"});
  const std::string one = run("dp_fedavg_threads_1", overrides, 1);
  const std::string two = run("dp_fedavg_threads_2", overrides, 2);
  CHECK(metrics_column(one, "loss") == metrics_column(two, "loss"));
  CHECK(metrics_column(one, "participants") == metrics_column(two, "participants"));
  CHECK(metrics_column(one, "epsilon") == metrics_column(two, "epsilon"));
}

TEST_CASE("Bad DP-FedAvg input names the key", "[privacy][federated]") {
  const std::string dp = "privacy.mechanism=\"dp-fedavg\"";
  CHECK_THAT(error_of({dp, "algorithm.weighting=\"uniform\""}), Catch::Contains("algorithm.sampling"));
  CHECK_THAT(error_of({dp, "algorithm.sampling=\"poisson\"", "algorithm.weighting=\"samples\"",
                       "privacy.weight_cap=0.0"}),
             Catch::Contains("privacy.weight_cap"));
  CHECK_THAT(error_of(with({"algorithm.over_commit=0.5"})), Catch::Contains("algorithm.over_commit"));
  CHECK_THAT(error_of(with({"algorithm.round_deadline=\"1s\""})), Catch::Contains("algorithm.round_deadline"));
  CHECK_THAT(error_of(with({"algorithm.min_updates=2"})), Catch::Contains("algorithm.min_updates"));
  CHECK_THAT(error_of(with({"algorithm.late_updates=\"stale\""})), Catch::Contains("algorithm.late_updates"));
  CHECK_THAT(error_of(with({"aggregator.kind=\"median\""})), Catch::Contains("aggregator.kind"));
  CHECK_THAT(error_of(with({"availability.kind=\"bernoulli\""})), Catch::Contains("availability.kind"));
  CHECK_THAT(error_of(with({"algorithm.kind=\"scaffold\""})), Catch::Contains("privacy.mechanism"));
  CHECK_THAT(error_of(with({"privacy.clip_norm=0.0"})), Catch::Contains("privacy.clip_norm"));
  CHECK_THAT(error_of(with({"privacy.clip_norm=inf"})), Catch::Contains("privacy.clip_norm"));
  CHECK_THAT(error_of(with({"privacy.noise_multiplier=-1.0"})), Catch::Contains("privacy.noise_multiplier"));
  CHECK_THAT(error_of(with({"privacy.delta=1.5"})), Catch::Contains("privacy.delta"));
  CHECK_THAT(error_of(with({"privacy.sampling=\"fixed-size\""})), Catch::Contains("privacy.sampling"));
  CHECK_THAT(error_of(with({"privacy.noise_multiplier=\"auto\"", "privacy.target_epsilon=0.001",
                            "privacy.delta=1e-10"})),
             Catch::Contains("privacy.target_epsilon"));
  CHECK_THAT(error_of(with({"privacy.noise_multiplier=0.0", "stop.privacy_budget=1.0"})),
             Catch::Contains("stop.privacy_budget"));
}

TEST_CASE("Weighted DP-FedAvg bounds each weight by 1 and keeps the uniform run's epsilon", "[privacy][federated]") {
  // kTwentyClients: 100 samples per client. Weights min(100 / 100, 1) = 1 over q W = 5 are the uniform
  // estimator exactly; a cap of 200 gives weights 1/2 and noise sigma C / 2 over q W = 2.5, the same model
  // bit for bit (halving and dividing by 2.5 = dividing by 5, both correctly rounded from the same real).
  const std::vector<std::string> weighted = {"privacy.mechanism=\"dp-fedavg\"", "algorithm.sampling=\"poisson\"",
                                             "algorithm.weighting=\"samples\"", "privacy.noise_multiplier=1.0"};
  const std::string uniform = run("dp_fedavg_uniform", with({"privacy.noise_multiplier=1.0"}));
  const std::string capped = run("dp_fedavg_weighted", weighted);
  std::vector<std::string> halved = weighted;
  halved.push_back("privacy.weight_cap=200.0");
  const std::string half = run("dp_fedavg_weighted_half", halved);
  CHECK(metrics_column(capped, "loss") == metrics_column(uniform, "loss"));
  CHECK(metrics_column(half, "loss") == metrics_column(uniform, "loss"));
  CHECK(summary_of(half)["privacy"]["weighted_denominator"].get<double>() == 2.5);
  CHECK(summary_of(half)["privacy"]["largest_weight"].get<double>() == 0.5);
  CHECK(summary_of(half)["privacy"]["epsilon"] == summary_of(uniform)["privacy"]["epsilon"]);
  // Unequal data (quantity skew): the weights matter, the epsilon does not change.
  std::vector<std::string> skewed = weighted;
  skewed.push_back("data.partition=\"quantity-skew\"");
  std::vector<std::string> skewed_uniform = with({"privacy.noise_multiplier=1.0", "data.partition=\"quantity-skew\""});
  const std::string by_samples = run("dp_fedavg_skew_weighted", skewed);
  const std::string by_client = run("dp_fedavg_skew_uniform", skewed_uniform);
  CHECK(metrics_column(by_samples, "loss") != metrics_column(by_client, "loss"));
  CHECK(summary_of(by_samples)["privacy"]["epsilon"] == summary_of(by_client)["privacy"]["epsilon"]);
  const double denominator = summary_of(by_samples)["privacy"]["weighted_denominator"].get<double>();
  CHECK(denominator > 0.0);
  CHECK(denominator < 5.0);  // q W < q N: every weight at most 1, the largest client's exactly 1
}

TEST_CASE("DP-FedAvg with adaptive clipping spends the same epsilon and reports z_Delta", "[privacy][federated]") {
  const std::string dir =
      run("dp_fedavg_adaptive", with({"privacy.noise_multiplier=1.0", "privacy.delta=1e-3", "privacy.clipping=\"adaptive\"",
                                      "privacy.count_noise=2.0"}));
  const auto summary = summary_of(dir);
  const auto& privacy = summary["privacy"];
  CHECK(privacy["clipping"] == "adaptive");
  CHECK(privacy["update_noise_multiplier"].get<double>() == Approx(1.0 / std::sqrt(1.0 - 1.0 / 16.0)));
  CHECK(privacy["epsilon"].get<double>() == Approx(sampled_gaussian_epsilon(0.25, 1.0, 30, 1e-3)).epsilon(1e-12));
  CHECK(summary["federated"]["dp_clip_norm_final"].get<double>() != 1.0);
  // count_noise auto is K / 20 = 0.25: too small for noise multiplier 1.
  CHECK_THAT(error_of(with({"privacy.noise_multiplier=1.0", "privacy.clipping=\"adaptive\""})),
             Catch::Contains("privacy.count_noise"));
  CHECK_THAT(error_of(with({"privacy.clipping=\"adaptive\"", "privacy.clip_norm=inf", "privacy.noise_multiplier=0.0"})),
             Catch::Contains("privacy.clip_norm"));
  CHECK_THAT(error_of({"privacy.mechanism=\"dp-sgd\"", "privacy.clipping=\"adaptive\""}),
             Catch::Contains("privacy.clipping"));
}
