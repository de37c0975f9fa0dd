#include "data/csv.hpp"

#include <catch2/catch.hpp>

#include <sstream>

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

namespace {

Dataset parse_csv(const std::string& text, const CsvOptions& options = {}) {
  std::istringstream in(text);
  return read_csv(in, "t.csv", options);
}

std::string csv_error(const std::string& text, const CsvOptions& options = {}) {
  return data_error([&] { parse_csv(text, options); });
}

}  // namespace

TEST_CASE("csv: a first line of numbers is data, not a header, and a mixed one is refused") {
  const Dataset data = parse_csv("1,2,1\n3,4,0\n");
  CHECK(data.size() == 2);
  CHECK(data.dense == std::vector<float>{1, 2, 3, 4});
  CHECK(parse_csv("x1,x2,label\n1,2,1\n").size() == 1);
  CHECK(csv_error("1,two,1\n3,4,0\n") ==
        "t.csv:1: column 2: 'two' is not a number, but other fields are: neither a header nor a data row");
  // Explicit choices override the detection.
  CsvOptions present;
  present.header = CsvHeader::present;
  CHECK(parse_csv("1,2,1\n3,4,0\n", present).size() == 1);
  CsvOptions absent;
  absent.header = CsvHeader::absent;
  CHECK(csv_error("x1,x2,label\n1,2,1\n", absent) == "t.csv:1: column 1: 'x1' is not a number");
  CsvOptions named;
  named.label_column = "label";
  CHECK(csv_error("1,2,1\n", named) ==
        "t.csv:1: a label column by name ('label') needs a header line, and this line is all numbers");
}

TEST_CASE("csv: non-finite and huge values are refused naming line and column") {
  CHECK(csv_error("x,y\n1,1\nnan,1\n") == "t.csv:3: column 1: nan is not a finite number within +-1e+30");
  CHECK(csv_error("x,y\n1,inf\n") == "t.csv:2: column 2: inf is not a finite number within +-1e+30");
  CHECK(csv_error("x,y\n-1e308,1\n") == "t.csv:2: column 1: -1e308 is not a finite number within +-1e+30");
}

TEST_CASE("csv: labels {2, 4} are binary -1/+1, and a test file takes the training mapping") {
  const Dataset train = parse_csv("x,y\n0.5,2\n-1,4\n3,4\n");
  CHECK(train.targets == std::vector<double>{-1, 1, 1});
  CsvOptions options;
  options.label_map = train.label_map;
  CHECK(parse_csv("x,y\n1,4\n", options).targets == std::vector<double>{1});
  CHECK(csv_error("x,y\n1,4\n2,3\n", options) == "t.csv:3: column 2: label 3 is not a class of the training set (2, 4)");
}
