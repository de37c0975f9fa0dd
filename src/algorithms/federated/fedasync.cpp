// FedAsync: Xie, Koyejo, Gupta, "Asynchronous federated optimization",
// arXiv:1903.03934, 2019 (Algorithm 1). The server applies every client
// model y as it arrives, mixed into its own by a weight that shrinks with
// the update's staleness t - tau:
//   x <- (1 - a) x + a y,   a = alpha s(t - tau),
// with s = 1 or the polynomial (1 + t - tau)^-a_exp (the paper's Eq. 4 and
// its "poly" choice). The client sends y - x_tau through the uplink codec;
// the server adds it to the x_tau it sent (its own copy, kept while the
// client trains), so y is what the codec lets through. The clients' optional proximal term
// rho/2 ||y - x_tau||^2 is `mu` (the local trainer's FedProx term).
#include <cmath>
#include <vector>

#include "algorithms/federated/server_step.hpp"

namespace dlsim {
namespace {

class FedAsyncStep final : public ServerStep {
 public:
  explicit FedAsyncStep(const FederatedConfig& config) : config_(config) {}

  std::uint32_t batch_size() const override { return 1; }
  bool replaces_on_arrival() const override { return false; }

  ComputeCost cost(std::size_t updates, std::size_t dimension) const override {
    const double values = static_cast<double>(updates) * static_cast<double>(dimension);
    // y = x_tau + delta, then the mix: 4 flops per value, reading x_tau, delta and x, writing x.
    return ComputeCost{4.0 * values, 32.0 * values};
  }

  void step(std::uint64_t, std::span<const StaleUpdate> updates, const VectorCodec& codec, std::span<const double> x,
            std::span<double> next) override {
    const StaleUpdate& stale = updates.front();
    const AsynchronousConfig& asynchronous = config_.asynchronous;
    const double a =
        asynchronous.mixing_alpha * staleness_factor(asynchronous.function, asynchronous.exponent, stale.staleness);
    client_model_ = *stale.base;
    codec.add_decoded(*stale.update->delta, 1.0, client_model_);
    for (std::size_t k = 0; k < x.size(); ++k) next[k] = (1 - a) * x[k] + a * client_model_[k];
  }

 private:
  const FederatedConfig& config_;
  std::vector<double> client_model_;  // y
};

}  // namespace

double staleness_factor(StalenessFunction function, double exponent, std::uint64_t staleness) {
  if (function == StalenessFunction::constant) return 1.0;
  return std::pow(1.0 + static_cast<double>(staleness), -exponent);
}

std::unique_ptr<ServerStep> make_fedasync_step(const FederatedConfig& config) {
  return std::make_unique<FedAsyncStep>(config);
}

}  // namespace dlsim
