#include "data/libsvm.hpp"

#include <catch2/catch.hpp>

#include "error_message.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("libsvm: binary file, sparse 1-based indices, comments and blank lines") {
  const Dataset data = load_libsvm(fixture("libsvm/binary.txt"));
  validate(data);
  CHECK(data.size() == 3);
  CHECK(data.dim == 3);
  CHECK(data.num_classes == 2);
  CHECK(data.targets == std::vector<double>{1, -1, 1});
  CHECK(data.columns == std::vector<std::uint32_t>{0, 2, 1, 0, 1, 2});
  CHECK(data.values == std::vector<float>{0.5f, -2.0f, 1.5f, 1, 2, 3});
  const Dataset dense = load_libsvm(fixture("libsvm/binary.txt"), {5, true});
  CHECK(dense.dim == 5);
  CHECK(dense.row(0)[2] == -2.0f);
  CHECK(dense.row(1)[0] == 0.0f);
}

TEST_CASE("libsvm: multi-class labels become sorted class indices") {
  const Dataset data = load_libsvm(fixture("libsvm/multiclass.txt"));
  CHECK(data.num_classes == 3);
  CHECK(data.classes == std::vector<std::int32_t>{2, 0, 1, 2});
  CHECK(data.dim == 4);
}

TEST_CASE("libsvm: every malformed case names file and line") {
  auto message = [](const char* name, LibsvmOptions options = {}) {
    return data_error([&] { load_libsvm(fixture(std::string("libsvm/") + name), options); });
  };
  CHECK(message("bad_label.txt") == fixture("libsvm/bad_label.txt") + ":2: label 'abc' is not a number");
  CHECK(message("bad_index_zero.txt") == fixture("libsvm/bad_index_zero.txt") + ":2: index 0 out of range: indices are 1-based");
  CHECK(message("bad_index_range.txt", {4, false}) == fixture("libsvm/bad_index_range.txt") + ":1: index 5 out of range (dim = 4)");
  CHECK(message("bad_order.txt") == fixture("libsvm/bad_order.txt") + ":1: index 2 after 3: indices must ascend");
  CHECK(message("bad_value.txt") == fixture("libsvm/bad_value.txt") + ":2: value '' of index 2 is not a number");
  CHECK(message("bad_pair.txt") == fixture("libsvm/bad_pair.txt") + ":2: '2' is not an index:value pair");
  CHECK(message("missing.txt") == fixture("libsvm/missing.txt") + ": cannot open");
}
