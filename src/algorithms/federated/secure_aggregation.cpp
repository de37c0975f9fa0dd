// Secure aggregation's sizes and costs; see secure_aggregation.hpp.
#include "algorithms/federated/secure_aggregation.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dlsim {
namespace {

// Modelling constants, in flops of the compute model. An X25519 key
// agreement (or key generation) takes about 1.5e5 cycles; at a few flops per
// cycle that is of the order of 1e6 flops.
constexpr double kKeyAgreementFlops = 1.0e6;
// A multiplication in a 256-bit prime field: a few dozen 64-bit operations.
constexpr double kFieldMultiplicationFlops = 64;

// Masks are expanded by a PRG (AES-CTR): about one operation per byte of
// mask, plus the addition in the ring.
double prg_flops_per_value(std::uint32_t ring_bits) { return static_cast<double>(ring_bits) / 8.0 + 1.0; }

}  // namespace

std::string_view protocol_name(SecureAggregationProtocol protocol) {
  switch (protocol) {
    case SecureAggregationProtocol::none: return "none";
    case SecureAggregationProtocol::secagg: return "secagg";
    case SecureAggregationProtocol::secagg_plus: return "secagg+";
  }
  return "none";
}

SecureAggregationProtocol parse_protocol(std::string_view name) {
  if (name == "none") return SecureAggregationProtocol::none;
  if (name == "secagg") return SecureAggregationProtocol::secagg;
  if (name == "secagg+") return SecureAggregationProtocol::secagg_plus;
  throw std::invalid_argument(fmt::format("unknown protocol \"{}\" (none, secagg or secagg+)", name));
}

void validate(const SecureAggregationConfig& config) {
  const double t = config.threshold;
  if (!std::isfinite(t) || t <= 0 || (t > 1 && t != std::floor(t)))
    throw std::invalid_argument(
        fmt::format("threshold must be a fraction in (0, 1) or a whole count >= 1, got {}", t));
  if (config.key_bits < 1) throw std::invalid_argument("key_bits must be at least 1");
  if (config.share_bits < 1) throw std::invalid_argument("share_bits must be at least 1");
  if (config.ring_bits < 1 || config.ring_bits > 64)
    throw std::invalid_argument(fmt::format("ring_bits must be in [1, 64], got {}", config.ring_bits));
  if (config.neighbours % 2 != 0)
    throw std::invalid_argument(
        fmt::format("neighbours must be even (a Harary graph's degree), got {}", config.neighbours));
  if (!std::isfinite(config.neighbourhood_factor) || config.neighbourhood_factor <= 0)
    throw std::invalid_argument(
        fmt::format("neighbourhood_factor must be positive, got {}", config.neighbourhood_factor));
}

std::uint32_t survivors_needed(double threshold, std::uint32_t selected) {
  const double count =
      threshold >= 1 ? threshold : std::ceil(threshold * static_cast<double>(selected) * (1 - 1e-12));
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(count));
}

SecureAggregationPlan::SecureAggregationPlan(const SecureAggregationConfig& config, std::uint32_t selected,
                                             std::uint32_t n, std::size_t dimension)
    : config_(config), n_(n), d_(dimension), threshold_(survivors_needed(config.threshold, selected)) {
  const std::uint32_t everyone = n > 0 ? n - 1 : 0;
  neighbours_ = everyone;
  if (config.protocol == SecureAggregationProtocol::secagg_plus) {
    std::uint32_t k = config.neighbours;
    if (k == 0) {
      const double wanted = config.neighbourhood_factor * std::log2(std::max<double>(n, 2));
      k = 2 * static_cast<std::uint32_t>(std::ceil(wanted / 2));
    }
    neighbours_ = std::min(k, everyone);
  }
  const double fraction = config.threshold >= 1
                              ? std::min(1.0, config.threshold / std::max<double>(selected, 1))
                              : config.threshold;
  share_threshold_ = std::clamp<std::uint32_t>(
      static_cast<std::uint32_t>(std::ceil(fraction * static_cast<double>(neighbours_) * (1 - 1e-12))), 1,
      std::max<std::uint32_t>(neighbours_, 1));
}

bool SecureAggregationPlan::adjacent(std::uint32_t a, std::uint32_t b) const {
  if (a == b) return false;
  if (neighbours_ + 1 >= n_) return true;
  const std::uint32_t gap = a > b ? a - b : b - a;
  return std::min(gap, n_ - gap) <= neighbours_ / 2;
}

std::int64_t SecureAggregationPlan::advertise_reply_bits() const { return 2 * std::int64_t{config_.key_bits}; }

std::int64_t SecureAggregationPlan::share_request_bits() const {
  return 64 + 2 * std::int64_t{neighbours_} * config_.key_bits;
}

std::int64_t SecureAggregationPlan::share_reply_bits() const {
  return std::int64_t{neighbours_} * (2 * std::int64_t{config_.share_bits} + 64 + 128);
}

std::int64_t SecureAggregationPlan::masked_payload_bits(bool control) const {
  return (control ? 2 : 1) * static_cast<std::int64_t>(d_) * config_.ring_bits;
}

std::int64_t SecureAggregationPlan::unmask_reply_bits(std::uint32_t participating) const {
  return std::int64_t{participating} * (std::int64_t{config_.share_bits} + 32);
}

ComputeCost SecureAggregationPlan::advertise_cost() const { return {2 * kKeyAgreementFlops, 0}; }

ComputeCost SecureAggregationPlan::share_cost() const {
  const double m = neighbours_;
  // m key agreements for the encryption keys, 2 secrets shared into m
  // shares each by evaluating a degree t - 1 polynomial.
  return {m * kKeyAgreementFlops + 2 * m * share_threshold_ * kFieldMultiplicationFlops, 0};
}

ComputeCost SecureAggregationPlan::masking_cost(bool control) const {
  const double m = neighbours_, values = static_cast<double>(d_) * (control ? 2 : 1);
  // m pairwise keys, m + 1 masks over the values, each value read and written once per mask.
  return {m * kKeyAgreementFlops + (m + 1) * values * prg_flops_per_value(config_.ring_bits),
          (m + 1) * values * 8};
}

ComputeCost SecureAggregationPlan::reconstruction_cost(const std::vector<std::uint32_t>& members,
                                                       const std::vector<bool>& survived, bool control) const {
  const double values = static_cast<double>(d_) * (control ? 2 : 1);
  const double t = share_threshold_;
  double masks = 0, agreements = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (survived[i]) {
      masks += 1;  // b_u's self mask
      continue;
    }
    for (std::size_t j = 0; j < members.size(); ++j)
      if (survived[j] && adjacent(members[i], members[j])) {
        agreements += 1;
        masks += 1;
      }
  }
  const double secrets = static_cast<double>(members.size());
  return {secrets * t * t * kFieldMultiplicationFlops + agreements * kKeyAgreementFlops +
              masks * values * prg_flops_per_value(config_.ring_bits),
          masks * values * 8};
}

}  // namespace dlsim
