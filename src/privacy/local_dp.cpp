// Local DP on messages: see local_dp.hpp.
#include "privacy/local_dp.hpp"

#include <cmath>
#include <stdexcept>

#include "privacy/dp_sgd.hpp"
#include "sim/random.hpp"

namespace dlsim {

namespace {

// sigma C; 0 without noise (0 * infinity would be NaN).
double noise_stddev(const MessagePrivacy& privacy) {
  return privacy.noise_multiplier > 0.0 ? privacy.noise_multiplier * privacy.clip_norm : 0.0;
}

}  // namespace

void privatize_update(std::span<double> update, const MessagePrivacy& privacy, RandomStream& noise) {
  clip_to_norm(update, privacy.clip_norm);
  add_gaussian_noise(update, noise_stddev(privacy), noise);
}

void privatize_model(std::span<const double> x, std::vector<double>& released, const MessagePrivacy& privacy,
                     RandomStream& noise) {
  if (released.empty()) released.assign(x.size(), 0.0);
  if (released.size() != x.size()) throw std::invalid_argument("privatize_model: the model changed size");
  std::vector<double> step(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) step[k] = x[k] - released[k];
  const double factor = clip_to_norm(step, privacy.clip_norm);
  if (factor == 1.0) {
    // Within C: r + (x - r) is x (written so, which rounding would not give).
    for (std::size_t k = 0; k < x.size(); ++k) released[k] = x[k];
  } else {
    for (std::size_t k = 0; k < x.size(); ++k) released[k] += step[k];
  }
  add_gaussian_noise(released, noise_stddev(privacy), noise);
}

double local_dp_flops(double dimension, const MessagePrivacy& privacy) {
  if (!privacy.enabled) return 0.0;
  return 4.0 * dimension + (privacy.noise_multiplier > 0.0 ? 20.0 * dimension : 0.0);
}

}  // namespace dlsim
