// The [secure_aggregation] section: the cost of secure aggregation in the
// synchronous federated rounds (algorithms/federated/secure_aggregation.hpp).
#pragma once

#include <string>
#include <vector>

#include "algorithms/federated/config.hpp"
#include "scenario/scenario.hpp"
#include "scenario/schema.hpp"

namespace dlsim {

// The section's keys, with defaults, for the schema.
std::vector<KeySpec> secure_aggregation_keys();

// Reads the section into config.secure_aggregation, after the compressors,
// the aggregator and the Byzantine clients are read. `synchronous`: whether
// the kind `who` runs synchronous rounds. Throws ScenarioError naming the key
// for what the server cannot do when it sees only the sum.
void read_secure_aggregation(const Scenario& scenario, bool synchronous, const std::string& who,
                             FederatedConfig& config);

// Refuses the section for an algorithm without a server (decentralized).
void refuse_secure_aggregation(const Scenario& scenario, const std::string& who);

}  // namespace dlsim
