// Parameter-server SGD. Every client is a worker that computes one minibatch
// gradient at the model it last received and sends it to the server.
//   synchronous (ps-sgd): the server waits for one gradient from every
//     worker, averages them weighted by their batches' samples (so the step
//     is minibatch SGD on the union of the batches), takes an SGD step with
//     the run's optimiser and sends the new model to every worker.
//   asynchronous (ps-async-sgd): the server takes an SGD step with each
//     gradient as it arrives, at whatever staleness it has, and sends the new
//     model back to that worker: the asynchronous SGD of Dean et al., "Large
//     scale distributed deep networks" (Downpour SGD), NeurIPS 2012, as
//     analysed by Lian, Huang, Li, Liu, "Asynchronous parallel stochastic
//     gradient for nonconvex optimization", NeurIPS 2015.
// The server's optimiser is the [algorithm] one (learning rate and schedule
// by server step, momentum, weight decay), applied on the server.
#include <algorithm>
#include <vector>

#include "algorithms/federated/server_step.hpp"
#include "algorithms/local_optimizer.hpp"

namespace dlsim {
namespace {

class ParameterServerStep final : public ServerStep {
 public:
  ParameterServerStep(const FederatedConfig& config, bool synchronous)
      : config_(config), synchronous_(synchronous), optimizer_(&config.local) {}

  std::uint32_t batch_size() const override { return synchronous_ ? config_.clients : 1; }
  bool replaces_on_arrival() const override { return false; }
  bool fixed_workers() const override { return true; }

  ComputeCost cost(std::size_t updates, std::size_t dimension) const override {
    const double values = static_cast<double>(updates) * static_cast<double>(dimension);
    const double d = static_cast<double>(dimension);
    // The weighted sum, then the optimiser's step (as a client's local step).
    return ComputeCost{2.0 * values + 8.0 * d, 8.0 * values + 32.0 * d};
  }

  void step(std::uint64_t version, std::span<const StaleUpdate> updates, const VectorCodec& codec,
            std::span<const double> x, std::span<double> next) override {
    double samples = 0;
    for (const StaleUpdate& stale : updates) samples += static_cast<double>(stale.update->samples);
    gradient_.assign(x.size(), 0.0);
    for (const StaleUpdate& stale : updates)
      codec.add_decoded(*stale.update->delta, static_cast<double>(stale.update->samples) / samples, gradient_);
    std::copy(x.begin(), x.end(), next.begin());
    optimizer_.apply(version, x, gradient_, next);
  }

 private:
  const FederatedConfig& config_;
  bool synchronous_;
  LocalOptimizer optimizer_;
  std::vector<double> gradient_;
};

}  // namespace

std::unique_ptr<ServerStep> make_parameter_server_step(const FederatedConfig& config, bool synchronous) {
  return std::make_unique<ParameterServerStep>(config, synchronous);
}

}  // namespace dlsim
