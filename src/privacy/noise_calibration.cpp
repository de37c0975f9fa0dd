#include "privacy/noise_calibration.hpp"

#include <algorithm>
#include <stdexcept>

#include "privacy/renyi_accountant.hpp"

namespace dlsim {

std::optional<double> find_noise_multiplier(double target_epsilon, double delta, double q, std::uint64_t steps,
                                            double max_sigma) {
  if (!(target_epsilon > 0.0)) throw std::invalid_argument("find_noise_multiplier: target epsilon must be > 0");
  if (!(delta > 0.0 && delta < 1.0)) throw std::invalid_argument("find_noise_multiplier: delta must be in (0, 1)");
  if (!(q > 0.0 && q <= 1.0)) throw std::invalid_argument("find_noise_multiplier: q must be in (0, 1]");
  if (steps == 0) throw std::invalid_argument("find_noise_multiplier: steps must be >= 1");
  const auto epsilon = [&](double sigma) { return sampled_gaussian_epsilon(q, sigma, steps, delta); };
  double low = 0.0;  // epsilon(0) is infinite
  double high = 1.0;
  while (epsilon(high) > target_epsilon) {
    if (high >= max_sigma) return std::nullopt;
    low = high;
    high = std::min(2.0 * high, max_sigma);
  }
  while (high - low > 1e-6 * high) {
    const double middle = 0.5 * (low + high);
    if (epsilon(middle) > target_epsilon)
      low = middle;
    else
      high = middle;
  }
  return high;
}

}  // namespace dlsim
