// Shared by the model tests: central finite differences and small fixtures.
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "data/dataset.hpp"
#include "models/model.hpp"
#include "sim/random.hpp"

namespace dlsim::testing {

// max_k |g_k - (f(x + h e_k) - f(x - h e_k)) / 2h| / max(1, ||g||_inf): the
// central difference has error O(h^2 f''') ~ 1e-10 at h = 1e-5, far below 1e-6.
inline double gradient_error(const Model& model, std::vector<double> x, const Dataset& data,
                             const std::vector<std::uint32_t>& batch, double h = 1e-5) {
  auto ws = model.make_workspace();
  std::vector<double> g(x.size());
  model.loss_and_gradient(x, data, batch, g, *ws);
  double worst = 0.0, scale = 1.0;
  for (double v : g) scale = std::max(scale, std::abs(v));
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double saved = x[k];
    x[k] = saved + h;
    const double up = model.loss(x, data, batch, *ws);
    x[k] = saved - h;
    const double down = model.loss(x, data, batch, *ws);
    x[k] = saved;
    worst = std::max(worst, std::abs(g[k] - (up - down) / (2 * h)));
  }
  return worst / scale;
}

inline std::vector<double> random_vector(std::size_t n, double stddev, std::uint64_t seed) {
  RandomStream rng(seed, 0, purpose_id("test.vector"));
  std::vector<double> v(n);
  for (double& value : v) value = stddev * rng.normal();
  return v;
}

inline std::vector<std::uint32_t> all_rows(const Dataset& data) {
  std::vector<std::uint32_t> rows(data.size());
  std::iota(rows.begin(), rows.end(), 0u);
  return rows;
}

// A sparse copy of a dense data set (zeros dropped), for the sparse code paths.
inline Dataset to_sparse(const Dataset& dense) {
  Dataset out = dense;
  out.dense.clear();
  out.row_offsets.push_back(0);
  for (std::size_t i = 0; i < dense.size(); ++i) {
    for (std::size_t k = 0; k < dense.dim; ++k)
      if (dense.row(i)[k] != 0.0f) {
        out.columns.push_back(std::uint32_t(k));
        out.values.push_back(dense.row(i)[k]);
      }
    out.row_offsets.push_back(out.values.size());
  }
  return out;
}

// A random classification set whose rows have ~half their features zero.
inline Dataset random_classification(std::size_t n, std::size_t d, std::size_t classes, std::uint64_t seed) {
  RandomStream rng(seed, 0, purpose_id("test.data"));
  Dataset data;
  data.dim = d;
  data.num_classes = classes;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < d; ++k) data.dense.push_back(rng.bernoulli(0.5) ? float(rng.normal()) : 0.0f);
    const auto c = std::int32_t(rng.uniform_int(classes));
    data.classes.push_back(c);
    data.targets.push_back(classes == 2 ? (c ? 1.0 : -1.0) : double(c));
  }
  return data;
}

}  // namespace dlsim::testing
