// Bulyan (El Mhamdi, Guerraoui, Rouault, "The hidden vulnerability of
// distributed learning in Byzantium", ICML 2018).
#pragma once

#include "robust/aggregator.hpp"

namespace dlsim {

// Selects theta = n - 2f inputs by Krum applied repeatedly (each pick leaves the
// candidate set; scores over max(1, |set| - f - 2) neighbours), then, per
// coordinate, averages the beta = theta - 2f selected values closest to their
// median. Needs n >= 4f + 3. Ignores weights.
// Cost: 1.5 n^2 d + theta n^2 log2 n + theta d log2 theta.
class Bulyan final : public RobustAggregator {
 public:
  explicit Bulyan(std::size_t f) : f_(f) {}
  std::string name() const override;
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override;

 private:
  std::size_t f_;
};

}  // namespace dlsim
