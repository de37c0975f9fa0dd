// On-demand synthetic samples; see on_demand.hpp.
#include "data/on_demand.hpp"

#include <array>
#include <cmath>
#include <stdexcept>
#include <string_view>

namespace dlsim {
namespace {

// Doornik's 128-layer ziggurat: R is where the tail starts, V the area of each layer.
constexpr int kLayers = 128;
constexpr double kTailStart = 3.442619855899;
constexpr double kLayerArea = 9.91256303526217e-3;

struct ZigguratTables {
  std::array<double, kLayers + 1> x{};  // layer edges; x[0] = V / f(R) stands for the base strip with its tail
  std::array<double, kLayers> ratio{};  // x[i + 1] / x[i]: below it, a point is inside the next layer

  ZigguratTables() {
    double f = std::exp(-0.5 * kTailStart * kTailStart);
    x[0] = kLayerArea / f;
    x[1] = kTailStart;
    x[kLayers] = 0.0;
    for (int i = 2; i < kLayers; ++i) {
      x[i] = std::sqrt(-2.0 * std::log(kLayerArea / x[i - 1] + f));
      f = std::exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i < kLayers; ++i) ratio[i] = x[i + 1] / x[i];
  }
};

const ZigguratTables& tables() {
  static const ZigguratTables instance;
  return instance;
}

// Marsaglia's tail beyond R, on the side of `negative`.
double normal_tail(RandomStream& rng, bool negative) {
  double x, y;
  do {
    x = std::log(1.0 - rng.uniform()) / kTailStart;  // <= 0
    y = std::log(1.0 - rng.uniform());
  } while (-2.0 * y < x * x);
  return negative ? x - kTailStart : kTailStart - x;
}

constexpr std::string_view kSetName = "synthetic-logistic-on-demand";

}  // namespace

double ziggurat_normal(RandomStream& rng) {
  const ZigguratTables& t = tables();
  for (;;) {
    const std::uint64_t bits = rng.next_u64();
    const int layer = static_cast<int>(bits & (kLayers - 1));
    // The top 53 bits, disjoint from the layer bits: u uniform in [-1, 1).
    const double u = 2.0 * (static_cast<double>(bits >> 11) * 0x1.0p-53) - 1.0;
    if (std::abs(u) < t.ratio[layer]) return u * t.x[layer];  // inside the rectangle: 98.8% of draws
    if (layer == 0) return normal_tail(rng, u < 0);
    const double x = u * t.x[layer];
    const double f0 = std::exp(-0.5 * (t.x[layer] * t.x[layer] - x * x));
    const double f1 = std::exp(-0.5 * (t.x[layer + 1] * t.x[layer + 1] - x * x));
    if (f1 + rng.uniform() * (f0 - f1) < 1.0) return x;
  }
}

std::vector<double> logistic_direction(std::size_t d, RandomStream& rng) {
  if (d == 0) throw std::invalid_argument("logistic_direction: the dimension must be positive");
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<double> w(d);
  for (double& value : w) value = scale * rng.normal();
  return w;
}

void generate_logistic(std::span<const double> w_star, double flip_probability, std::size_t count,
                       RandomStream& rng, Dataset& out) {
  const std::size_t d = w_star.size();
  if (out.name != kSetName) out.name = kSetName;
  out.dim = d;
  out.num_classes = 2;
  // resize() keeps the capacity, so a call of the same size allocates nothing.
  out.dense.resize(count * d);
  out.targets.resize(count);
  out.classes.resize(count);
  out.row_offsets.clear();
  out.columns.clear();
  out.values.clear();
  for (std::size_t i = 0; i < count; ++i) {
    float* row = out.dense.data() + i * d;
    double dot = 0.0;
    for (std::size_t k = 0; k < d; ++k) {
      row[k] = static_cast<float>(ziggurat_normal(rng));
      dot += static_cast<double>(row[k]) * w_star[k];  // on the stored value, so the label matches the data
    }
    double y = dot >= 0.0 ? 1.0 : -1.0;
    if (rng.bernoulli(flip_probability)) y = -y;
    out.targets[i] = y;
    out.classes[i] = y > 0 ? 1 : 0;
  }
}

OnDemandGenerator make_logistic_generator(std::shared_ptr<const std::vector<double>> w_star,
                                          double flip_probability) {
  if (!w_star || w_star->empty()) throw std::invalid_argument("make_logistic_generator: w* is needed");
  if (!(flip_probability >= 0.0 && flip_probability <= 1.0))
    throw std::invalid_argument("make_logistic_generator: the flip probability must be in [0, 1]");
  return [w_star = std::move(w_star), flip_probability](NodeId, std::size_t count, RandomStream& rng, Dataset& out) {
    generate_logistic(*w_star, flip_probability, count, rng, out);
  };
}

}  // namespace dlsim
