// The noise multiplier that makes a whole run spend a target epsilon.
#pragma once

#include <cstdint>
#include <optional>

namespace dlsim {

// Largest noise multiplier the search tries; beyond it a target is called
// unreachable (Opacus's get_noise_multiplier uses the same bound).
inline constexpr double kMaxNoiseMultiplier = 1e6;

// The smallest noise multiplier sigma (to a relative 1e-6) such that `steps`
// steps of the Poisson-sampled Gaussian mechanism with rate q spend at most
// target_epsilon at delta (default orders, improved conversion); nullopt when
// even sigma = max_sigma spends more. The result is always on the safe side:
// its epsilon is <= target_epsilon. Epsilon falls as sigma grows, so the
// search doubles sigma from 1 until the target is met, then bisects.
// Requires target_epsilon > 0, delta in (0, 1), q in (0, 1], steps >= 1.
// Cost: about 40 accountant evaluations (a few milliseconds).
std::optional<double> find_noise_multiplier(double target_epsilon, double delta, double q, std::uint64_t steps,
                                            double max_sigma = kMaxNoiseMultiplier);

}  // namespace dlsim
