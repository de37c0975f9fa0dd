#include "privacy/renyi_accountant.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dlsim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// log(exp(a) + exp(b)) without overflow.
double log_add(double a, double b) {
  if (a == -kInfinity) return b;
  if (b == -kInfinity) return a;
  const double high = std::max(a, b);
  return high + std::log1p(std::exp(-std::abs(a - b)));
}

// log(exp(a) - exp(b)) for a >= b; -infinity when they cancel (the series'
// alternating tail never exceeds its head, so b > a only by rounding).
double log_subtract(double a, double b) {
  if (b == -kInfinity) return a;
  if (b >= a) return -kInfinity;
  return a + std::log1p(-std::exp(b - a));
}

// log(erfc(x)). erfc underflows near x = 26.5; beyond 25 the asymptotic
// (Laurent) series of log erfc at infinity is exact to double precision.
double log_erfc(double x) {
  if (x <= 25.0) return std::log(std::erfc(x));
  const double inverse_square = 1.0 / (x * x);
  return -0.5 * std::log(M_PI) - std::log(x) - x * x +
         inverse_square * (-0.5 + inverse_square * (0.625 + inverse_square * (-37.0 / 24.0 + inverse_square * 353.0 / 64.0)));
}

double log_binomial(double n, double k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

// log(e^x - 1) for x > 0, without overflow for large x.
double log_expm1(double x) { return x > 1.0 ? x + std::log1p(-std::exp(-x)) : std::log(std::expm1(x)); }

// log A_alpha for integer alpha (Mironov, Talwar, Zhang 2019, section 3.3):
// A_alpha = sum_{k=0}^{alpha} C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2)).
// The binomial weights sum to 1 and the k = 0, 1 terms have exponent 0, so
// A_alpha = 1 + sum_{k>=2} C(alpha, k) (1 - q)^(alpha - k) q^k expm1((k^2 - k) / (2 sigma^2)),
// a sum of positive terms: log A = log1p(that sum) keeps its full relative
// precision even when A - 1 is far below 1e-16 (large sigma, small q), where
// summing the terms themselves would round the divergence to 0.
double log_a_integer(double q, double sigma, std::int64_t alpha) {
  const double log_q = std::log(q);
  const double log_one_minus_q = std::log1p(-q);
  double log_excess = -kInfinity;  // log(A - 1)
  for (std::int64_t k = 2; k <= alpha; ++k) {
    const double kd = double(k);
    const double term = log_binomial(double(alpha), kd) + kd * log_q + double(alpha - k) * log_one_minus_q +
                        log_expm1((kd * kd - kd) / (2.0 * sigma * sigma));
    log_excess = log_add(log_excess, term);
  }
  if (log_excess == -kInfinity) return 0.0;
  return log_excess > 0.0 ? log_excess + std::log1p(std::exp(-log_excess)) : std::log1p(std::exp(log_excess));
}

// log A_alpha for fractional alpha (same paper, section 3.3): A_alpha = A0 + A1
// with two series in i >= 0 over the generalised binomial C(alpha, i), split
// at z0 = sigma^2 log(1/q - 1) + 1/2, each term weighted by a Gaussian tail
// (1/2) erfc(...). Coefficients alternate in sign once i > alpha, hence the
// signed log-sums. Stops when both terms fall below e^-30.
double log_a_fractional(double q, double sigma, double alpha) {
  const double log_q = std::log(q);
  const double log_one_minus_q = std::log1p(-q);
  const double z0 = sigma * sigma * std::log(1.0 / q - 1.0) + 0.5;
  const double scale = std::sqrt(2.0) * sigma;
  double log_a0 = -kInfinity;
  double log_a1 = -kInfinity;
  double log_coefficient = 0.0;  // log |C(alpha, i)|
  bool positive = true;          // sign of C(alpha, i)
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    const double id = double(i);
    const double j = alpha - id;
    const double log_t0 = log_coefficient + id * log_q + j * log_one_minus_q;
    const double log_t1 = log_coefficient + j * log_q + id * log_one_minus_q;
    const double log_e0 = std::log(0.5) + log_erfc((id - z0) / scale);
    const double log_e1 = std::log(0.5) + log_erfc((z0 - j) / scale);
    const double log_s0 = log_t0 + (id * id - id) / (2.0 * sigma * sigma) + log_e0;
    const double log_s1 = log_t1 + (j * j - j) / (2.0 * sigma * sigma) + log_e1;
    if (positive) {
      log_a0 = log_add(log_a0, log_s0);
      log_a1 = log_add(log_a1, log_s1);
    } else {
      log_a0 = log_subtract(log_a0, log_s0);
      log_a1 = log_subtract(log_a1, log_s1);
    }
    if (std::max(log_s0, log_s1) < -30.0) break;
    // C(alpha, i + 1) = C(alpha, i) (alpha - i) / (i + 1).
    log_coefficient += std::log(std::abs(alpha - id)) - std::log(id + 1.0);
    if (alpha - id < 0.0) positive = !positive;
  }
  return log_add(log_a0, log_a1);
}

