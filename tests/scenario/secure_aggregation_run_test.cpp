// The [secure_aggregation] section in runs: the model (so the loss) is the
// plain run's, the time and bits are not, the columns are there, and what
// the server cannot do under secure aggregation is refused naming the key.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "federated_clients.hpp"
#include "run_files.hpp"
#include "scenario/experiment.hpp"

using namespace dlsim;
using dlsim::test::metrics_column;
using dlsim::test::out_dir;

namespace {

std::string run(const std::string& name, const std::vector<std::string>& overrides, int threads = 1) {
  const std::string dir = out_dir(name);
  run_scenario(parse_scenario(dlsim::test::kTwentyClients, name + ".toml", overrides, scenario_schema()),
               RunOptions{dir, threads, true});
  return dir;
}

std::string error_of(const std::vector<std::string>& overrides) {
  try {
    run_scenario(parse_scenario(dlsim::test::kTwentyClients, "refused.toml", overrides, scenario_schema()),
                 RunOptions{out_dir("secure_aggregation_refused"), 1, true});
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("secure aggregation runs keep the plain model and cost time and bits", "[secure_aggregation][run]") {
  const std::string plain = run("secagg_plain", {});
  for (const std::string protocol : {"secagg", "secagg+"}) {
    const std::string secure = run("secagg_" + protocol, {"secure_aggregation.protocol=\"" + protocol + "\""});
    const std::string two = run("secagg2_" + protocol, {"secure_aggregation.protocol=\"" + protocol + "\""}, 2);
    CHECK(metrics_column(secure, "loss") == metrics_column(plain, "loss"));
    CHECK(metrics_column(secure, "loss") == metrics_column(two, "loss"));
    CHECK(metrics_column(secure, "time_s") == metrics_column(two, "time_s"));
    const auto bits = metrics_column(secure, "secagg_bits"), seconds = metrics_column(secure, "secagg_s");
    REQUIRE(bits.size() == 4);
    CHECK(bits.back() > bits[1]);
    CHECK(seconds.back() > 0);
    CHECK(metrics_column(secure, "time_s").back() > metrics_column(plain, "time_s").back());
  }
}

TEST_CASE("secure aggregation refuses what the server cannot do, naming the key", "[secure_aggregation][run]") {
  const std::string on = "secure_aggregation.protocol=\"secagg\"";
  CHECK_THAT(error_of({on, "aggregator.kind=\"median\""}), Catch::Contains("aggregator.kind"));
  CHECK_THAT(error_of({on, "compression.kind=\"top-k\"", "compression.k=2"}), Catch::Contains("compression.kind"));
  CHECK_THAT(error_of({on, "algorithm.late_updates=\"stale\""}), Catch::Contains("algorithm.late_updates"));
  // Main's features that do not compose with it: each names its key, and the refusal is secure aggregation's.
  const std::string sum = "gives the server only the sum";
  const std::string probe =
      error_of({on, "algorithm.sampling=\"power-of-choice\"", "algorithm.probe=true"});
  CHECK_THAT(probe, Catch::Contains("algorithm.probe") && Catch::Contains(sum));
  // (ef21 needs an uplink compressor, which secure aggregation refuses too: ef21 is named first.)
  const std::string ef21 =
      error_of({on, "algorithm.error_feedback=\"ef21\"", "compression.kind=\"top-k\"", "compression.k=2"});
  CHECK_THAT(ef21, Catch::Contains("algorithm.error_feedback") && Catch::Contains(sum));
  const std::string dp = error_of({on, "privacy.mechanism=\"dp-fedavg\"", "algorithm.sampling=\"poisson\""});
  CHECK_THAT(dp, Catch::Contains("privacy.mechanism") && Catch::Contains(sum));
  CHECK_THAT(error_of({on, "secure_aggregation.threshold=2.5"}), Catch::Contains("secure_aggregation.threshold"));
  CHECK_THAT(error_of({"secure_aggregation.protocol=\"secagg+\"", "secure_aggregation.neighbours=3"}),
             Catch::Contains("secure_aggregation.neighbours"));
  // A decentralized algorithm has no server.
  const std::string ring = R"(
    nodes = 4
    [data]
    samples = 40
    features = 3
    [algorithm]
    kind = "d-psgd"
    [secure_aggregation]
    protocol = "secagg"
  )";
  std::string error;
  try {
    run_scenario(parse_scenario(ring, "ring.toml", {}, scenario_schema()),
                 RunOptions{out_dir("secure_aggregation_ring"), 1, true});
  } catch (const ScenarioError& refused) {
    error = refused.what();
  }
  CHECK_THAT(error, Catch::Contains("secure_aggregation.protocol"));
}

TEST_CASE("summary.json counts secure aggregation's rounds, exchanges, bits, time, drops and failures",
          "[secure_aggregation][run]") {
  // kTwentyClients: 30 rounds of 5 clients, no drops: every round runs advertise, share and unmask.
  const std::string dir = run("secagg_summary", {"secure_aggregation.protocol=\"secagg\""});
  const nlohmann::json federated = nlohmann::json::parse(dlsim::test::read_file(dir + "/summary.json"))["federated"];
  CHECK(federated["secagg_rounds"] == 30);
  CHECK(federated["secagg_exchanges"] == 90);
  CHECK(federated["secagg_rounds_failed"] == 0);
  CHECK(federated["secagg_dropped_key_rounds"] == 0);
  CHECK(federated["secagg_dropped_masked"] == 0);
  // The total also counts the unmasking answers past the t needed that arrive after the last row.
  CHECK(federated["secagg_bits"].get<double>() >= metrics_column(dir, "secagg_bits").back());
  CHECK(federated["secagg_bits"].get<double>() < 1.01 * metrics_column(dir, "secagg_bits").back());
  CHECK(federated["secagg_seconds"].get<double>() > 0);
  CHECK(federated["secagg_client_flops"].get<double>() > 0);
  CHECK(federated["secagg_server_flops"].get<double>() > 0);
  // A threshold above the cohort: every round fails in the advertise round (5 answers < 6 needed).
  const std::string failing = run("secagg_summary_failing", {"secure_aggregation.protocol=\"secagg\"",
                                                             "secure_aggregation.threshold=6"});
  const nlohmann::json failed =
      nlohmann::json::parse(dlsim::test::read_file(failing + "/summary.json"))["federated"];
  CHECK(failed["secagg_rounds"] == 30);
  CHECK(failed["secagg_rounds_failed"] == 30);
  CHECK(failed["rounds_abandoned"] == 30);
  CHECK(failed["secagg_exchanges"] == 30);
}
