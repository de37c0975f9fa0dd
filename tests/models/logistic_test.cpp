#include "models/logistic.hpp"

#include <catch2/catch.hpp>

#include <cmath>

#include "data/synthetic.hpp"
#include "gradient_check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("logistic gradient matches finite differences, dense and sparse") {
  const Dataset dense = random_classification(300, 12, 2, 1);  // 300 > one 256-sample chunk
  const Dataset sparse = to_sparse(dense);
  const LogisticRegression model(12, 0.1);
  const auto x = random_vector(12, 0.5, 2);
  CHECK(gradient_error(model, x, dense, all_rows(dense)) < 1e-6);
  CHECK(gradient_error(model, x, sparse, all_rows(sparse)) < 1e-6);
  const std::vector<std::uint32_t> batch = {3, 1, 4, 1, 5};  // repeated rows count twice
  CHECK(gradient_error(model, x, dense, batch) < 1e-6);
  // Dense and sparse storage give the same loss.
  auto ws = model.make_workspace();
  CHECK(model.loss(x, dense, all_rows(dense), *ws) == Approx(model.loss(x, sparse, all_rows(sparse), *ws)));
}

TEST_CASE("logistic loss at zero is log 2 and the empty batch leaves only the regulariser") {
  const Dataset data = random_classification(10, 4, 2, 3);
  const LogisticRegression model(4, 2.0);
  auto ws = model.make_workspace();
  std::vector<double> x(4, 0.0), g(4);
  CHECK(model.loss(x, data, all_rows(data), *ws) == Approx(std::log(2.0)));
  x = {1, 0, 0, 0};
  CHECK(model.loss_and_gradient(x, data, {}, g, *ws) == Approx(1.0));  // lambda/2 ||x||^2
  CHECK(g[0] == Approx(2.0));
}

TEST_CASE("logistic regression reaches 100% training accuracy on separable data with gradient descent") {
  RandomStream rng(7, 0, purpose_id("test.logistic"));
  LogisticSpec spec;
  spec.samples = 500;
  spec.features = 20;
  spec.margin = 0.5;  // separable with a gap of 0.5 along w*
  const Dataset data = make_logistic(spec, rng);
  const LogisticRegression model(20);
  auto ws = model.make_workspace();
  std::vector<double> x(20, 0.0), g(20);
  const auto rows = all_rows(data);
  for (int step = 0; step < 300; ++step) {
    model.loss_and_gradient(x, data, rows, g, *ws);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] -= 2.0 * g[k];
  }
  CHECK(model.accuracy(x, data, rows, *ws) == 1.0);
}

TEST_CASE("logistic rejects mismatched sizes") {
  const Dataset data = random_classification(5, 4, 2, 3);
  const LogisticRegression model(3);
  auto ws = model.make_workspace();
  std::vector<double> x(3, 0.0);
  CHECK_THROWS_AS(model.loss(x, data, all_rows(data), *ws), std::invalid_argument);
  CHECK_THROWS_AS(LogisticRegression(0), std::invalid_argument);
}

TEST_CASE("logistic gradient without the loss is bit-identical to loss_and_gradient's, also for huge margins") {
  const Dataset dense = random_classification(300, 12, 2, 5);  // 300 > one 256-sample chunk
  const Dataset sparse = to_sparse(dense);
  const LogisticRegression model(12, 0.01);
  auto ws = model.make_workspace();
  for (double scale : {0.5, 1e3}) {  // 1e3: margins in the hundreds, exp would overflow without care
    std::vector<double> x = random_vector(12, scale, 6);
    for (const Dataset* data : {&dense, &sparse}) {
      std::vector<double> with_loss(12), alone(12, 99.0);
      const double loss = model.loss_and_gradient(x, *data, all_rows(*data), with_loss, *ws);
      model.gradient(x, *data, all_rows(*data), alone, *ws);
      CHECK(alone == with_loss);
      CHECK(std::isfinite(loss));
      // The loss is still the mean softplus(-y <a, x>) plus the regulariser.
      double expected = 0, norm2 = 0;
      for (std::uint32_t i = 0; i < data->size(); ++i) {
        double margin = 0;
        for (std::size_t k = 0; k < 12; ++k) margin += dense.row(i)[k] * x[k];
        const double t = -data->targets[i] * margin;
        expected += t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t));
      }
      for (double v : x) norm2 += v * v;
      expected = expected / 300.0 + 0.005 * norm2;
      CHECK(loss == Approx(expected).epsilon(1e-12));
    }
  }
}
