#include "models/softmax.hpp"

#include <catch2/catch.hpp>

#include "data/idx.hpp"
#include "data/sampler.hpp"
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

// Softmax regression on Fashion-MNIST reaches about 84% (Xiao, Rasul, Vollgraf,
// arXiv:1708.07747, 2017, benchmark table); a few SGD epochs pass 80%.
TEST_CASE("softmax regression on Fashion-MNIST beats 80% test accuracy after a few SGD epochs") {
  if (!fashion_mnist_available()) {
    WARN("skipped: Fashion-MNIST not found in " << kFashionMnistDir << " (apt-get install dataset-fashion-mnist)");
    return;
  }
  const Dataset train = load_fashion_mnist(kFashionMnistDir, true);
  const Dataset test = load_fashion_mnist(kFashionMnistDir, false);
  REQUIRE(train.size() == 60000);
  REQUIRE(test.size() == 10000);
  const SoftmaxRegression model(784, 10);
  auto ws = model.make_workspace();
  std::vector<double> x(model.dimension(), 0.0), g(model.dimension());
  MinibatchSampler sampler(all_rows(train), 64);
  RandomStream rng(1, 0, purpose_id("data.sampler"));
  while (sampler.epoch() < 5) {
    model.loss_and_gradient(x, train, sampler.next(rng), g, *ws);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] -= 0.1 * g[k];
  }
  const double accuracy = model.accuracy(x, test, all_rows(test), *ws);
  INFO("test accuracy " << accuracy);
  CHECK(accuracy > 0.80);
}

TEST_CASE("softmax: a class outside the output rows throws instead of touching memory past them") {
  // A hand-built set claims 3 classes but one sample says 12 (as an unchecked
  // label file did): the loss must refuse it, whatever num_classes says.
  Dataset data = random_classification(4, 3, 3, 13);
  data.classes[2] = 12;
  const SoftmaxRegression model(3, 3);
  auto ws = model.make_workspace();
  std::vector<double> x(model.dimension(), 0.0), gradient(model.dimension());
  CHECK_THROWS_AS(model.loss(x, data, all_rows(data), *ws), std::out_of_range);
  CHECK_THROWS_WITH(model.loss_and_gradient(x, data, all_rows(data), gradient, *ws),
                    "softmax cross-entropy: sample 2 has class 12, outside [0, 3)");
  data.classes[2] = -1;
  CHECK_THROWS_AS(model.loss(x, data, all_rows(data), *ws), std::out_of_range);
}
