// Shared by the compressor tests: contraction and unbiasedness checks.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "compress/compressor.hpp"
#include "sim/random.hpp"

namespace dlsim::testing {

inline std::vector<double> random_vector(std::size_t d, RandomStream& rng) {
  std::vector<double> x(d);
  for (double& v : x) v = rng.normal() * std::exp(rng.normal());  // heavy-ish tails
  return x;
}

inline double squared_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

inline double squared_norm(const std::vector<double>& a) {
  double s = 0.0;
  for (double v : a) s += v * v;
  return s;
}

// Over `trials` random vectors: ||C(x) - x||^2 / ||x||^2 never exceeds
// 1 - delta (deterministic operators; a 1e-6 allowance covers fp32 rounding),
// and its mean does not exceed it beyond 4 standard errors (random operators).
inline void check_contraction(const Compressor& c, std::size_t d, int trials = 200) {
  RandomStream rng(11, 0, purpose_id("test.contraction"));
  RandomStream draws(12, 0, purpose_id("test.compressor"));
  const auto traits = c.traits(d);
  double mean = 0.0, mean2 = 0.0;
  for (int t = 0; t < trials; ++t) {
    const auto x = random_vector(d, rng);
    const double ratio = squared_distance(c.decode(c.compress(x, draws)), x) / squared_norm(x);
    if (traits.deterministic) CHECK(ratio <= 1.0 - traits.delta + 1e-6);
    mean += ratio / trials;
    mean2 += ratio * ratio / trials;
  }
  const double standard_error = std::sqrt(std::max(0.0, mean2 - mean * mean) / trials);
  INFO(c.name() << ": mean ratio " << mean << ", bound " << 1.0 - traits.delta);
  CHECK(mean <= 1.0 - traits.delta + 1e-6 + (traits.deterministic ? 0.0 : 4.0 * standard_error));
}

// For one fixed x: the mean of `trials` reconstructions is within 5 standard
// errors of x in every coordinate (5 sigma: no flaky failures across 100s of coordinates).
inline void check_unbiased(const Compressor& c, std::size_t d, int trials = 4000) {
  RandomStream rng(13, 0, purpose_id("test.unbiased"));
  RandomStream draws(14, 0, purpose_id("test.compressor"));
  const auto x = random_vector(d, rng);
  std::vector<double> sum(d, 0.0), sum2(d, 0.0);
  CompressedMessage m;
  std::vector<double> y(d);
  for (int t = 0; t < trials; ++t) {
    c.compress(x, draws, m);
    c.decode(m, y);
    for (std::size_t i = 0; i < d; ++i) {
      sum[i] += y[i];
      sum2[i] += y[i] * y[i];
    }
  }
  int failures = 0;
  for (std::size_t i = 0; i < d; ++i) {
    const double mean = sum[i] / trials;
    const double variance = std::max(0.0, sum2[i] / trials - mean * mean);
    const double tolerance = 5.0 * std::sqrt(variance / trials) + 1e-6 * std::abs(x[i]) + 1e-12;
    failures += std::abs(mean - x[i]) > tolerance;
  }
  INFO(c.name());
  CHECK(failures == 0);
}

}  // namespace dlsim::testing
