// Every decentralized algorithm by the name scenario files use, with what it
// needs from the rest of the experiment. The experiment builder checks a
// scenario against this table, so each rule is stated once.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "algorithms/decentralized/config.hpp"
#include "algorithms/decentralized/round_based.hpp"
#include "algorithms/round_snapshots.hpp"

namespace dlsim {

struct AlgorithmKind {
  std::string_view name;
  std::string_view help;        // one line, with the paper
  bool uses_gradients = true;   // trains a model on data (else: average consensus of the nodes' data)
  bool compresses = false;      // accepts compression.kind other than "none"
  bool unbiased_only = false;   // ... but only unbiased compressors
  bool time_varying = false;    // accepts a time-varying topology (one W per round)
  bool uses_gamma = false;      // has a consensus step size gamma
  // gamma may exceed 1 with exact messages: over-relaxed gossip
  // x <- x + gamma (W - I) x, stable below 2 / (1 - lambda_min(W)).
  bool relaxed_gamma = false;
  bool uses_local_steps = false;
  bool byzantine = false;       // simulates Byzantine nodes ([byzantine])
  bool robust_gossip = false;   // takes algorithm.robust_gossip
  bool synchronous = true;      // rounds that wait for messages (algorithm.round_timeout)
  bool rejoin_average = false;  // messages carry models: algorithm.rejoin = "average" can use them
  // Mixes with a column-stochastic W (push-sum weights): runs on a directed
  // graph. Every other kind needs a symmetric W and refuses one.
  bool directed = false;
  bool gossip_order = false;    // takes algorithm.order (d-psgd)
  bool quasi_global_momentum = false;  // takes algorithm.momentum_kind = "quasi-global"
  // Both ends of an edge keep state that must move in step (PowerGossip's
  // directions): every round must complete with every message, no round timeout.
  bool lockstep_edges = false;
  // D^2: converges only if every eigenvalue of W is above -1/3.
  bool needs_lambda_min_above_minus_third = false;
  bool model_messages = false;  // each message is exactly the sender's model: privacy.mechanism = "local-dp"
  // Builds the behaviour; std::invalid_argument for a config it cannot run.
  std::function<std::unique_ptr<DecentralizedAlgorithm>(DecentralizedConfig, RoundSnapshots*)> make;
};

// gossip, d-psgd, choco-gossip, choco-sgd, q1-gossip, q2-gossip, power-gossip, dcd-psgd,
// ecd-psgd, diging, exact-diffusion, d2, beer, local-sgd, ad-psgd, push-sum, sgp.
const std::vector<AlgorithmKind>& decentralized_algorithms();
// The kind called `name`; std::invalid_argument listing the kinds otherwise.
const AlgorithmKind& find_decentralized_algorithm(std::string_view name);

// The `order` parameter of d-psgd: "overlapped" or "gradient-then-gossip".
GossipOrder parse_gossip_order(std::string_view name);

// The `variant` parameter of choco-sgd: "icml2019" or "iclr2020".
ChocoVariant parse_choco_variant(std::string_view name);

}  // namespace dlsim
