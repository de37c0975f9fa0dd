// DP-FedAvg's server aggregation; see private_aggregation.hpp.
#include "algorithms/federated/private_aggregation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "privacy/dp_sgd.hpp"
#include "sim/random.hpp"

namespace dlsim {

std::size_t private_aggregate(std::span<const KeptUpdate> updates, const VectorCodec& codec,
                              const UserPrivacy& privacy, RandomStream& noise, std::span<double> out,
                              std::vector<double>& scratch) {
  if (!(privacy.expected_cohort > 0.0))
    throw std::invalid_argument("DP-FedAvg: the expected cohort must be > 0");
  std::fill(out.begin(), out.end(), 0.0);
  scratch.assign(out.size(), 0.0);
  std::size_t clipped = 0;
  for (const KeptUpdate& kept : updates) {
    std::fill(scratch.begin(), scratch.end(), 0.0);
    codec.add_decoded(*kept.update->delta, 1.0, scratch);
    if (clip_to_norm(scratch, privacy.clip_norm) != 1.0) ++clipped;
    if (privacy.client_weights.empty()) {
      for (std::size_t k = 0; k < out.size(); ++k) out[k] += scratch[k];
    } else {
      const double weight = privacy.client_weights.at(kept.client);
      for (std::size_t k = 0; k < out.size(); ++k) out[k] += weight * scratch[k];
    }
  }
  // sigma = 0 with C = infinity: no noise (0 * inf would be NaN).
  // With weights the sensitivity is w_max C (w_max <= 1).
  const double sensitivity = privacy.clip_norm * (privacy.client_weights.empty() ? 1.0 : privacy.largest_weight);
  if (privacy.noise_multiplier > 0.0) add_gaussian_noise(out, privacy.noise_multiplier * sensitivity, noise);
  const double denominator = privacy.client_weights.empty() ? privacy.expected_cohort : privacy.weighted_denominator;
  if (!(denominator > 0.0)) throw std::invalid_argument("DP-FedAvg: the weighted denominator must be > 0");
  for (double& value : out) value /= denominator;
  return clipped;
}

double next_clip_norm(double clip_norm, std::size_t within, std::size_t received, const UserPrivacy& privacy,
                      RandomStream& noise) {
  const double centred = static_cast<double>(within) - 0.5 * static_cast<double>(received);
  const double count_noise = privacy.count_noise > 0.0 ? privacy.count_noise * noise.normal() : 0.0;
  const double fraction = (centred + count_noise) / privacy.expected_cohort + 0.5;
  return clip_norm * std::exp(-privacy.clip_learning_rate * (fraction - privacy.target_quantile));
}

ComputeCost private_aggregation_cost(std::size_t updates, std::size_t dimension, const UserPrivacy& privacy) {
  const double values = static_cast<double>(updates) * static_cast<double>(dimension);
  const double d = static_cast<double>(dimension);
  const double noise = privacy.noise_multiplier > 0.0 ? 20.0 * d : 0.0;
  return ComputeCost{4.0 * values + noise + d, 8.0 * (values + 2.0 * d)};
}

}  // namespace dlsim
