// Synthetic generators. The draws happen in a fixed order (parameters first,
// then sample by sample), so a data set is a pure function of spec and stream.
#include "data/synthetic.hpp"

#include <cmath>
#include <fmt/format.h>

#include "sim/random.hpp"

namespace dlsim {
namespace {

void check(std::size_t samples, std::size_t features, std::size_t groups, const char* what) {
  if (samples == 0 || features == 0 || groups == 0 || groups > samples)
    throw std::invalid_argument(fmt::format("{}: needs samples >= groups >= 1 and features >= 1", what));
}

std::vector<double> normal_vector(std::size_t n, double stddev, RandomStream& rng) {
  std::vector<double> v(n);
  for (double& value : v) value = stddev * rng.normal();
  return v;
}

// One parameter vector per group: base + heterogeneity * N(0, scale^2 I).
std::vector<std::vector<double>> group_vectors(const std::vector<double>& base, std::size_t groups,
                                               double heterogeneity, double scale, RandomStream& rng) {
  std::vector<std::vector<double>> out(groups, base);
  if (heterogeneity != 0.0)
    for (auto& v : out)
      for (double& value : v) value += heterogeneity * scale * rng.normal();
  return out;
}

std::size_t group_of(std::size_t i, std::size_t samples, std::size_t groups) { return i * groups / samples; }

Dataset dense_set(std::string name, std::size_t samples, std::size_t features) {
  Dataset data;
  data.name = std::move(name);
  data.dim = features;
  data.dense.resize(samples * features);
  data.targets.resize(samples);
  return data;
}

}  // namespace

Dataset make_linear_regression(const LinearRegressionSpec& spec, RandomStream& rng) {
  check(spec.samples, spec.features, spec.groups, "linear regression");
  const double scale = 1.0 / std::sqrt(double(spec.features));
  const auto optimum = normal_vector(spec.features, scale, rng);
  const auto optima = group_vectors(optimum, spec.groups, spec.heterogeneity, scale, rng);
  Dataset data = dense_set("synthetic-linear-regression", spec.samples, spec.features);
  for (std::size_t i = 0; i < spec.samples; ++i) {
    const auto& w = optima[group_of(i, spec.samples, spec.groups)];
    double y = 0.0;
    for (std::size_t k = 0; k < spec.features; ++k) {
      const float a = static_cast<float>(rng.normal());
      data.dense[i * spec.features + k] = a;
      y += a * w[k];
    }
    data.targets[i] = y + spec.noise * rng.normal();
  }
  return data;
}

Dataset make_logistic(const LogisticSpec& spec, RandomStream& rng) {
  check(spec.samples, spec.features, spec.groups, "logistic data");
  const double scale = 1.0 / std::sqrt(double(spec.features));
  const auto direction = normal_vector(spec.features, scale, rng);
  const auto directions = group_vectors(direction, spec.groups, spec.heterogeneity, scale, rng);
  Dataset data = dense_set("synthetic-logistic", spec.samples, spec.features);
  data.num_classes = 2;
  data.label_map.class_labels = {-1.0, 1.0};
  data.classes.resize(spec.samples);
  std::vector<double> a(spec.features);
  for (std::size_t i = 0; i < spec.samples; ++i) {
    const auto& w = directions[group_of(i, spec.samples, spec.groups)];
    double norm2 = 0.0, dot = 0.0;
    for (double v : w) norm2 += v * v;
    for (std::size_t k = 0; k < spec.features; ++k) {
      a[k] = rng.normal();
      dot += a[k] * w[k];
    }
    double y = dot >= 0.0 ? 1.0 : -1.0;
    // Push along the unit direction so that y <a, w>/||w|| >= margin.
    const double push = norm2 > 0 ? y * spec.margin / std::sqrt(norm2) : 0.0;
    for (std::size_t k = 0; k < spec.features; ++k)
      data.dense[i * spec.features + k] = static_cast<float>(a[k] + push * w[k]);
    if (rng.bernoulli(spec.flip_probability)) y = -y;
    data.targets[i] = y;
    data.classes[i] = y > 0 ? 1 : 0;
  }
  return data;
}

Dataset make_gaussian_mixture(const GaussianMixtureSpec& spec, RandomStream& rng) {
  check(spec.samples, spec.features, spec.groups, "gaussian mixture");
  if (spec.classes < 2) throw std::invalid_argument("gaussian mixture: needs at least 2 classes");
  const double scale = 1.0 / std::sqrt(double(spec.features));
  std::vector<std::vector<double>> means(spec.classes);
  for (auto& mean : means) mean = normal_vector(spec.features, spec.separation * scale, rng);
  const auto shifts = group_vectors(std::vector<double>(spec.features, 0.0), spec.groups,
                                    spec.heterogeneity, scale, rng);
  Dataset data = dense_set("synthetic-gaussian-mixture", spec.samples, spec.features);
  data.num_classes = spec.classes;
  for (std::size_t c = 0; c < spec.classes; ++c) data.label_map.class_labels.push_back(double(c));
  data.classes.resize(spec.samples);
  for (std::size_t i = 0; i < spec.samples; ++i) {
    const auto c = static_cast<std::size_t>(rng.uniform_int(spec.classes));
    const auto& shift = shifts[group_of(i, spec.samples, spec.groups)];
    for (std::size_t k = 0; k < spec.features; ++k)
      data.dense[i * spec.features + k] =
          static_cast<float>(means[c][k] + shift[k] + spec.stddev * rng.normal());
    data.classes[i] = static_cast<std::int32_t>(c);
    data.targets[i] = double(c);
  }
  return data;
}

}  // namespace dlsim
