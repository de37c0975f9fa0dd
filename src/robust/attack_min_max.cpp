// Min-max and min-sum (Shejwalkar & Houmansadr, NDSS 2021, Algorithm 1 and
// section IV-B). See attacks.hpp.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "robust/attacks.hpp"
#include "robust/krum.hpp"

namespace dlsim {
namespace {

Eigen::VectorXd perturbation(std::span<const VectorView> honest, const Eigen::VectorXd& mean,
                             PerturbationDirection direction) {
  switch (direction) {
    case PerturbationDirection::inverse_std:
      return -honest_std(honest);
    case PerturbationDirection::inverse_unit_mean: {
      const double norm = mean.norm();
      return norm > 0.0 ? Eigen::VectorXd(-mean / norm) : Eigen::VectorXd(Eigen::VectorXd::Zero(mean.size()));
    }
    case PerturbationDirection::inverse_sign:
      return -mean.unaryExpr([](double v) { return double((v > 0.0) - (v < 0.0)); });
  }
  return Eigen::VectorXd::Zero(mean.size());
}

}  // namespace

MinMaxResult attack_min_max(std::span<const VectorView> honest, MinMaxObjective objective,
                            PerturbationDirection direction, double gamma_init, double tolerance) {
  if (!(gamma_init > 0.0)) throw std::invalid_argument(fmt::format("min-max: parameter 'gamma_init' must be > 0, got {}", gamma_init));
  if (!(tolerance > 0.0)) throw std::invalid_argument(fmt::format("min-max: parameter 'tolerance' must be > 0, got {}", tolerance));
  const Eigen::VectorXd mean = honest_mean(honest);
  const Eigen::VectorXd p = perturbation(honest, mean, direction);
  const auto distances = robust_detail::pairwise_squared_distances(honest);
  const double bound = objective == MinMaxObjective::min_max ? distances.maxCoeff() : distances.rowwise().sum().maxCoeff();
  auto acceptable = [&](double gamma) {
    const Eigen::VectorXd m = mean + gamma * p;
    const VectorView view(m.data(), std::size_t(m.size()));
    double value = 0.0;
    for (const auto& x : honest) {
      const double d2 = robust_detail::squared_distance(view, x);
      value = objective == MinMaxObjective::min_max ? std::max(value, d2) : value + d2;
    }
    return value <= bound;
  };
  // Bracket [good, bad]: grow from gamma_init while acceptable (the direction
  // may be too weak), then bisect to the tolerance. good = 0 is always acceptable.
  double good = 0.0, bad = gamma_init;
  for (int doubling = 0; doubling < 64 && acceptable(bad); ++doubling) good = bad, bad *= 2.0;
  if (acceptable(bad)) good = bad;  // p = 0 (identical honest vectors): every gamma is acceptable
  else
    while (bad - good > tolerance) {
      const double middle = 0.5 * (good + bad);
      (acceptable(middle) ? good : bad) = middle;
    }
  return {mean + good * p, good};
}

}  // namespace dlsim
