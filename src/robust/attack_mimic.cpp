// Mimic (Karimireddy, He, Jaggi, ICLR 2022, section 4). See attacks.hpp.
#include <cmath>

#include "robust/attacks.hpp"

namespace dlsim {

std::size_t mimic_target(std::span<const VectorView> honest, std::size_t iterations) {
  const Eigen::VectorXd mean = honest_mean(honest);
  std::vector<Eigen::VectorXd> centred;
  for (const auto& x : honest) centred.push_back(robust_detail::as_eigen(x) - mean);
  std::size_t start = 0;
  for (std::size_t i = 1; i < centred.size(); ++i)
    if (centred[i].norm() > centred[start].norm()) start = i;
  Eigen::VectorXd direction = centred[start];
  if (direction.norm() == 0.0) return 0;  // all honest vectors equal
  direction.normalize();
  // Power iteration on the covariance sum_i c_i c_i^T, never formed (d may be large).
  for (std::size_t iteration = 0; iteration < iterations; ++iteration) {
    Eigen::VectorXd next = Eigen::VectorXd::Zero(mean.size());
    for (const auto& c : centred) next += c.dot(direction) * c;
    const double norm = next.norm();
    if (norm == 0.0) break;
    direction = next / norm;
  }
  std::size_t best = 0;
  double best_projection = -1.0;
  for (std::size_t i = 0; i < centred.size(); ++i) {
    const double projection = std::abs(centred[i].dot(direction));
    if (projection > best_projection) best_projection = projection, best = i;
  }
  return best;
}

Eigen::VectorXd attack_mimic(std::span<const VectorView> honest, std::size_t iterations) {
  return robust_detail::as_eigen(honest[mimic_target(honest, iterations)]);
}

}  // namespace dlsim
