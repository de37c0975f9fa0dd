// The nonsmooth example on which sign-SGD fails and error feedback works
// (Karimireddy, Rebjock, Stich, Jaggi, "Error feedback fixes SignSGD and other
// gradient compression schemes", ICML 2019, section 3).
#pragma once

#include "models/model.hpp"

namespace dlsim {

// f(x) = |x1 + x2| + 2 |x1 - x2| on R^2, minimum 0 at the origin. The data and
// the batch are ignored. The subgradient is
//   sign(x1 + x2) (1, 1) + 2 sign(x1 - x2) (1, -1), with sign(0) = 0.
// Away from x1 = x2 its sign is always +-(1, -1), so sign-SGD never changes
// x1 + x2 and stalls at f >= |x1 + x2| of its starting point.
class NonsmoothExample final : public Model {
 public:
  std::size_t dimension() const override { return 2; }
  std::string name() const override { return "nonsmooth(|x1+x2|+2|x1-x2|)"; }
  std::unique_ptr<ModelWorkspace> make_workspace() const override;
  double loss(std::span<const double> x, const Dataset& data, Batch batch,
              ModelWorkspace& workspace) const override;
  double loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                           std::span<double> gradient, ModelWorkspace& workspace) const override;
  double flops_per_sample(const Dataset&) const override { return 10.0; }
};

}  // namespace dlsim
