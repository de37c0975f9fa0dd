// Throughput of the learning core: gradients in samples/s, compressors in GB/s
// of input (8-byte doubles). Each figure is the median of several timed runs
// after a warm-up. Usage: bench_learning_core [runs] (default 7).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <numeric>
#include <vector>

#include "compress/factory.hpp"
#include "data/synthetic.hpp"
#include "models/logistic.hpp"
#include "models/mlp.hpp"
#include "sim/random.hpp"

using namespace dlsim;

namespace {

template <typename F>
double median_seconds(int runs, F&& run) {
  run();  // warm-up: grows buffers, faults pages in
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + runs / 2, times.end());
  return times[runs / 2];
}

void gradient(const char* label, const Model& model, const Dataset& data, std::size_t batch_size, int runs) {
  auto ws = model.make_workspace();
  std::vector<double> x(model.dimension()), g(model.dimension());
  RandomStream rng(1, 0, purpose_id("bench.init"));
  model.initialize(x, rng);
  for (double& v : x) v += 0.01 * rng.normal();
  std::vector<std::uint32_t> batch(batch_size);
  const int steps = 50;
  const double seconds = median_seconds(runs, [&] {
    for (int s = 0; s < steps; ++s) {
      for (std::size_t j = 0; j < batch_size; ++j) batch[j] = std::uint32_t((s * batch_size + j) % data.size());
      model.loss_and_gradient(x, data, batch, g, *ws);
    }
  });
  fmt::print("{:<40} {:>12.0f} samples/s\n", label, double(steps * batch_size) / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  fmt::print("gradient throughput (one core, median of {} runs)\n", runs);
  {
    RandomStream rng(1, 0, purpose_id("bench.data"));
    LogisticSpec spec;
    spec.samples = 4096;
    spec.features = 2000;
    const Dataset data = make_logistic(spec, rng);
    gradient("logistic d=2000, batch 128", LogisticRegression(2000, 1e-4), data, 128, runs);
  }
  {
    RandomStream rng(2, 0, purpose_id("bench.data"));
    GaussianMixtureSpec spec;
    spec.samples = 4096;
    spec.features = 784;
    spec.classes = 10;
    const Dataset data = make_gaussian_mixture(spec, rng);
    gradient("mlp 784-128-10, batch 64", Mlp({784, 128, 10}), data, 64, runs);
  }

  const std::size_t d = 1000000;
  fmt::print("\ncompressors on d = {} doubles (compress + bits; median of {} runs)\n", d, runs);
  std::vector<double> x(d);
  RandomStream rng(3, 0, purpose_id("bench.vector"));
  for (double& v : x) v = rng.normal();
  const std::vector<std::pair<std::string, ParamMap>> cases = {
      {"identity", {}},
      {"top-k", {{"ratio", 0.01}}},
      {"top-k", {{"ratio", 0.01}, {"index", "elias-gamma"}}},
      {"rand-k", {{"ratio", 0.01}}},
      {"sign", {}},
      {"qsgd", {{"levels", 16}}},
      {"qsgd", {{"levels", 16}, {"coding", "elias"}}},
      {"natural", {}},
      {"low-precision", {{"format", "fp16"}}},
      {"low-precision", {{"format", "bf16"}}},
      {"low-precision", {{"format", "int8"}}},
      {"low-precision", {{"format", "int8"}, {"stochastic", true}}},
      {"power-sgd", {{"rows", 1000}, {"rank", 4}}},
      {"threshold", {{"threshold", 2.5}}},
  };
  for (const auto& [kind, params] : cases) {
    const auto compressor = make_compressor(kind, params);
    CompressedMessage message;
    RandomStream draws(4, 0, purpose_id("bench.compress"));
    const double seconds = median_seconds(runs, [&] { compressor->compress(x, draws, message); });
    std::vector<double> out(d);
    const double decode_seconds = median_seconds(runs, [&] { compressor->decode(message, out); });
    fmt::print("{:<58} {:>7.2f} GB/s  decode {:>7.2f} GB/s  {:>6.2f} bits/value\n", compressor->name(),
               double(d) * 8 / seconds / 1e9, double(d) * 8 / decode_seconds / 1e9, double(message.bits()) / double(d));
  }
}
