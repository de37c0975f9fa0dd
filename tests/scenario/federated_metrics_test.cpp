// The federated run's fairness and cost figures, from scenario files: the
// client accuracy distribution (on equal shards its mean is the training
// accuracy, exactly what one pass over the whole set counts), the rounds,
// time and bits to a target accuracy (the first evaluation row that reaches
// it; null when none does), the bits per client (mean x clients that
// communicated = the totals), the participation counts (their sum is the
// participants column's), and all of it bit-identical for 1 and 2 threads.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "federated_clients.hpp"
#include "run_files.hpp"
#include "scenario/experiment.hpp"

using namespace dlsim;
using dlsim::test::csv_column;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

RunSummary run(const std::string& name, const std::vector<std::string>& overrides,
               int threads = 1) {
  // The shared 20 clients, with a metrics row every 2 rounds.
  std::vector<std::string> all{"metrics.every_rounds=2"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  const Scenario scenario =
      parse_scenario(dlsim::test::kTwentyClients, "federated-metrics.toml", all, scenario_schema());
  return run_scenario(scenario, RunOptions{out_dir(name), threads, true, false, {}});
}

std::vector<double> column(const std::string& name, const std::string& column_name) {
  std::vector<double> values = csv_column(out_dir(name) + "/metrics.csv", column_name);
  REQUIRE(!values.empty());
  return values;
}

nlohmann::json summary_of(const std::string& name) {
  return nlohmann::json::parse(read_file(out_dir(name) + "/summary.json"));
}

}  // namespace

TEST_CASE("federated client accuracy over equal shards has the training accuracy as its mean",
          "[federated]") {
  REQUIRE(run("federated_client_accuracy", {}).status == RunStatus::completed);
  const auto mean = column("federated_client_accuracy", "client_accuracy_mean");
  const auto p10 = column("federated_client_accuracy", "client_accuracy_p10");
  const auto train = column("federated_client_accuracy", "train_accuracy");
  REQUIRE(mean.size() == train.size());
  for (std::size_t row = 0; row < mean.size(); ++row) {
    // Every client has 100 samples: (1/20) sum_i c_i / 100 = sum_i c_i / 2000.
    CHECK(mean[row] == Approx(train[row]).margin(1e-12));
    CHECK(p10[row] <= mean[row] + 1e-12);
    // p10 is one client's accuracy: a whole number of its 100 samples.
    CHECK(std::abs(p10[row] * 100 - std::round(p10[row] * 100)) < 1e-9);
  }
  // The sorted partition leaves some clients worse served than the mean at the end.
  CHECK(p10.back() < mean.back());
  // Off: no columns.
  REQUIRE(run("federated_client_accuracy_off", {"metrics.client_accuracy_sample=0"}).status ==
          RunStatus::completed);
  CHECK(
      csv_column(out_dir("federated_client_accuracy_off") + "/metrics.csv", "client_accuracy_mean")
          .empty());
  CHECK(!csv_column(out_dir("federated_client_accuracy_off") + "/metrics.csv", "train_accuracy")
             .empty());
}

TEST_CASE(
    "federated rounds, time and bits to a target accuracy are the first evaluation row reaching it",
    "[federated]") {
  const RunSummary summary = run("federated_target_accuracy", {"metrics.target_accuracy=0.7"});
  REQUIRE(summary.status == RunStatus::completed);
  CHECK(summary.final.at("round") == 30);  // a reporting target: the run goes on
  const auto accuracy = column("federated_target_accuracy", "test_accuracy");
  std::size_t first = 0;
  while (first < accuracy.size() && accuracy[first] < 0.7) ++first;
  REQUIRE(first > 0);  // not at the initial model
  REQUIRE(first < accuracy.size());
  CHECK(summary.final.at("rounds_to_target_accuracy") ==
        column("federated_target_accuracy", "round")[first]);
  CHECK(summary.final.at("time_to_target_accuracy_s") ==
        column("federated_target_accuracy", "time_s")[first]);
  CHECK(summary.final.at("bits_to_target_accuracy") ==
        column("federated_target_accuracy", "bits_sent")[first]);
  // Never reached: null in summary.json, and the run still completes.
  REQUIRE(run("federated_target_unreached", {"metrics.target_accuracy=1.0"}).status ==
          RunStatus::completed);
  const auto final = summary_of("federated_target_unreached").at("final");
  for (const char* name :
       {"rounds_to_target_accuracy", "time_to_target_accuracy_s", "bits_to_target_accuracy"})
    CHECK(final.at(name).is_null());
  // A model without accuracy cannot report one: bad input, naming the key, nothing written.
  const std::string refused = out_dir("federated_target_refused");
  std::filesystem::remove_all(refused);
  CHECK_THROWS_WITH(
      run("federated_target_refused", {"metrics.target_accuracy=0.5", "model.kind=least-squares"}),
      Catch::Contains("metrics.target_accuracy") && Catch::Contains("least-squares"));
  CHECK(!std::filesystem::exists(refused));
}

