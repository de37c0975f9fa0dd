// Aggregation policies; see aggregation.hpp.
#include "algorithms/federated/aggregation.hpp"

#include <algorithm>
#include <stdexcept>

namespace dlsim {

void WeightedMean::aggregate(std::span<const KeptUpdate> updates, const VectorCodec& codec,
                             std::span<double> out) const {
  if (updates.empty()) throw std::invalid_argument("nothing to aggregate");
  double total = 0;
  for (const KeptUpdate& kept : updates) total += kept.weight;
  std::fill(out.begin(), out.end(), 0.0);
  for (const KeptUpdate& kept : updates) codec.add_decoded(*kept.update->delta, kept.weight / total, out);
}

ComputeCost WeightedMean::cost(std::size_t updates, std::size_t dimension) const {
  const double values = static_cast<double>(updates) * static_cast<double>(dimension);
  // One multiply-add per value, reading each update and the running sum.
  return ComputeCost{2.0 * values, 8.0 * (values + static_cast<double>(dimension))};
}

void add_control_deltas(std::span<const KeptUpdate> updates, double scale, std::span<double> out) {
  for (const KeptUpdate& kept : updates) {
    const std::vector<double>& delta = kept.update->control_delta;
    if (delta.size() != out.size()) throw std::invalid_argument("a control update has the wrong dimension");
    const double weight = scale * kept.weight;
    for (std::size_t k = 0; k < out.size(); ++k) out[k] += weight * delta[k];
  }
}

}  // namespace dlsim
