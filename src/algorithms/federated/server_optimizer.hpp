// The server's optimiser: what the server does with the combined update.
//
// Reddi, Charles, Zaheer, Garrett, Rush, Konecny, Kumar, McMahan, "Adaptive
// federated optimization", ICLR 2021 (Algorithm 2): with Delta_t the
// combined client update (sum_i p_i (y_i - x_t), minus a pseudo-gradient),
//   sgd       x <- x + eta Delta                           (FedAvg with eta = 1)
//   momentum  m <- beta m + Delta;  x <- x + eta m          (FedAvgM, Hsu, Qi, Brown 2019)
//   adagrad   m <- b1 m + (1 - b1) Delta;  v <- v + Delta^2
//   yogi      m as adagrad;  v <- v - (1 - b2) Delta^2 sign(v - Delta^2)
//   adam      m as adagrad;  v <- b2 v + (1 - b2) Delta^2
//             and for the three adaptive ones x <- x + eta m / (sqrt(v) + tau),
// element-wise, with m_{-1} = 0 and v_{-1} = tau^2 as in the paper (no bias
// correction). The state (m, v) is allocated on the first step.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "algorithms/federated/config.hpp"

namespace dlsim {

class ServerOptimizer {
 public:
  // `config` should have passed validate(FederatedConfig).
  explicit ServerOptimizer(const ServerOptimizerConfig& config);

  // x <- x + step(delta); requires delta.size() == x.size(), the same on every call. O(d).
  void apply(std::span<double> x, std::span<const double> delta);
  // Floating-point operations per coordinate of one apply(), for the cost model.
  double flops_per_coordinate() const;
  std::size_t memory_bytes() const;

 private:
  ServerOptimizerConfig config_;
  std::vector<double> first_;   // m
  std::vector<double> second_;  // v
};

}  // namespace dlsim
