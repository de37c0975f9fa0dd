#include "models/mlp.hpp"

#include <catch2/catch.hpp>

#include "gradient_check.hpp"
#include "models/softmax.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("mlp gradient matches finite differences (two hidden layers, weight decay)") {
  const Dataset data = random_classification(270, 6, 3, 21);
  const Mlp model({6, 5, 4, 3}, 0.01);
  REQUIRE(model.dimension() == 5 * 7 + 4 * 6 + 3 * 5);
  std::vector<double> x(model.dimension());
  RandomStream rng(1, 0, purpose_id("test.mlp"));
  model.initialize(x, rng);
  for (double& v : x) v += 0.01 * rng.normal();  // non-zero biases too
  CHECK(gradient_error(model, x, data, all_rows(data)) < 1e-6);
  CHECK(gradient_error(model, x, to_sparse(data), all_rows(data)) < 1e-6);
}

TEST_CASE("mlp without hidden layers is softmax regression") {
  const Dataset data = random_classification(40, 5, 3, 22);
  const Mlp mlp({5, 3});
  const SoftmaxRegression softmax(5, 3);
  const auto x = random_vector(mlp.dimension(), 0.3, 8);
  auto a = mlp.make_workspace();
  auto b = softmax.make_workspace();
  CHECK(mlp.loss(x, data, all_rows(data), *a) == Approx(softmax.loss(x, data, all_rows(data), *b)));
}

TEST_CASE("mlp He initialisation: weight variance 2 / fan-in, zero biases") {
  const Mlp model({400, 300, 10});
  std::vector<double> x(model.dimension());
  RandomStream rng(2, 0, purpose_id("test.mlp"));
  model.initialize(x, rng);
  double sum2 = 0.0;
  for (std::size_t k = 0; k < 400 * 300; ++k) sum2 += x[k] * x[k];
  CHECK(sum2 / (400 * 300) == Approx(2.0 / 400).epsilon(0.02));
  for (std::size_t k = 400 * 300; k < 400 * 300 + 300; ++k) CHECK(x[k] == 0.0);
}
