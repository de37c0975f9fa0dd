// The nonsmooth example on which sign-SGD fails and error feedback works
// (Karimireddy, Rebjock, Stich, Jaggi, "Error feedback fixes SignSGD and other
// gradient compression schemes", ICML 2019, section 3).
#pragma once

#include "models/model.hpp"

namespace dlsim {

// f(x) = |x1 + x2| + 2 |x1 - x2| on R^2, minimum 0 at the origin. The data and
// the batch are ignored. The subgradient returned is
//   s (1, 1) + 2 t (1, -1),  s = sign(x1 + x2) with sign(0) = 0,
//                            t = sign(x1 - x2) with sign(0) = +1,
// a valid element of the subdifferential everywhere (the one a framework's
// |.| at 0 would not give, but the one that makes the example exact): its
// components s + 2t, s - 2t are never 0 and its sign is always +-(1, -1), so
// sign-SGD never changes x1 + x2 and stalls at f >= |x1 + x2| of its start.
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
