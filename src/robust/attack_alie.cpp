// ALIE, "a little is enough" (Baruch, Baruch, Goldberg, NeurIPS 2019,
// Algorithm 3). See attacks.hpp.
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "robust/attacks.hpp"

namespace dlsim {

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument(fmt::format("normal quantile: p = {} outside (0, 1)", p));
  // Acklam's rational approximations (relative error 1.15e-9) ...
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double low = 0.02425;
  double x;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // ... refined by one Halley step on Phi(x) - p.
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double alie_z(std::size_t n, std::size_t f) {
  if (n == 0 || f >= n) throw std::invalid_argument(fmt::format("alie: needs f < n (n = {}, f = {})", n, f));
  const double s = std::floor(double(n) / 2.0 + 1.0) - double(f);
  const double p = (double(n) - s) / double(n);
  if (!(p > 0.0 && p < 1.0))
    throw std::invalid_argument(fmt::format("alie: (n - s)/n = {} outside (0, 1) for n = {}, f = {}", p, n, f));
  return normal_quantile(p);
}

Eigen::VectorXd attack_alie(std::span<const VectorView> honest, double z) {
  return honest_mean(honest) - z * honest_std(honest);
}

}  // namespace dlsim
