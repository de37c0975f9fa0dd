#include "data/normalize.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace dlsim;

namespace {
Dataset two_features() {
  Dataset data;
  data.dim = 2;
  data.dense = {0, 10, 2, 10, 4, 10};  // feature 1 constant
  data.targets = {0, 0, 0};
  return data;
}
}  // namespace

TEST_CASE("min-max, standardize and unit-norm") {
  Dataset a = two_features();
  normalize(a, Normalization::min_max);
  CHECK(a.dense == std::vector<float>{0, 0, 0.5f, 0, 1, 0});  // constant feature: offset only
  Dataset b = two_features();
  normalize(b, Normalization::standardize);
  // Feature 0: mean 2, population stddev sqrt(8/3).
  CHECK(b.dense[4] == Approx(2.0 / std::sqrt(8.0 / 3.0)));
  CHECK(b.dense[1] == 0.0f);
  Dataset c = two_features();
  normalize(c, Normalization::unit_norm);
  CHECK(std::hypot(c.dense[2], c.dense[3]) == Approx(1.0));
  // Fitted on one set, applied to another unchanged.
  const auto scaling = fit_scaling(two_features(), Normalization::min_max);
  Dataset d = two_features();
  d.dense[0] = 8;
  apply_scaling(d, scaling);
  CHECK(d.dense[0] == 2.0f);
  CHECK(parse_normalization("min-max") == Normalization::min_max);
  CHECK_THROWS_AS(parse_normalization("l1"), std::invalid_argument);
}
