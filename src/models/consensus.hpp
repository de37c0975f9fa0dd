// Average consensus as an optimisation problem.
#pragma once

#include "models/model.hpp"

namespace dlsim {

// f(x) = (1/B) sum_j 1/2 ||x - a_j||^2 over the feature rows a_j of the batch.
// A node holding the single row b_i minimises f_i(x) = 1/2 ||x - b_i||^2, and
// the network optimum is the mean of the b_i: the average consensus problem.
// Parameters: x, one per feature. Dense and sparse data. No accuracy.
class AverageConsensus final : public Model {
 public:
  explicit AverageConsensus(std::size_t features);

  std::size_t dimension() const override { return features_; }
  std::string name() const override;
  std::unique_ptr<ModelWorkspace> make_workspace() const override;
  double loss(std::span<const double> x, const Dataset& data, Batch batch,
              ModelWorkspace& workspace) const override;
  double loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                           std::span<double> gradient, ModelWorkspace& workspace) const override;
  double flops_per_sample(const Dataset& data) const override;

 private:
  double evaluate(std::span<const double> x, const Dataset& data, Batch batch, double* gradient) const;

  std::size_t features_;
};

}  // namespace dlsim
