// Models: loss and gradient of a minibatch, on flat parameter vectors.
//
// Design note. A Model is an immutable description (architecture and
// hyper-parameters); it holds no per-call state, so one instance serves every
// node and every thread. The scratch memory a computation needs lives in a
// ModelWorkspace that the caller owns (one per thread or per running task) and
// reuses: after the first call with a given batch size, loss and gradient
// allocate nothing. Parameters are a flat std::span<double> whose layout each
// model documents; inside, the models view it through Eigen maps and use Eigen
// matrix products over the whole minibatch. Batches larger than an internal
// chunk (256 samples) are processed chunk by chunk, so evaluating on a full
// data set needs no more memory than a training step.
//
// Every loss is the mean over the batch plus the model's regulariser, and every
// gradient is the gradient (or a subgradient) of exactly that value; the tests
// check each one against central finite differences.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "data/dataset.hpp"

namespace dlsim {

class RandomStream;

// Scratch memory for one model's computations. Obtain it from that model's
// make_workspace(); not shared between threads.
class ModelWorkspace {
 public:
  virtual ~ModelWorkspace() = default;
};

// Row indices into a Dataset: the samples of one minibatch.
using Batch = std::span<const std::uint32_t>;

class Model {
 public:
  virtual ~Model() = default;

  // Number of parameters.
  virtual std::size_t dimension() const = 0;
  // Short name with its shape, e.g. "mlp(784-128-10)".
  virtual std::string name() const = 0;
  // A workspace for this model. Cheap: buffers grow on first use.
  virtual std::unique_ptr<ModelWorkspace> make_workspace() const = 0;

  // Mean loss over `batch` plus the regulariser, at parameters x
  // (x.size() == dimension()). Requires data.dim to match the model's input.
  virtual double loss(std::span<const double> x, const Dataset& data, Batch batch,
                      ModelWorkspace& workspace) const = 0;
  // Same value as loss(); also writes its gradient (or a subgradient) into
  // `gradient` (size dimension(), overwritten).
  virtual double loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                                   std::span<double> gradient, ModelWorkspace& workspace) const = 0;
  // The gradient of loss_and_gradient, bit for bit, without the loss: what a
  // training step needs. Models whose loss costs extra work (the logistic
  // loss's logarithm) skip it; the default calls loss_and_gradient.
  virtual void gradient(std::span<const double> x, const Dataset& data, Batch batch, std::span<double> gradient,
                        ModelWorkspace& workspace) const {
    loss_and_gradient(x, data, batch, gradient, workspace);
  }

  // Whether accuracy() means something (classifiers).
  virtual bool has_accuracy() const { return false; }
  // Fraction of `batch` classified correctly, in [0, 1]; NaN where it does not apply.
  virtual double accuracy(std::span<const double> x, const Dataset& data, Batch batch,
                          ModelWorkspace& workspace) const;

  // Initial parameters: zeros unless the model says otherwise (the MLP draws He
  // initialisation from `rng`).
  virtual void initialize(std::span<double> x, RandomStream& rng) const;
  // A random starting point (model.init = "random"): each parameter drawn from
  // N(0, 1 / dimension()), so that ||x|| is about 1 whatever the size, unless
  // the model says otherwise (the MLP: its He draw, as initialize()).
  virtual void initialize_random(std::span<double> x, RandomStream& rng) const;

  // Approximate floating-point operations for one sample's loss and gradient,
  // for the engine's compute-cost model.
  virtual double flops_per_sample(const Dataset& data) const = 0;
};

}  // namespace dlsim
