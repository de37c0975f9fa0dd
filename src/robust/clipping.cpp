#include "robust/clipping.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace dlsim {
namespace {

double clip_factor(double norm, double tau) { return norm > tau ? tau / norm : 1.0; }

void check_tau(std::string_view who, double tau) {
  if (!(tau > 0.0)) throw std::invalid_argument(fmt::format("{}: parameter 'tau' must be > 0, got {}", who, tau));
}

}  // namespace

NormClipping::NormClipping(double tau) : tau_(tau) { check_tau("norm-clipping", tau); }

std::string NormClipping::name() const { return fmt::format("norm-clipping(tau={})", tau_); }

void NormClipping::check_inputs(std::size_t n) const {
  if (n == 0) throw std::invalid_argument("norm-clipping: no inputs to aggregate");
}

Eigen::VectorXd NormClipping::aggregate(std::span<const VectorView> inputs, const AggregationContext&) const {
  robust_detail::check_shape("norm-clipping", inputs);
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(Eigen::Index(inputs[0].size()));
  for (const auto& x : inputs) {
    const auto v = robust_detail::as_eigen(x);
    sum += clip_factor(v.norm(), tau_) * v;
  }
  return sum / double(inputs.size());
}

CenteredClipping::CenteredClipping(double tau, std::size_t iterations) : tau_(tau), iterations_(iterations) {
  check_tau("centered-clipping", tau);
  if (iterations == 0) throw std::invalid_argument("centered-clipping: parameter 'iterations' must be >= 1");
}

std::string CenteredClipping::name() const {
  return fmt::format("centered-clipping(tau={}, iterations={})", tau_, iterations_);
}

void CenteredClipping::check_inputs(std::size_t n) const {
  if (n == 0) throw std::invalid_argument("centered-clipping: no inputs to aggregate");
}

Eigen::VectorXd CenteredClipping::aggregate(std::span<const VectorView> inputs, const AggregationContext& context) const {
  const std::size_t d = robust_detail::check_shape("centered-clipping", inputs);
  Eigen::VectorXd v = Eigen::VectorXd::Zero(Eigen::Index(d));
  if (!context.centre.empty()) {
    if (context.centre.size() != d)
      throw std::invalid_argument(
          fmt::format("centered-clipping: the centre has dimension {}, the inputs {}", context.centre.size(), d));
    v = robust_detail::as_eigen(context.centre);
  }
  for (std::size_t iteration = 0; iteration < iterations_; ++iteration) {
    Eigen::VectorXd step = Eigen::VectorXd::Zero(Eigen::Index(d));
    for (const auto& x : inputs) {
      const Eigen::VectorXd diff = robust_detail::as_eigen(x) - v;
      step += clip_factor(diff.norm(), tau_) * diff;
    }
    v += step / double(inputs.size());
  }
  return v;
}

}  // namespace dlsim
