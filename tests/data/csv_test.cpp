#include "data/csv.hpp"

#include <catch2/catch.hpp>

#include "error_message.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("csv: header, label column by name or position") {
  CsvOptions options;
  options.label_column = "label";
  const Dataset data = load_csv(fixture("csv/small.csv"), options);
  validate(data);
  CHECK(data.size() == 3);
  CHECK(data.dim == 2);
  CHECK(data.dense == std::vector<float>{1, 2, 3.5f, -4, 0, 100});
  CHECK(data.num_classes == 2);
  CHECK(data.targets == std::vector<double>{1, -1, 1});
  CsvOptions first;
  first.label_index = 0;
  const Dataset by_index = load_csv(fixture("csv/small.csv"), first);  // x1 as label: real values -> regression
  CHECK(by_index.num_classes == 0);
  CHECK(by_index.targets == std::vector<double>{1, 3.5, 0});
}

TEST_CASE("csv: malformed rows name file, line and column") {
  CHECK(data_error([] { load_csv(fixture("csv/bad_fields.csv")); }) ==
        fixture("csv/bad_fields.csv") + ":3: expected 3 fields, found 2");
  CHECK(data_error([] { load_csv(fixture("csv/bad_number.csv")); }) ==
        fixture("csv/bad_number.csv") + ":2: column 2: 'two' is not a number");
  CsvOptions options;
  options.label_column = "y";
  CHECK(data_error([&] { load_csv(fixture("csv/small.csv"), options); }) ==
        fixture("csv/small.csv") + ":1: no column named 'y'");
}
