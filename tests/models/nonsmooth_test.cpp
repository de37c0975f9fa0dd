#include "models/nonsmooth.hpp"

#include <catch2/catch.hpp>

#include "gradient_check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("nonsmooth example: value and gradient away from the kinks") {
  const NonsmoothExample model;
  const Dataset none;
  // In each of the four regions the function is linear: FD is exact there.
  for (auto x : {std::vector<double>{1.0, 0.3}, {0.3, 1.0}, {-1.0, 0.2}, {-0.2, -1.0}})
    CHECK(gradient_error(model, x, none, {}) < 1e-6);
  auto ws = model.make_workspace();
  std::vector<double> x = {1.0, 0.5}, g(2);
  CHECK(model.loss_and_gradient(x, none, {}, g, *ws) == Approx(1.5 + 2 * 0.5));
  CHECK(g[0] == 3.0);   // (1, 1) + 2 (1, -1)
  CHECK(g[1] == -1.0);
  x = {0.0, 0.0};
  CHECK(model.loss_and_gradient(x, none, {}, g, *ws) == 0.0);
  CHECK(g[0] == 2.0);  // on the diagonal t = +1: g = (2, -2), still a subgradient
  CHECK(g[1] == -2.0);
}
