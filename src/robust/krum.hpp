// Krum and multi-Krum (Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine
// learning with adversaries: Byzantine tolerant gradient descent", NeurIPS 2017).
#pragma once

#include <vector>

#include "robust/aggregator.hpp"

namespace dlsim {

// Each input's score is the sum of its squared distances to its n - f - 2
// nearest other inputs; Krum returns the input of lowest score (ties: lowest
// index), multi-Krum the mean of the m lowest (in input order). Needs
// n > 2f + 2 (the paper's condition: an honest input's n - f - 2 neighbours
// then include a majority of honest ones). Ignores weights.
// Cost: 1.5 n^2 d (pairwise distances) + n^2 log2 n (scores) + m d.
class Krum final : public RobustAggregator {
 public:
  // m = 1: Krum; m = 0: multi-Krum with m = n - f; else multi-Krum with m.
  Krum(std::size_t f, std::size_t m);
  std::string name() const override;
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override;
  // The indices averaged, in input order (for tests and metrics).
  std::vector<std::size_t> selected(std::span<const VectorView> inputs) const;

 private:
  std::size_t f_;
  std::size_t m_;
};

namespace robust_detail {
// Pairwise squared distances, n x n, symmetric, zero diagonal.
Eigen::MatrixXd pairwise_squared_distances(std::span<const VectorView> inputs);
// Krum scores of the candidates `active` (indices into the matrix), each over
// its max(1, |active| - f - 2) nearest other candidates.
std::vector<double> krum_scores(const Eigen::MatrixXd& distances, std::span<const std::size_t> active, std::size_t f);
}  // namespace robust_detail

}  // namespace dlsim