bool is_integer(double x) { return std::floor(x) == x; }

std::vector<double> make_default_orders() {
  std::vector<double> orders;
  for (int x = 1; x < 100; ++x) orders.push_back(1.0 + x / 10.0);
  for (double order : {1.25, 1.5, 1.75}) orders.push_back(order);
  for (int order = 11; order <= 64; ++order) orders.push_back(order);
  for (double order : {128.0, 256.0, 512.0, 1024.0}) orders.push_back(order);
  std::sort(orders.begin(), orders.end());
  orders.erase(std::unique(orders.begin(), orders.end()), orders.end());
  return orders;
}

}  // namespace

const std::vector<double>& default_renyi_orders() {
  static const std::vector<double> orders = make_default_orders();
  return orders;
}

double sampled_gaussian_renyi_divergence(double q, double sigma, double alpha) {
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("sampled Gaussian: sampling rate q must be in [0, 1]");
  if (!(sigma >= 0.0)) throw std::invalid_argument("sampled Gaussian: noise multiplier must be >= 0");
  if (!(alpha > 1.0)) throw std::invalid_argument("sampled Gaussian: Renyi order must be > 1");
  if (q == 0.0) return 0.0;
  if (sigma == 0.0 || std::isinf(alpha)) return kInfinity;
  if (q == 1.0) return alpha / (2.0 * sigma * sigma);
  if (is_integer(alpha)) return log_a_integer(q, sigma, std::int64_t(alpha)) / (alpha - 1.0);
  // The fractional series sums terms of both signs around A ~ 1, so it cannot
  // resolve A - 1 below about 1e-12; there the next integer order's value,
  // an upper bound (RDP is non-decreasing in the order), is used instead, so
  // that rounding never reports less privacy loss than there is.
  const double log_a = log_a_fractional(q, sigma, alpha);
  if (!(log_a > 1e-9)) return log_a_integer(q, sigma, std::int64_t(std::ceil(alpha))) / (std::ceil(alpha) - 1.0);
  return log_a / (alpha - 1.0);
}

PrivacySpent epsilon_from_renyi(std::span<const double> orders, std::span<const double> rdp, double delta,
                                RenyiConversion conversion) {
  if (orders.size() != rdp.size()) throw std::invalid_argument("epsilon_from_renyi: orders and rdp differ in size");
  if (!(delta > 0.0 && delta < 1.0)) throw std::invalid_argument("epsilon_from_renyi: delta must be in (0, 1)");
  PrivacySpent best{kInfinity, orders.empty() ? 0.0 : orders.front()};
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const double alpha = orders[i];
    const double r = rdp[i];
    double epsilon = kInfinity;
    if (std::isinf(r)) {
      epsilon = kInfinity;
    } else if (conversion == RenyiConversion::classic) {
      epsilon = r - std::log(delta) / (alpha - 1.0);
    } else if (delta * delta + std::expm1(-r) > 0.0) {
      // The KL bound delta <= sqrt(1 - exp(-RDP)) already gives epsilon = 0
      // (as dp_accounting does).
      epsilon = 0.0;
    } else if (alpha > 1.01) {
      // Balle et al. 2020, Theorem 21; unstable as alpha -> 1, hence the floor.
      epsilon = r + std::log1p(-1.0 / alpha) - std::log(delta * alpha) / (alpha - 1.0);
    }
    if (epsilon < best.epsilon) best = {epsilon, alpha};
  }
  best.epsilon = std::max(0.0, best.epsilon);
  return best;
}

RenyiAccountant::RenyiAccountant(std::vector<double> orders) : orders_(std::move(orders)), rdp_(orders_.size(), 0.0) {
  for (double order : orders_)
    if (!(order > 1.0)) throw std::invalid_argument("RenyiAccountant: every order must be > 1");
}

void RenyiAccountant::compose(double q, double sigma, std::uint64_t steps) {
  if (steps == 0) return;
  if (q != cached_q_ || sigma != cached_sigma_ || cached_step_.size() != orders_.size()) {
    cached_step_.resize(orders_.size());
    for (std::size_t i = 0; i < orders_.size(); ++i)
      cached_step_[i] = sampled_gaussian_renyi_divergence(q, sigma, orders_[i]);
    cached_q_ = q;
    cached_sigma_ = sigma;
  }
  for (std::size_t i = 0; i < orders_.size(); ++i) rdp_[i] += double(steps) * cached_step_[i];
  steps_ += steps;
}

PrivacySpent RenyiAccountant::spent(double delta, RenyiConversion conversion) const {
  return epsilon_from_renyi(orders_, rdp_, delta, conversion);
}

double sampled_gaussian_epsilon(double q, double sigma, std::uint64_t steps, double delta, RenyiConversion conversion) {
  RenyiAccountant accountant;
  accountant.compose(q, sigma, steps);
  return accountant.spent(delta, conversion).epsilon;
}

}  // namespace dlsim
