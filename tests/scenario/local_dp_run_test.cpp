// privacy.mechanism = "local-dp" in runs: without clipping or noise it is
// the plain run bit for bit (gossip and federated uploads), the epsilon is
// the Gaussian mechanism's over the messages a node sent (sensitivity 2C,
// q = 1), noise costs accuracy, runs are bit-identical for 1 and 2 threads,
// and what it cannot protect is refused naming the key.
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
  return test::refusal_of(text, overrides, "local_dp_refused");
}

// The Gaussian mechanism's epsilon for T messages of noise multiplier s = sigma / 2, improved conversion,
// minimised over the default orders (computed here, not by the accountant).
double closed_form_epsilon(double sigma, double messages, double delta) {
  const double s = sigma / 2.0;
  double best = INFINITY;
  for (const double alpha : default_renyi_orders()) {
    if (alpha <= 1.01) continue;
    const double rdp = messages * alpha / (2 * s * s);
    best = std::min(best, rdp + std::log1p(-1.0 / alpha) - std::log(delta * alpha) / (alpha - 1.0));
  }
  return best;
}

}  // namespace

TEST_CASE("Local DP without clipping or noise is the plain run bit for bit", "[privacy][local-dp][run]") {
  for (const std::string& text : {kRing, dlsim::test::kTwentyClients}) {
    const std::string plain = run_scenario_text("local_dp_plain", text, {});
    const std::string identity = run_scenario_text("local_dp_identity", text,
                                     {"privacy.mechanism=\"local-dp\"", "privacy.clip_norm=inf",
                                      "privacy.noise_multiplier=0.0"});
    CHECK(metrics_column(plain, "loss") == metrics_column(identity, "loss"));
    CHECK(metrics_column(plain, "bits_sent") == metrics_column(identity, "bits_sent"));
    CHECK(summary_of(identity)["privacy"]["epsilon"].is_null());
  }
}

TEST_CASE("Local DP's epsilon is the Gaussian mechanism's over each node's messages", "[privacy][local-dp][run]") {
  // Gossip: one message a round, 40 rounds.
  const std::string ring = run_scenario_text("local_dp_ring", kRing,
                               {"privacy.mechanism=\"local-dp\"", "privacy.clip_norm=0.5",
                                "privacy.noise_multiplier=8.0", "privacy.delta=1e-5"});
  const nlohmann::json block = summary_of(ring)["privacy"];
  CHECK(block["steps"] == 40);
  CHECK(block["accounted_noise_multiplier"].get<double>() == 4.0);
  CHECK(block["epsilon"].get<double>() == Approx(closed_form_epsilon(8.0, 40, 1e-5)).epsilon(1e-12));
  const auto epsilon = metrics_column(ring, "epsilon");
  REQUIRE(epsilon.size() == 5);
  CHECK(epsilon.back() == Approx(closed_form_epsilon(8.0, 40, 1e-5)).epsilon(1e-12));
  CHECK(epsilon[1] < epsilon[2]);
  // Federated: one upload per participation; the worst client's count is at most the rounds.
  const std::string federated = run_scenario_text("local_dp_federated", dlsim::test::kTwentyClients,
                                    {"privacy.mechanism=\"local-dp\"", "privacy.clip_norm=1.0",
                                     "privacy.noise_multiplier=4.0", "privacy.delta=1e-5"});
  const nlohmann::json fed = summary_of(federated)["privacy"];
  const double uploads = fed["steps"].get<double>();
  CHECK(uploads >= 1);
  CHECK(uploads <= 30);
  CHECK(uploads <= summary_of(federated)["federated"]["max_participations"].get<double>());
  CHECK(fed["epsilon"].get<double>() == Approx(closed_form_epsilon(4.0, uploads, 1e-5)).epsilon(1e-12));
}

TEST_CASE("Local DP noise costs accuracy and a target epsilon fixes sigma", "[privacy][local-dp][run]") {
  const std::string plain = run_scenario_text("local_dp_loss_plain", kRing, {});
  const std::string noisy = run_scenario_text("local_dp_loss_noisy", kRing,
                                {"privacy.mechanism=\"local-dp\"", "privacy.clip_norm=1.0",
                                 "privacy.noise_multiplier=2.0"});
  CHECK(metrics_column(noisy, "loss").back() > metrics_column(plain, "loss").back() + 1e-3);
  const std::string target = run_scenario_text("local_dp_target", kRing,
                                 {"privacy.mechanism=\"local-dp\"", "privacy.clip_norm=1.0",
                                  "privacy.noise_multiplier=\"auto\"", "privacy.target_epsilon=20.0",
                                  "privacy.delta=1e-5"});
  const nlohmann::json block = summary_of(target)["privacy"];
  CHECK(block["epsilon"].get<double>() <= 20.0);
  CHECK(block["epsilon"].get<double>() > 19.9);
  CHECK(closed_form_epsilon(block["noise_multiplier"].get<double>(), 40, 1e-5) <= 20.0);
}

TEST_CASE("Local DP runs are bit-identical for 1 and 2 threads", "[privacy][local-dp][run]") {
  const std::vector<std::string> overrides = {"privacy.mechanism=\"local-dp\"", "privacy.clip_norm=0.5",
                                              "privacy.noise_multiplier=1.0"};
  for (const std::string& text : {kRing, dlsim::test::kTwentyClients}) {
    const std::string one = run_scenario_text("local_dp_threads_1", text, overrides, 1);
    const std::string two = run_scenario_text("local_dp_threads_2", text, overrides, 2);
    CHECK(metrics_column(one, "loss") == metrics_column(two, "loss"));
    CHECK(metrics_column(one, "epsilon") == metrics_column(two, "epsilon"));
  }
}

TEST_CASE("Bad local DP input names the key", "[privacy][local-dp][run]") {
  const std::vector<std::string> on = {"privacy.mechanism=\"local-dp\""};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), on.begin(), on.end());
    return more;
  };
  CHECK_THAT(error_of(kRing, with({"algorithm.kind=\"choco-sgd\"", "compression.kind=\"top-k\"",
                                   "compression.ratio=0.5"})),
             Catch::Contains("privacy.mechanism") && Catch::Contains("model"));
  CHECK_THAT(error_of(kRing, with({"compression.kind=\"top-k\"", "compression.ratio=0.5"})),
             Catch::Contains("compression.kind"));
  CHECK_THAT(error_of(kRing, with({"privacy.clip_norm=0.0"})), Catch::Contains("privacy.clip_norm"));
  CHECK_THAT(error_of(kRing, with({"privacy.noise_multiplier=-1.0"})), Catch::Contains("privacy.noise_multiplier"));
  CHECK_THAT(error_of(kRing, with({"privacy.clip_norm=inf"})), Catch::Contains("privacy.clip_norm"));
  CHECK_THAT(error_of(kRing, with({"privacy.clipping=\"adaptive\""})), Catch::Contains("privacy.clipping"));
  CHECK_THAT(error_of(dlsim::test::kTwentyClients, with({"algorithm.kind=\"scaffold\""})),
             Catch::Contains("privacy.mechanism"));
  CHECK_THAT(error_of(dlsim::test::kTwentyClients, with({"algorithm.sampling=\"power-of-choice\""})),
             Catch::Contains("algorithm.sampling"));
}
