#include "data/dataset.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <utility>

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

TEST_CASE("two integer labels are binary -1/+1 whatever their values: smaller -1, larger +1") {
  for (const auto& [low, high] : {std::pair{2.0, 4.0}, {1.0, 2.0}, {0.0, 1.0}, {-1.0, 1.0}, {-7.0, 3.0}}) {
    Dataset data;
    assign_labels(data, {high, low, low, high});
    CHECK(data.num_classes == 2);
    CHECK(data.targets == std::vector<double>{1, -1, -1, 1});
    CHECK(data.classes == std::vector<std::int32_t>{1, 0, 0, 1});
    CHECK(data.label_map.class_labels == std::vector<double>{low, high});
  }
  // One class of the usual encodings is still a binary set.
  CHECK(infer_label_map(std::vector<double>{1, 1}).class_labels == std::vector<double>{-1, 1});
  CHECK(infer_label_map(std::vector<double>{-1}).class_labels == std::vector<double>{-1, 1});
  CHECK(infer_label_map(std::vector<double>{0}).class_labels == std::vector<double>{0, 1});
  CHECK(infer_label_map(std::vector<double>{1, 2, 3}).class_labels == std::vector<double>{1, 2, 3});
  CHECK(infer_label_map(std::vector<double>{1, 2.5}).regression());
  CHECK(infer_label_map(std::vector<double>{}).regression());
}

TEST_CASE("a label map applies one set's classes to another, and an unknown label is an error") {
  const LabelMap map = infer_label_map(std::vector<double>{1, 2, 3, 4});
  Dataset test;
  test.name = "test.txt";
  assign_labels(test, {4, 2}, map);  // a subset of the classes keeps their indices
  CHECK(test.num_classes == 4);
  CHECK(test.classes == std::vector<std::int32_t>{3, 1});
  CHECK(map.class_of(3) == 2);
  CHECK(map.class_of(5) == -1);
  CHECK(map.class_of(2.5) == -1);
  CHECK_THROWS_WITH(assign_labels(test, {4, 5}, map), "test.txt: sample 1: label 5 is none of the classes (1, 2, 3, 4)");
  CHECK(infer_label_map(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8}).describe() == "1, 2, 3, 4, 5, 6, ...");
}

TEST_CASE("data values: finite and at most 1e30 in magnitude") {
  CHECK(plausible_data_value(0.0));
  CHECK(plausible_data_value(-1e30));
  CHECK_FALSE(plausible_data_value(1e31));
  CHECK_FALSE(plausible_data_value(1e308));
  CHECK_FALSE(plausible_data_value(std::numeric_limits<double>::infinity()));
  CHECK_FALSE(plausible_data_value(std::numeric_limits<double>::quiet_NaN()));
}
