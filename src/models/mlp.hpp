// Multilayer perceptron: ReLU hidden layers, softmax output, cross-entropy loss.
#pragma once

#include <vector>

#include "models/model.hpp"

namespace dlsim {

// layers = {inputs, hidden_1, ..., hidden_k, classes} (k >= 0; k = 0 is softmax
// regression). Layer l maps H_{l-1} to Z_l = W_l H_{l-1} + b_l, H_l = relu(Z_l)
// for hidden layers, softmax on the last.
// f = (1/B) sum_j cross_entropy_j + (weight_decay/2) sum_l ||W_l||_F^2.
// Parameters, layer by layer: W_l (outputs x inputs, column-major) then b_l.
// Sparse data is densified chunk by chunk. Accuracy: arg-max of the outputs.
// initialize(): He et al. (ICCV 2015): W_l ~ N(0, 2 / inputs_l), b_l = 0.
// Cost per sample: about 6 * sum_l inputs_l * outputs_l.
class Mlp final : public Model {
 public:
  explicit Mlp(std::vector<std::size_t> layers, double weight_decay = 0.0);

  std::size_t dimension() const override { return dimension_; }
  std::string name() const override;
  std::unique_ptr<ModelWorkspace> make_workspace() const override;
  double loss(std::span<const double> x, const Dataset& data, Batch batch,
              ModelWorkspace& workspace) const override;
  double loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                           std::span<double> gradient, ModelWorkspace& workspace) const override;
  bool has_accuracy() const override { return true; }
  double accuracy(std::span<const double> x, const Dataset& data, Batch batch,
                  ModelWorkspace& workspace) const override;
  void initialize(std::span<double> x, RandomStream& rng) const override;
  void initialize_random(std::span<double> x, RandomStream& rng) const override { initialize(x, rng); }
  double flops_per_sample(const Dataset& data) const override;

  const std::vector<std::size_t>& layers() const { return layers_; }

 private:
  double evaluate(std::span<const double> x, const Dataset& data, Batch batch, double* gradient,
                  std::size_t* correct, ModelWorkspace& workspace) const;

  std::vector<std::size_t> layers_;
  std::vector<std::size_t> offsets_;  // start of W_l in the parameter vector; b_l follows W_l
  std::size_t dimension_ = 0;
  double weight_decay_;
};

}  // namespace dlsim