TEST_CASE("federated bits per client times the clients that communicated are the totals",
          "[federated]") {
  // Over-commitment and a deadline: some clients are sent the model and never aggregated.
  const RunSummary summary =
      run("federated_bits_per_client",
          {"metrics.every_rounds=1", "algorithm.over_commit=0.4", "algorithm.round_deadline=8ms",
           "compute.speed=lognormal", "compute.speed_sigma=1.0", "compute.flops_per_second=1e7"});
  REQUIRE(summary.status == RunStatus::completed);
  const auto federated = summary_of("federated_bits_per_client").at("federated");
  const double communicated = federated.at("clients_communicated").get<double>();
  REQUIRE(communicated > 0);
  CHECK(communicated <= 20);
  CHECK(federated.at("bits_up_per_client_mean").get<double>() * communicated ==
        Approx(summary.final.at("bits_up")).epsilon(1e-12));
  CHECK(federated.at("bits_down_per_client_mean").get<double>() * communicated ==
        Approx(summary.final.at("bits_down")).epsilon(1e-12));
  CHECK(federated.at("bits_up_per_client_max").get<double>() >=
        federated.at("bits_up_per_client_mean").get<double>());
  // d = 10: every model sent is 64 + 64 d = 704 bits.
  const double most_down = federated.at("bits_down_per_client_max").get<double>();
  CHECK(most_down >= federated.at("bits_down_per_client_mean").get<double>());
  CHECK(std::fmod(most_down, 704.0) == 0);
  // Participation: the aggregated updates are the participants of every round.
  double participants = 0;
  for (double value : column("federated_bits_per_client", "participants")) participants += value;
  CHECK(federated.at("updates_aggregated").get<double>() == participants);
  CHECK(federated.at("clients_participated").get<double>() <= communicated);
  CHECK(federated.at("max_participations").get<double>() <= 30);
  CHECK(federated.at("max_participations").get<double>() *
            federated.at("clients_participated").get<double>() >=
        participants);
  CHECK(federated.at("dropped_deadline").get<double>() + federated.at("surplus").get<double>() > 0);
}

TEST_CASE("federated client accuracy and target figures are bit-identical for 1 and 2 threads",
          "[federated]") {
  // A sample of 7 of the 20 clients, random cohorts, lognormal speeds.
  const std::vector<std::string> overrides{"metrics.client_accuracy_sample=7",
                                           "metrics.target_accuracy=0.7", "compute.speed=lognormal",
                                           "compute.jitter_sigma=0.3", "algorithm.over_commit=0.4"};
  std::string reference_metrics;
  nlohmann::json reference_final;
  for (int threads : {1, 2}) {
    const std::string name = "federated_metrics_threads_" + std::to_string(threads);
    REQUIRE(run(name, overrides, threads).status == RunStatus::completed);
    const std::string metrics = read_file(out_dir(name) + "/metrics.csv");
    const nlohmann::json final = summary_of(name).at("final");
    if (reference_metrics.empty()) {
      reference_metrics = metrics;
      reference_final = final;
    }
    CHECK(metrics == reference_metrics);
    CHECK(final == reference_final);
    CHECK(!column(name, "client_accuracy_p10").empty());
  }
}
