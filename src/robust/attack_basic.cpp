// Simple attacks: Gaussian noise, sign flip, scaled negative mean, IPM (Xie,
// Koyejo, Gupta, UAI 2020) and label flipping. See attacks.hpp.
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "robust/attacks.hpp"

namespace dlsim {

Eigen::VectorXd honest_mean(std::span<const VectorView> honest) {
  robust_detail::check_shape("attack", honest);
  return robust_detail::mean_of(honest);
}

Eigen::VectorXd honest_std(std::span<const VectorView> honest) {
  const Eigen::VectorXd mean = honest_mean(honest);
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(mean.size());
  for (const auto& x : honest) sum += (robust_detail::as_eigen(x) - mean).array().square().matrix();
  return (sum / double(honest.size())).array().sqrt().matrix();
}

Eigen::VectorXd attack_gaussian(std::size_t d, double mean, double stddev, RandomStream& rng) {
  if (!(stddev >= 0.0)) throw std::invalid_argument(fmt::format("gaussian attack: parameter 'stddev' must be >= 0, got {}", stddev));
  Eigen::VectorXd out(Eigen::Index(d), 1);
  for (Eigen::Index k = 0; k < out.size(); ++k) out[k] = rng.normal(mean, stddev);
  return out;
}

Eigen::VectorXd attack_sign_flip(VectorView own, double s) { return -s * robust_detail::as_eigen(own); }

Eigen::VectorXd attack_negative_mean(std::span<const VectorView> honest, double c) { return -c * honest_mean(honest); }

Eigen::VectorXd attack_ipm(std::span<const VectorView> honest, double epsilon) { return -epsilon * honest_mean(honest); }

std::int64_t flip_label(std::int64_t label, std::int64_t classes) {
  if (label < 0 || label >= classes)
    throw std::invalid_argument(fmt::format("label flipping: label {} outside [0, {})", label, classes));
  return classes - 1 - label;
}

}  // namespace dlsim
