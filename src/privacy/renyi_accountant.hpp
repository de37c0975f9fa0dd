// Renyi-DP accountant for the Poisson-subsampled Gaussian mechanism.
//
// Design note. One step of DP-SGD (or of DP-FedAvg) releases the sum of a
// Poisson sample (each record, or each client, taken independently with
// probability q) of contributions clipped to norm C, plus N(0, sigma^2 C^2 I).
// Its Renyi divergence of order alpha is bounded by
//   RDP(alpha) = log(A_alpha) / (alpha - 1)
// with A_alpha = E_{z ~ mu0} [(1 - q + q mu1(z) / mu0(z))^alpha], mu0 = N(0,
// sigma^2), mu1 = N(1, sigma^2) (Mironov, Talwar, Zhang, "Renyi Differential
// Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530, 2019, section
// 3.3): a binomial sum for integer alpha and a two-sided convergent series with
// erfc terms for fractional alpha. Renyi divergences compose by addition, so a
// run of T identical steps costs T RDP(alpha) at every order, and steps with
// different (q, sigma) simply add. The guarantee is turned into (epsilon,
// delta) at the best order of a fixed list, by the conversion of Balle, Barthe,
// Gaboardi, Hsu, Sato ("Hypothesis testing interpretations and Renyi
// differential privacy", AISTATS 2020, Theorem 21), which is also Canonne,
// Kamath, Steinke (NeurIPS 2020, Proposition 12) and what Opacus's
// get_privacy_spent and Google's dp_accounting compute:
//   epsilon = RDP(alpha) + log((alpha - 1) / alpha) - (log delta + log alpha) / (alpha - 1).
// The classic conversion of Mironov ("Renyi differential privacy", CSF 2017,
// Proposition 3), epsilon = RDP(alpha) + log(1 / delta) / (alpha - 1), is kept
// to compare with numbers published before 2020.
//
// Assumptions, stated once: neighbouring data sets differ by adding or
// removing one record (or client); each step samples by Poisson sampling with
// rate q; the mechanism's sensitivity is the clip norm C. Fixed-size sampling
// without replacement is not covered by these formulas.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace dlsim {

// The Renyi orders the accountant minimises over: 1.1, 1.2, ..., 10.9 (as in
// Opacus and dp_accounting), 1.25, 1.5, 1.75 (TF Privacy's tutorial orders),
// the integers 11 to 64, and 128, 256, 512, 1024. Sorted, no duplicates.
const std::vector<double>& default_renyi_orders();

// RDP of one step of the sampled Gaussian mechanism at order alpha > 1, with
// sampling rate q in [0, 1] and noise multiplier sigma >= 0 (noise standard
// deviation over sensitivity). q = 0 gives 0; sigma = 0 (with q > 0) gives
// +infinity; q = 1 gives the Gaussian mechanism's alpha / (2 sigma^2). Integer
// alpha uses the exact binomial sum (alpha + 1 terms); fractional alpha the
// series, summed until its terms fall below e^-30 of the scale.
double sampled_gaussian_renyi_divergence(double q, double sigma, double alpha);

enum class RenyiConversion {
  improved,  // Balle et al. 2020 / Canonne et al. 2020 (the default)
  classic,   // Mironov 2017, Proposition 3
};

struct PrivacySpent {
  double epsilon = 0.0;  // +infinity when no order gives a finite bound
  double order = 0.0;    // the Renyi order that attains it
};

// The smallest epsilon over the orders for the given delta in (0, 1), from RDP
// values rdp[i] at orders[i] (same sizes). Never negative.
PrivacySpent epsilon_from_renyi(std::span<const double> orders, std::span<const double> rdp, double delta,
                                RenyiConversion conversion = RenyiConversion::improved);

// Accumulates the RDP of a run, step by step. Value type.
class RenyiAccountant {
 public:
  explicit RenyiAccountant(std::vector<double> orders = default_renyi_orders());

  // Adds `steps` steps of the sampled Gaussian mechanism (q, sigma).
  // Cost: one RDP evaluation per order (cached for the last (q, sigma)), so
  // composing one step at a time is cheap.
  void compose(double q, double sigma, std::uint64_t steps = 1);

  // (epsilon, delta) spent so far.
  PrivacySpent spent(double delta, RenyiConversion conversion = RenyiConversion::improved) const;

  const std::vector<double>& orders() const { return orders_; }
  const std::vector<double>& rdp() const { return rdp_; }
  std::uint64_t steps() const { return steps_; }

 private:
  std::vector<double> orders_;
  std::vector<double> rdp_;
  std::uint64_t steps_ = 0;
  // The per-step RDP of the last (q, sigma) composed.
  double cached_q_ = -1.0;
  double cached_sigma_ = -1.0;
  std::vector<double> cached_step_;
};

// Epsilon after `steps` steps of (q, sigma) at delta, with the default orders.
double sampled_gaussian_epsilon(double q, double sigma, std::uint64_t steps, double delta,
                                RenyiConversion conversion = RenyiConversion::improved);

}  // namespace dlsim
