#include "models/nonsmooth.hpp"

#include <cmath>
#include <stdexcept>

namespace dlsim {
namespace {

double sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

void check(std::span<const double> x) {
  if (x.size() != 2) throw std::invalid_argument("nonsmooth: needs exactly 2 parameters");
}

}  // namespace

std::unique_ptr<ModelWorkspace> NonsmoothExample::make_workspace() const {
  return std::make_unique<ModelWorkspace>();
}

double NonsmoothExample::loss(std::span<const double> x, const Dataset&, Batch, ModelWorkspace&) const {
  check(x);
  return std::abs(x[0] + x[1]) + 2.0 * std::abs(x[0] - x[1]);
}

double NonsmoothExample::loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                                           std::span<double> gradient, ModelWorkspace& ws) const {
  check(x);
  if (gradient.size() != 2) throw std::invalid_argument("nonsmooth: gradient size mismatch");
  const double s = sign(x[0] + x[1]);
  const double t = x[0] - x[1] >= 0 ? 1.0 : -1.0;  // see the header: keeps sign(g) = +-(1, -1)
  gradient[0] = s + 2.0 * t;
  gradient[1] = s - 2.0 * t;
  return loss(x, data, batch, ws);
}

}  // namespace dlsim
