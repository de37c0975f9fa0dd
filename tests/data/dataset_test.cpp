#include "data/dataset.hpp"

#include <catch2/catch.hpp>

using namespace dlsim;

TEST_CASE("assign_labels: binary, multi-class, regression") {
  Dataset data;
  assign_labels(data, {0, 1, 1});
  CHECK(data.num_classes == 2);
  CHECK(data.targets == std::vector<double>{-1, 1, 1});
  CHECK(data.classes == std::vector<std::int32_t>{0, 1, 1});
  assign_labels(data, {5, 7, 5, 9});
  CHECK(data.num_classes == 3);
  CHECK(data.classes == std::vector<std::int32_t>{0, 1, 0, 2});
  assign_labels(data, {0.5, 1.0});
  CHECK(data.num_classes == 0);
  CHECK(data.classes.empty());
}

TEST_CASE("validate and subset") {
  Dataset data;
  data.dim = 2;
  data.dense = {1, 2, 3, 4, 5, 6};
  assign_labels(data, {1, -1, 1});
  validate(data);
  const std::vector<std::uint32_t> rows = {2, 0};
  const Dataset part = subset(data, rows);
  CHECK(part.dense == std::vector<float>{5, 6, 1, 2});
  CHECK(part.targets == std::vector<double>{1, 1});
  data.dense.pop_back();
  CHECK_THROWS_AS(validate(data), std::invalid_argument);
}
