// What a Byzantine node sends, by attack name and parameters, for every family:
// the decentralized rounds call it for each message an attacker makes, the
// federated server will call it for each Byzantine client's update. The
// attack functions themselves are in attacks.hpp; this adds the choice of
// attack, its parameters and what it needs to see.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "robust/aggregator.hpp"
#include "sim/random.hpp"

namespace dlsim {

enum class AttackKind {
  none,                  // crash / silent: sends nothing
  gaussian,              // N(0, sigma^2) per coordinate
  sign_flip,             // -scale * own honest vector
  scaled_negative_mean,  // -scale * mean of the honest vectors seen
  ipm,                   // -epsilon * mean of the honest vectors seen (Xie, Koyejo, Gupta, UAI 2020)
  alie,                  // mean - z * std of the honest vectors seen (Baruch et al., NeurIPS 2019)
  bit_flip,              // own honest vector with each bit flipped with probability `probability`
  label_flip,            // trains honestly on flipped labels: a data attack, sends its honest vector
  dissensus,             // per receiver, pushes it away from its honest neighbours (He, Karimireddy, Jaggi 2022)
  min_max,               // Shejwalkar & Houmansadr, NDSS 2021
  min_sum,
  mimic,                 // copies one honest vector (Karimireddy, He, Jaggi, ICLR 2022)
};

// The names scenario files use, in enum order: "none", "gaussian", "sign-flip", ...
std::span<const std::string_view> attack_names();
std::string_view attack_name(AttackKind kind);
// std::invalid_argument listing the names for an unknown one.
AttackKind parse_attack(std::string_view name);

// Whether the attack's vector depends on the honest vectors of the round
// (the statistics attacks, dissensus); an omniscient attacker waits for them.
bool attack_uses_honest(AttackKind kind);
// Whether the attack draws random numbers (gaussian, bit-flip): with
// per-receiver messages, each receiver then gets its own draw.
bool attack_is_random(AttackKind kind);

struct AttackConfig {
  AttackKind kind = AttackKind::none;
  double sigma = 1.0;        // gaussian
  double scale = 1.0;        // sign-flip, scaled-negative-mean
  double epsilon = 0.1;      // ipm, dissensus
  double z = 1.0;            // alie (resolved: "auto" is alie_z(n, f) at build time)
  double probability = 0.01; // bit-flip: per bit
  bool omniscient = true;    // sees the honest vectors of this round (else: of the previous round)
  bool per_receiver = false; // random attacks: one independent draw per receiver
};

// The vector a Byzantine node sends for every kind except none, label-flip
// and dissensus (those are handled by the caller: nothing, the honest vector,
// a per-receiver vector). `own` is the attacker's honest vector, `honest` the
// honest vectors it sees (never empty: the caller passes {own} when it sees
// none). Draws from `rng` for gaussian and bit-flip only. O(n d), min-max and
// min-sum O(n^2 d) per search step.
Eigen::VectorXd byzantine_vector(const AttackConfig& attack, VectorView own, std::span<const VectorView> honest,
                                 RandomStream& rng);

// A one-line description for summaries: "alie(z=1.23, omniscient)", "none".
std::string describe_attack(const AttackConfig& attack);

}  // namespace dlsim
