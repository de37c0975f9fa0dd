// Multinomial logistic (softmax) regression.
#pragma once

#include "models/model.hpp"

namespace dlsim {

// f(W, b) = (1/B) sum_j -log softmax(W a_j + b)[y_j] + (lambda/2) ||W||_F^2.
// Parameters: W (classes x features, column-major: the `classes` weights of
// feature 0 first), then b (classes); dimension classes * (features + 1).
// Requires class indices in [0, classes). Dense and sparse data.
// Accuracy: arg-max of the scores (lowest index on ties).
// Cost per sample: about 4 * classes * features (4 * classes * non-zeros sparse).
class SoftmaxRegression final : public Model {
 public:
  SoftmaxRegression(std::size_t features, std::size_t classes, double lambda = 0.0);

  std::size_t dimension() const override { return classes_ * (features_ + 1); }
  std::string name() const override;
  std::unique_ptr<ModelWorkspace> make_workspace() const override;
  double loss(std::span<const double> x, const Dataset& data, Batch batch,
              ModelWorkspace& workspace) const override;
  double loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                           std::span<double> gradient, ModelWorkspace& workspace) const override;
  bool has_accuracy() const override { return true; }
  double accuracy(std::span<const double> x, const Dataset& data, Batch batch,
                  ModelWorkspace& workspace) const override;
  double flops_per_sample(const Dataset& data) const override;

 private:
  double evaluate(std::span<const double> x, const Dataset& data, Batch batch, double* gradient,
                  std::size_t* correct, ModelWorkspace& workspace) const;

  std::size_t features_;
  std::size_t classes_;
  double lambda_;
};

}  // namespace dlsim
