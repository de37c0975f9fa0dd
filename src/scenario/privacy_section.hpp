// The [privacy] section: differential privacy for the gradients the nodes
// compute (dp-sgd) or for the federated clients' updates (dp-fedavg), and
// what the run's accountant reports. Read here for every family
// (the decentralized nodes and the federated clients both run DP-SGD), so the
// keys, the defaults and the checks are stated once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "privacy/dp_fedavg.hpp"
#include "privacy/dp_sgd.hpp"
#include "privacy/local_dp.hpp"
#include "privacy/privacy_ledger.hpp"
#include "scenario/scenario.hpp"
#include "scenario/schema.hpp"

namespace dlsim {

// The section's keys, with defaults, for the schema.
std::vector<KeySpec> privacy_keys();

// What the section resolved to, for the algorithms and the results files.
struct PrivacyChoice {
  std::string mechanism = "none";  // "none", "dp-sgd", "dp-fedavg", "local-dp"
  SamplePrivacy sample;            // dp-sgd: what the nodes' gradients do
  UserPrivacy user;                // dp-fedavg: what the federated server does
  MessagePrivacy message;          // local-dp: what every sender does to its messages
  double delta = 0;
  std::string delta_rule;          // how delta was chosen, for summary.json
  double target_epsilon = 0;       // > 0: the noise multiplier was found for it
  std::uint64_t planned_steps = 0;  // DP steps the busiest node may take in the whole run
  bool active() const { return mechanism != "none"; }
  // Where the run's DP steps are recorded (null: no noise, nothing claimed).
  const std::shared_ptr<PrivacyLedger>& ledger() const {
    return user.enabled ? user.ledger : message.enabled ? message.ledger : sample.ledger;
  }
};

// Reads and checks the section. `partition` holds each node's sample indices,
// `batch_size` the expected batch, `planned_steps` the most DP steps any node
// takes in the whole run (what target_epsilon is calibrated for; 0: unknown,
// then target_epsilon is refused), `computes_gradients` and `who` (the
// algorithm's name) for the refusals. Throws ScenarioError naming the key:
// clip_norm <= 0, a negative noise multiplier, noise with an infinite clip
// norm, delta outside (0, 1), a target epsilon no noise multiplier up to
// kMaxNoiseMultiplier reaches, fixed-size batches with noise (the accountant
// covers Poisson sampling only), generated samples, an algorithm without gradients.
PrivacyChoice read_privacy(const Scenario& scenario, const std::vector<std::vector<std::uint32_t>>& partition,
                           std::size_t batch_size, std::uint64_t planned_steps, bool computes_gradients,
                           bool generated_samples, const std::string& who);

// privacy.mechanism = "dp-fedavg": the section for the server of
// synchronous federated rounds over `clients` clients, clients_per_round K
// expected per round (q = K / clients), `rounds` rounds (the steps a target
// epsilon is calibrated for). Throws ScenarioError naming the key: clip_norm
// <= 0, noise with an infinite clip norm, delta outside (0, 1), an
// unreachable target, privacy.sampling other than "poisson". The algorithm's
// own conditions (Poisson cohorts, no deadline...) are the caller's to check.
PrivacyChoice read_user_privacy(const Scenario& scenario, std::uint32_t clients, std::uint32_t clients_per_round,
                                std::uint64_t rounds);

// privacy.mechanism = "local-dp": every one of `nodes` senders clips and
// noises its messages (privacy/local_dp.hpp); `planned_messages` is the most
// messages one node sends in the whole run (what a target epsilon is
// calibrated for; 0: unknown, then target_epsilon is refused) and
// `what_is_sent` names the message for summary.json ("model" or "update").
// Throws ScenarioError naming the key: clip_norm <= 0, a negative noise
// multiplier, noise with an infinite clip norm, delta outside (0, 1), an
// unreachable target, adaptive clipping. The algorithm's own conditions
// (messages that carry a model or an update, no compression...) are the
// caller's to check.
PrivacyChoice read_message_privacy(const Scenario& scenario, std::uint32_t nodes, std::uint64_t planned_messages,
                                   const std::string& who, const std::string& what_is_sent);

// dp-fedavg with algorithm.weighting = "samples": McMahan et al.'s weighted
// estimator. w_k = min(n_k / w_hat, 1) from each client's sample count n_k
// (public: the server knows them), w_hat = privacy.weight_cap ("auto": the
// largest n_k, so w_k = n_k / max n); the sum is divided by q W = K W / N.
// Throws ScenarioError naming privacy.weight_cap when it is not > 0.
void weigh_user_privacy(const Scenario& scenario, const std::vector<std::size_t>& samples,
                        std::uint32_t clients_per_round, PrivacyChoice& choice);

// summary.json's "privacy" block: the mechanism and its parameters, the
// final (epsilon, delta) of the worst node with the Renyi order attaining it,
// the steps it took, and the accountant with its assumptions.
nlohmann::json privacy_summary(const PrivacyChoice& choice);

}  // namespace dlsim
