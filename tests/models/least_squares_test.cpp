#include "models/least_squares.hpp"

#include <catch2/catch.hpp>

#include "data/synthetic.hpp"
#include "gradient_check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("least squares gradient matches finite differences, dense and sparse") {
  RandomStream rng(1, 0, purpose_id("test.ls"));
  LinearRegressionSpec spec;
  spec.samples = 300;
  spec.features = 8;
  const Dataset dense = make_linear_regression(spec, rng);
  const LeastSquares model(8, 0.05);
  const auto x = random_vector(8, 1.0, 4);
  CHECK(gradient_error(model, x, dense, all_rows(dense)) < 1e-6);
  const Dataset sparse = to_sparse(dense);
  CHECK(gradient_error(model, x, sparse, all_rows(sparse)) < 1e-6);
}

TEST_CASE("least squares: f = 1/(2B) sum (<a,w> - y)^2 on a hand example") {
  Dataset data;
  data.dim = 2;
  data.dense = {1, 0, 0, 2};  // a_0 = (1, 0), a_1 = (0, 2)
  data.targets = {1, 1};
  const LeastSquares model(2);
  auto ws = model.make_workspace();
  std::vector<double> w = {3, 1}, g(2);
  // residuals 2 and 1: f = (4 + 1) / 4; g = (1/2) (2 * (1,0) + 1 * (0,2)) = (1, 1)
  CHECK(model.loss_and_gradient(w, data, all_rows(data), g, *ws) == Approx(1.25));
  CHECK(g[0] == Approx(1.0));
  CHECK(g[1] == Approx(1.0));
}
