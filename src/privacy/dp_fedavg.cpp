// DP-FedAvg helpers; see dp_fedavg.hpp.
#include "privacy/dp_fedavg.hpp"

#include <cmath>

namespace dlsim {

std::optional<double> adaptive_update_noise(double z, double count_noise) {
  if (z == 0.0) return 0.0;
  const double rest = 1.0 / (z * z) - 1.0 / (4.0 * count_noise * count_noise);
  if (!(count_noise > 0.0) || !(rest > 0.0)) return std::nullopt;
  return 1.0 / std::sqrt(rest);
}

}  // namespace dlsim
