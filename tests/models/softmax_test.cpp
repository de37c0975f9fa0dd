#include "models/softmax.hpp"

#include <catch2/catch.hpp>

#include "gradient_check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("softmax gradient matches finite differences, dense and sparse") {
  const Dataset dense = random_classification(280, 7, 4, 11);
  const SoftmaxRegression model(7, 4, 0.01);
  REQUIRE(model.dimension() == 4 * 8);
  const auto x = random_vector(model.dimension(), 0.5, 6);
  CHECK(gradient_error(model, x, dense, all_rows(dense)) < 1e-6);
  const Dataset sparse = to_sparse(dense);
  CHECK(gradient_error(model, x, sparse, all_rows(sparse)) < 1e-6);
  auto ws = model.make_workspace();
  CHECK(model.loss(x, dense, all_rows(dense), *ws) == Approx(model.loss(x, sparse, all_rows(sparse), *ws)));
  CHECK(model.accuracy(x, dense, all_rows(dense), *ws) ==
        Approx(model.accuracy(x, sparse, all_rows(sparse), *ws)));
}

TEST_CASE("softmax loss at zero parameters is log(classes)") {
  const Dataset data = random_classification(20, 3, 5, 12);
  const SoftmaxRegression model(3, 5);
  auto ws = model.make_workspace();
  std::vector<double> x(model.dimension(), 0.0);
  CHECK(model.loss(x, data, all_rows(data), *ws) == Approx(std::log(5.0)));
}
