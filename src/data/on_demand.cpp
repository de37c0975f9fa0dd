// On-demand synthetic samples; see on_demand.hpp.
#include "data/on_demand.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
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

// Standard normal by the ziggurat method (Marsaglia and Tsang, "The ziggurat
// method for generating random variables", JSS 2000), 128 layers, with the
// layer and the value from disjoint bits of one 32-bit word as in Doornik, "An
// improved ziggurat method to generate normal random samples", 2005. The value
// has 25 bits (resolution 2^-24 * R, about 2e-7), enough for features stored
// as float; 98.8% of draws cost one word and no transcendental function.
double ziggurat_normal(WordStream& bits) {
  const ZigguratTables& t = tables();
  for (;;) {
    const std::uint32_t word = bits.next();
    const std::uint32_t layer = word & (kLayers - 1);
    const double u = (static_cast<double>(word >> 7) + 0.5) * 0x1.0p-24 - 1.0;  // in (-1, 1)
    if (std::abs(u) < t.ratio[layer]) return u * t.x[layer];  // inside the rectangle
    if (layer == 0) {
      // Marsaglia's tail beyond R, on the side of u.
      double x, y;
      do {
        x = std::log(bits.uniform_open()) / kTailStart;  // < 0
        y = std::log(bits.uniform_open());
      } while (-2.0 * y < x * x);
      return u < 0 ? x - kTailStart : kTailStart - x;
    }
    const double x = u * t.x[layer];
    const double f0 = std::exp(-0.5 * (t.x[layer] * t.x[layer] - x * x));
    const double f1 = std::exp(-0.5 * (t.x[layer + 1] * t.x[layer + 1] - x * x));
    if (f1 + bits.uniform_open() * (f0 - f1) < 1.0) return x;
  }
}

constexpr std::string_view kSetName = "synthetic-logistic-on-demand";

// The 8 Rademacher features one byte of random bits gives: bit b clear ->
// +1, set -> -1 (feature b of the byte). A table copy instead of per-bit
// arithmetic: without AVX2 (no per-lane variable shift) the compiler cannot
// vectorise the bit loop, which cost 2/3 of drawing the samples.
struct RademacherTable {
  std::array<std::array<float, 8>, 256> features{};
  RademacherTable() {
    for (unsigned byte = 0; byte < 256; ++byte)
      for (unsigned b = 0; b < 8; ++b) features[byte][b] = 1.0f - 2.0f * static_cast<float>((byte >> b) & 1u);
  }
};

const RademacherTable& rademacher_table() {
  static const RademacherTable instance;
  return instance;
}

}  // namespace

std::vector<double> logistic_direction(std::size_t d, RandomStream& rng) {
  if (d == 0) throw std::invalid_argument("logistic_direction: the dimension must be positive");
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<double> w(d);
  for (double& value : w) value = scale * rng.normal();
  return w;
}

void generate_logistic(std::span<const double> w_star, double flip_probability, std::size_t count,
                       RandomStream& rng, Dataset& out, FeatureDistribution features) {
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
  WordStream bits(rng, 0x656d616e6f6e2d64ull /* "on-deman" */);
  for (std::size_t i = 0; i < count; ++i) {
    float* row = out.dense.data() + i * d;
    if (features == FeatureDistribution::normal) {
      for (std::size_t k = 0; k < d; ++k) row[k] = static_cast<float>(ziggurat_normal(bits));
    } else {
      // Whole words, a byte's 8 features at a time from a table (no branch:
      // the bits are random, a branch would be mispredicted half the time).
      const RademacherTable& table = rademacher_table();
      std::size_t k = 0;
      for (; k + 32 <= d; k += 32) {
        const std::uint32_t word = bits.next();
        for (unsigned byte = 0; byte < 4; ++byte)
          std::memcpy(row + k + 8 * byte, table.features[(word >> (8 * byte)) & 0xFFu].data(), 8 * sizeof(float));
      }
      if (k < d) {
        const std::uint32_t word = bits.next();
        for (std::size_t j = k; j < d; ++j) row[j] = 1.0f - 2.0f * static_cast<float>((word >> (j - k)) & 1u);
      }
    }
    // A loop of its own, on the stored values (so the label matches the data),
    // with four partial sums: the ziggurat's rare calls (exp, log) would
    // otherwise keep the sum in memory, one store-load chain per feature.
    double partial[4] = {0.0, 0.0, 0.0, 0.0};
    std::size_t k = 0;
    for (; k + 4 <= d; k += 4)
      for (std::size_t j = 0; j < 4; ++j) partial[j] += static_cast<double>(row[k + j]) * w_star[k + j];
    for (; k < d; ++k) partial[0] += static_cast<double>(row[k]) * w_star[k];
    const double dot = (partial[0] + partial[1]) + (partial[2] + partial[3]);
    double y = dot >= 0.0 ? 1.0 : -1.0;
    if (bits.uniform_open() < flip_probability) y = -y;
    out.targets[i] = y;
    out.classes[i] = y > 0 ? 1 : 0;
  }
}

OnDemandGenerator make_logistic_generator(std::shared_ptr<const std::vector<double>> w_star,
                                          double flip_probability, FeatureDistribution features) {
  if (!w_star || w_star->empty()) throw std::invalid_argument("make_logistic_generator: w* is needed");
  if (!(flip_probability >= 0.0 && flip_probability <= 1.0))
    throw std::invalid_argument("make_logistic_generator: the flip probability must be in [0, 1]");
  return [w_star = std::move(w_star), flip_probability, features](NodeId, std::size_t count, RandomStream& rng,
                                                                  Dataset& out) {
    generate_logistic(*w_star, flip_probability, count, rng, out, features);
  };
}

}  // namespace dlsim
