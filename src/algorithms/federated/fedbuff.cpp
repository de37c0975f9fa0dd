// FedBuff: Nguyen, Malik, Zhan, Yousefpour, Rabbat, Malek, Huba, "Federated
// learning with buffered asynchronous aggregation", AISTATS 2022
// (Algorithm 1). Clients train from whatever model they were sent; the
// server adds each arriving delta, weighted by its staleness, to a buffer,
// and after K of them applies the buffer's average with its optimiser:
//   Delta = (1 / W) sum_i w_i s(tau_i) Delta_i,  W = sum_i w_i,
//   x <- server_optimizer(x, Delta)   (sgd: x + eta_g Delta)
// with s(tau) = 1 / sqrt(1 + tau) (the paper's choice) or 1, and w_i = 1
// (the paper's 1/K) or n_i (weighting = "samples", as FedAvg). The
// normalisation is by the weights without the staleness factors, as in the
// paper, so stale buffers take shorter steps.
#include <algorithm>
#include <cmath>
#include <vector>

#include "algorithms/federated/server_optimizer.hpp"
#include "algorithms/federated/server_step.hpp"

namespace dlsim {
namespace {

class FedBuffStep final : public ServerStep {
 public:
  explicit FedBuffStep(const FederatedConfig& config) : config_(config), optimizer_(config.server) {}

  std::uint32_t batch_size() const override { return config_.asynchronous.buffer_size; }
  bool replaces_on_arrival() const override { return true; }

  ComputeCost cost(std::size_t updates, std::size_t dimension) const override {
    const double values = static_cast<double>(updates) * static_cast<double>(dimension);
    const double d = static_cast<double>(dimension);
    // A multiply-add per value, then the optimiser; reading the updates, x and the sum.
    return ComputeCost{2.0 * values + optimizer_.flops_per_coordinate() * d, 8.0 * (values + 3.0 * d)};
  }

  void step(std::uint64_t, std::span<const StaleUpdate> updates, const VectorCodec& codec, std::span<const double> x,
            std::span<double> next) override {
    double total = 0;
    for (const StaleUpdate& stale : updates) total += weight(stale);
    combined_.assign(x.size(), 0.0);
    for (const StaleUpdate& stale : updates)
      codec.add_decoded(*stale.update->delta,
                        weight(stale) * staleness_weight(config_.asynchronous.weighting, stale.staleness) / total,
                        combined_);
    std::copy(x.begin(), x.end(), next.begin());
    optimizer_.apply(next, combined_);
  }

 private:
  double weight(const StaleUpdate& stale) const {
    return config_.weighting == UpdateWeighting::samples ? static_cast<double>(stale.update->samples) : 1.0;
  }

  const FederatedConfig& config_;
  ServerOptimizer optimizer_;
  std::vector<double> combined_;
};

}  // namespace

double staleness_weight(StalenessWeighting weighting, std::uint64_t staleness) {
  if (weighting == StalenessWeighting::constant) return 1.0;
  return 1.0 / std::sqrt(1.0 + static_cast<double>(staleness));
}

std::unique_ptr<ServerStep> make_fedbuff_step(const FederatedConfig& config) {
  return std::make_unique<FedBuffStep>(config);
}

}  // namespace dlsim
