// Synthetic data sets, generated from a RandomStream (same seed, same data).
//
// Heterogeneity. Every generator can split its samples into `groups`
// consecutive blocks (sample i belongs to group i * groups / samples) whose
// local optimum differs by `heterogeneity`: 0 makes all groups identically
// distributed, larger values move each group's optimum (or class means)
// further from the others. With partition_contiguous() and groups = nodes,
// node i sees exactly group i, the non-iid setting of decentralized-SGD papers.
#pragma once

#include <cstddef>

#include "data/dataset.hpp"

namespace dlsim {

class RandomStream;

struct LinearRegressionSpec {
  std::size_t samples = 1000;
  std::size_t features = 10;
  double noise = 0.1;          // standard deviation of the additive label noise
  std::size_t groups = 1;
  double heterogeneity = 0.0;  // group optimum = w* + heterogeneity * N(0, I)
};
// a ~ N(0, I); y = <a, w_g> + noise * N(0, 1); w* ~ N(0, I / features).
Dataset make_linear_regression(const LinearRegressionSpec& spec, RandomStream& rng);

struct LogisticSpec {
  std::size_t samples = 1000;
  std::size_t features = 10;
  // Each sample is pushed by margin * y along w*/||w*||: margin > 0 with
  // flip_probability = 0 makes the classes linearly separable with that gap.
  double margin = 0.0;
  double flip_probability = 0.0;  // labels flipped at random: overlap between classes
  std::size_t groups = 1;
  double heterogeneity = 0.0;     // group direction = w* + heterogeneity * N(0, I)
};
// a ~ N(0, I); y = sign(<a, w_g>) in {-1, +1} (0 -> +1), then the margin push and flips.
Dataset make_logistic(const LogisticSpec& spec, RandomStream& rng);

struct GaussianMixtureSpec {
  std::size_t samples = 1000;
  std::size_t features = 10;
  std::size_t classes = 3;
  double separation = 3.0;     // class means ~ separation * N(0, I / features): about `separation` apart
  double stddev = 1.0;         // within-class standard deviation
  std::size_t groups = 1;
  double heterogeneity = 0.0;  // per-group shift of all class means: heterogeneity * N(0, I / features)
};
// Class uniform in [0, classes); a = mean_class + shift_group + stddev * N(0, I).
Dataset make_gaussian_mixture(const GaussianMixtureSpec& spec, RandomStream& rng);

}  // namespace dlsim
