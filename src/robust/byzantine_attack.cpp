// Attacks by name; see byzantine_attack.hpp.
#include "robust/byzantine_attack.hpp"

#include <fmt/core.h>

#include <array>
#include <stdexcept>

#include "robust/attacks.hpp"

namespace dlsim {
namespace {

constexpr std::array<std::string_view, 12> kNames{"none",      "gaussian", "sign-flip",  "scaled-negative-mean",
                                                   "ipm",       "alie",     "bit-flip",   "label-flip",
                                                   "dissensus", "min-max",  "min-sum",    "mimic"};

}  // namespace

std::span<const std::string_view> attack_names() { return kNames; }

std::string_view attack_name(AttackKind kind) { return kNames[static_cast<std::size_t>(kind)]; }

AttackKind parse_attack(std::string_view name) {
  std::string names;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<AttackKind>(i);
    names += (i == 0 ? "" : ", ") + std::string(kNames[i]);
  }
  throw std::invalid_argument(fmt::format("unknown attack \"{}\" (one of: {})", name, names));
}

bool attack_uses_honest(AttackKind kind) {
  switch (kind) {
    case AttackKind::scaled_negative_mean:
    case AttackKind::ipm:
    case AttackKind::alie:
    case AttackKind::dissensus:
    case AttackKind::min_max:
    case AttackKind::min_sum:
    case AttackKind::mimic: return true;
    default: return false;
  }
}

bool attack_is_random(AttackKind kind) { return kind == AttackKind::gaussian || kind == AttackKind::bit_flip; }

Eigen::VectorXd byzantine_vector(const AttackConfig& attack, VectorView own, std::span<const VectorView> honest,
                                 RandomStream& rng) {
  switch (attack.kind) {
    case AttackKind::gaussian: return attack_gaussian(own.size(), 0.0, attack.sigma, rng);
    case AttackKind::sign_flip: return attack_sign_flip(own, attack.scale);
    case AttackKind::scaled_negative_mean: return attack_negative_mean(honest, attack.scale);
    case AttackKind::ipm: return attack_ipm(honest, attack.epsilon);
    case AttackKind::alie: return attack_alie(honest, attack.z);
    case AttackKind::bit_flip: {
      Eigen::VectorXd out = robust_detail::as_eigen(own);
      flip_bits(std::span<double>(out.data(), static_cast<std::size_t>(out.size())), attack.probability, rng);
      return out;
    }
    case AttackKind::min_max:
      return attack_min_max(honest, MinMaxObjective::min_max, PerturbationDirection::inverse_std).vector;
    case AttackKind::min_sum:
      return attack_min_max(honest, MinMaxObjective::min_sum, PerturbationDirection::inverse_std).vector;
    case AttackKind::mimic: return attack_mimic(honest);
    case AttackKind::none:
    case AttackKind::label_flip:
    case AttackKind::dissensus: break;
  }
  throw std::logic_error(fmt::format("byzantine_vector: attack {} makes no vector of its own", attack_name(attack.kind)));
}

std::string describe_attack(const AttackConfig& attack) {
  std::string parameters;
  switch (attack.kind) {
    case AttackKind::gaussian: parameters = fmt::format("sigma={}", attack.sigma); break;
    case AttackKind::sign_flip:
    case AttackKind::scaled_negative_mean: parameters = fmt::format("scale={}", attack.scale); break;
    case AttackKind::ipm:
    case AttackKind::dissensus: parameters = fmt::format("epsilon={}", attack.epsilon); break;
    case AttackKind::alie: parameters = fmt::format("z={}", attack.z); break;
    case AttackKind::bit_flip: parameters = fmt::format("probability={}", attack.probability); break;
    default: break;
  }
  if (attack_uses_honest(attack.kind))
    parameters += fmt::format("{}{}", parameters.empty() ? "" : ", ", attack.omniscient ? "omniscient" : "previous round");
  if (attack.per_receiver && attack_is_random(attack.kind)) parameters += ", per receiver";
  if (parameters.empty()) return std::string(attack_name(attack.kind));
  return fmt::format("{}({})", attack_name(attack.kind), parameters);
}

}  // namespace dlsim
