#include "scenario/secure_aggregation_section.hpp"

#include <fmt/core.h>

#include <stdexcept>

#include "robust/byzantine_attack.hpp"
#include "scenario/experiment_builder.hpp"

namespace dlsim {

std::vector<KeySpec> secure_aggregation_keys() {
  return {
      choice_spec("protocol", {"none", "secagg", "secagg+"}, "none",
                  "none; secagg: Bonawitz et al. (CCS 2017), every client masks with every other; secagg+: Bell et "
                  "al. (CCS 2020), each with k neighbours of a Harary graph. Modelled by its messages, sizes, "
                  "compute and dropouts (synchronous federated kinds)"),
      key_spec("threshold", ValueType::real, "0.5",
               "t, the clients every secure aggregation round needs (fewer: the round is abandoned): a fraction "
               "in (0, 1) of the selected clients (rounded up), or a whole count >= 1",
               0),
      key_spec("key_bits", ValueType::integer, "256", "bits of a public key (two per client)", 1, 65536),
      key_spec("share_bits", ValueType::integer, "256", "bits of a Shamir share (an element of the secrets' field)",
               1, 65536),
      key_spec("ring_bits", ValueType::integer, "32",
               "b: masked values live in Z_(2^b); the masked upload carries b bits per value instead of fp64's 64",
               1, 64),
      key_spec("neighbours", ValueType::integer, "0",
               "secagg+: k, the neighbours of each client (even); 0: the smallest even k >= neighbourhood_factor "
               "log2 n; capped at n - 1",
               0, 1e9),
      key_spec("neighbourhood_factor", ValueType::real, "3.0", "secagg+: c in k = c log2 n (> 0)", 0),
  };
}

void read_secure_aggregation(const Scenario& scenario, bool synchronous, const std::string& who,
                             FederatedConfig& config) {
  SecureAggregationConfig& secure = config.secure_aggregation;
  secure.protocol = parse_protocol(scenario.text("secure_aggregation.protocol"));
  if (!secure.active()) return;
  if (!synchronous)
    fail_at_key(scenario, "secure_aggregation.protocol",
                fmt::format("{} has no secure aggregation (the synchronous kinds have: fedavg, fedprox, scaffold, "
                            "fednova)",
                            who));
  secure.threshold = scenario.real("secure_aggregation.threshold");
  secure.key_bits = static_cast<std::uint32_t>(scenario.integer("secure_aggregation.key_bits"));
  secure.share_bits = static_cast<std::uint32_t>(scenario.integer("secure_aggregation.share_bits"));
  secure.ring_bits = static_cast<std::uint32_t>(scenario.integer("secure_aggregation.ring_bits"));
  secure.neighbours = static_cast<std::uint32_t>(scenario.integer("secure_aggregation.neighbours"));
  secure.neighbourhood_factor = scenario.real("secure_aggregation.neighbourhood_factor");
  try {
    validate(secure);
  } catch (const std::invalid_argument& error) {
    const std::string what = error.what();
    const std::string key = what.substr(0, what.find(' '));
    fail_at_key(scenario, "secure_aggregation." + key, what);
  }
  // What the server cannot do when it sees only the sum of masked updates.
  const std::string refusal = fmt::format("secure_aggregation.protocol = \"{}\" gives the server only the sum",
                                          protocol_name(secure.protocol));
  // Main's features that do not compose with it (yet): each refusal names its key.
  if (config.cohort.probe)
    fail_at_key(scenario, "algorithm.probe",
                refusal + ": the probe's cohort and its held x_t are not wired into the secure aggregation "
                          "rounds (use probe = false)");
  if (config.ef21)
    fail_at_key(scenario, "algorithm.error_feedback",
                refusal + ": ef21 keeps each client's estimate at the server, which needs each compressed "
                          "update (use error_feedback = false)");
  if (scenario.text("privacy.mechanism") == "dp-fedavg")
    fail_at_key(scenario, "privacy.mechanism",
                refusal + ": dp-fedavg clips each update at the server before it adds noise (a distributed "
                          "DP with client-side noise is not modelled)");
  if (config.robust_aggregator)
    fail_at_key(scenario, "aggregator.kind",
                refusal + ": a robust aggregator needs each update (use kind = \"mean\")");
  if (!config.byzantine.empty() && attack_uses_honest(config.attack.kind))
    fail_at_key(scenario, "byzantine.attack",
                refusal + ": an attack that reads the honest updates at the server cannot see them");
  if (config.uplink_compressor)
    fail_at_key(scenario, "compression.kind",
                refusal + ": masks need dense vectors in a common ring (ring_bits per value), not compressed ones");
  if (config.late_updates != LateUpdates::drop)
    fail_at_key(scenario, "algorithm.late_updates",
                refusal + " of one round's masked updates: a late update cannot be unmasked in a later round");
}

void refuse_secure_aggregation(const Scenario& scenario, const std::string& who) {
  if (scenario.text("secure_aggregation.protocol") != "none")
    fail_at_key(scenario, "secure_aggregation.protocol",
                fmt::format("{} has no server to aggregate securely (federated synchronous kinds only)", who));
}

}  // namespace dlsim
