// Binary logistic regression with L2 regularisation, labels -1/+1 (the convex
// experiments of CHOCO-SGD, Koloskova, Stich, Jaggi, ICML 2019).
#pragma once

#include "models/model.hpp"

namespace dlsim {

// f(w) = (1/B) sum_j log(1 + exp(-y_j <a_j, w>)) + (lambda/2) ||w||^2.
// Parameters: w, one weight per feature (no bias; add a constant feature for
// one). Requires a binary data set (targets -1/+1). Dense and sparse data.
// Accuracy: sign(<a, w>) == y, with 0 predicted as +1.
// Cost per sample: about 4 * features (or 4 * non-zeros when sparse).
class LogisticRegression final : public Model {
 public:
  LogisticRegression(std::size_t features, double lambda = 0.0);

  std::size_t dimension() const override { return features_; }
  std::string name() const override;
  std::unique_ptr<ModelWorkspace> make_workspace() const override;
  double loss(std::span<const double> x, const Dataset& data, Batch batch,
              ModelWorkspace& workspace) const override;
  double loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                           std::span<double> gradient, ModelWorkspace& workspace) const override;
  void gradient(std::span<const double> x, const Dataset& data, Batch batch, std::span<double> gradient,
                ModelWorkspace& workspace) const override;
  bool has_accuracy() const override { return true; }
  double accuracy(std::span<const double> x, const Dataset& data, Batch batch,
                  ModelWorkspace& workspace) const override;
  double flops_per_sample(const Dataset& data) const override;

 private:
  // want_loss false: the loss is not computed (0 is returned).
  double evaluate(std::span<const double> x, const Dataset& data, Batch batch, double* gradient,
                  std::size_t* correct, ModelWorkspace& workspace, bool want_loss = true) const;

  std::size_t features_;
  double lambda_;
};

}  // namespace dlsim
