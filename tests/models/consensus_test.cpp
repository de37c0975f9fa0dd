#include "models/consensus.hpp"

#include <catch2/catch.hpp>

#include "gradient_check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("consensus: f = 1/2 ||x - b||^2, gradient x - mean(b), finite differences") {
  const Dataset dense = random_classification(6, 5, 2, 9);
  const AverageConsensus model(5);
  const auto x = random_vector(5, 1.0, 5);
  CHECK(gradient_error(model, x, dense, all_rows(dense)) < 1e-6);
  CHECK(gradient_error(model, x, to_sparse(dense), all_rows(dense)) < 1e-6);
  auto ws = model.make_workspace();
  std::vector<double> g(5);
  const std::vector<std::uint32_t> one = {2};
  const double f = model.loss_and_gradient(x, dense, one, g, *ws);
  double expected = 0.0;
  for (std::size_t k = 0; k < 5; ++k) {
    expected += 0.5 * (x[k] - dense.row(2)[k]) * (x[k] - dense.row(2)[k]);
    CHECK(g[k] == Approx(x[k] - dense.row(2)[k]));
  }
  CHECK(f == Approx(expected));
}
