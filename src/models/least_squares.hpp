// Least squares regression.
#pragma once

#include "models/model.hpp"

namespace dlsim {

// f(w) = (1/(2B)) sum_j (<a_j, w> - y_j)^2 + (lambda/2) ||w||^2.
// Parameters: w, one weight per feature (no bias). Dense and sparse data.
// No accuracy. Cost per sample: about 4 * features (4 * non-zeros when sparse).
class LeastSquares final : public Model {
 public:
  LeastSquares(std::size_t features, double lambda = 0.0);

  std::size_t dimension() const override { return features_; }
  std::string name() const override;
  std::unique_ptr<ModelWorkspace> make_workspace() const override;
  double loss(std::span<const double> x, const Dataset& data, Batch batch,
              ModelWorkspace& workspace) const override;
  double loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                           std::span<double> gradient, ModelWorkspace& workspace) const override;
  double flops_per_sample(const Dataset& data) const override;

 private:
  double evaluate(std::span<const double> x, const Dataset& data, Batch batch, double* gradient,
                  ModelWorkspace& workspace) const;

  std::size_t features_;
  double lambda_;
};

}  // namespace dlsim
