// Server optimisers (Reddi et al., ICLR 2021); see server_optimizer.hpp.
#include "algorithms/federated/server_optimizer.hpp"

#include <cmath>
#include <stdexcept>

namespace dlsim {

ServerOptimizer::ServerOptimizer(const ServerOptimizerConfig& config) : config_(config) {}

void ServerOptimizer::apply(std::span<double> x, std::span<const double> delta) {
  if (delta.size() != x.size()) throw std::invalid_argument("the server update has the wrong dimension");
  const std::size_t d = x.size();
  const double eta = config_.learning_rate;
  switch (config_.kind) {
    case ServerOptimizerKind::sgd:
      for (std::size_t k = 0; k < d; ++k) x[k] += eta * delta[k];
      return;
    case ServerOptimizerKind::momentum:
      if (first_.empty()) first_.assign(d, 0.0);
      for (std::size_t k = 0; k < d; ++k) {
        first_[k] = config_.momentum * first_[k] + delta[k];
        x[k] += eta * first_[k];
      }
      return;
    case ServerOptimizerKind::adagrad:
    case ServerOptimizerKind::yogi:
    case ServerOptimizerKind::adam:
      break;
  }
  if (first_.empty()) {
    first_.assign(d, 0.0);
    second_.assign(d, config_.tau * config_.tau);
  }
  const double b1 = config_.beta1, b2 = config_.beta2;
  for (std::size_t k = 0; k < d; ++k) {
    const double squared = delta[k] * delta[k];
    first_[k] = b1 * first_[k] + (1 - b1) * delta[k];
    double& v = second_[k];
    switch (config_.kind) {
      case ServerOptimizerKind::adagrad: v += squared; break;
      case ServerOptimizerKind::yogi: {
        const double difference = v - squared;
        v -= (1 - b2) * squared * static_cast<double>((difference > 0) - (difference < 0));
        break;
      }
      default: v = b2 * v + (1 - b2) * squared; break;
    }
    x[k] += eta * first_[k] / (std::sqrt(v) + config_.tau);
  }
}

double ServerOptimizer::flops_per_coordinate() const {
  switch (config_.kind) {
    case ServerOptimizerKind::sgd: return 2;
    case ServerOptimizerKind::momentum: return 4;
    default: return 12;
  }
}

std::size_t ServerOptimizer::memory_bytes() const {
  return sizeof(*this) + sizeof(double) * (first_.capacity() + second_.capacity());
}

}  // namespace dlsim
