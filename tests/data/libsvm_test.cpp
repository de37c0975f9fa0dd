#include "data/libsvm.hpp"

#include <catch2/catch.hpp>

#include <sstream>

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

namespace {

std::string read_error(const std::string& text, const LibsvmOptions& options = {}) {
  return data_error([&] {
    std::istringstream in(text);
    read_libsvm(in, "t.svm", options);
  });
}

}  // namespace

TEST_CASE("libsvm: binary labels of any two values are -1/+1 (smaller -1)") {
  std::istringstream in("2 1:1\n4 1:-1\n4 2:1\n");
  const Dataset data = read_libsvm(in, "t.svm");
  CHECK(data.num_classes == 2);
  CHECK(data.targets == std::vector<double>{-1, 1, 1});
  std::istringstream one_two("1 1:1\n2 1:-1\n");
  CHECK(read_libsvm(one_two, "t.svm").targets == std::vector<double>{-1, 1});
}

TEST_CASE("libsvm: a test file takes the training set's label mapping") {
  const Dataset train = load_libsvm(fixture("libsvm/multiclass.txt"));  // labels 1, 2, 3
  std::istringstream in("3 1:1\n3 2:1\n");                              // class 3 only
  const Dataset test = read_libsvm(in, "test.svm", {train.dim, false, train.label_map});
  CHECK(test.num_classes == 3);
  CHECK(test.classes == std::vector<std::int32_t>{2, 2});
  CHECK(read_error("3 1:1\n7 1:1\n", {4, false, train.label_map}) ==
        "t.svm:2: label 7 is not a class of the training set (1, 2, 3)");
  // The same for a binary pair: the test file's one class is the training set's +1.
  std::istringstream binary_train("2 1:1\n4 1:-1\n"), binary_test("4 1:1\n");
  const Dataset b = read_libsvm(binary_train, "train.svm");
  CHECK(read_libsvm(binary_test, "test.svm", {1, false, b.label_map}).targets == std::vector<double>{1});
}

TEST_CASE("libsvm: non-finite and huge numbers and absurd indices are refused at their line") {
  CHECK(read_error("1 1:1\n1 1:nan\n") == "t.svm:2: value nan of index 1 is not a finite number within +-1e+30");
  CHECK(read_error("1 1:inf\n") == "t.svm:1: value inf of index 1 is not a finite number within +-1e+30");
  CHECK(read_error("1 1:1 2:1e308\n") == "t.svm:1: value 1e308 of index 2 is not a finite number within +-1e+30");
  CHECK(read_error("1 1:1\nnan 1:1\n") == "t.svm:2: label nan is not a finite number within +-1e+30");
  CHECK(read_error("-1e308 1:1\n") == "t.svm:1: label -1e308 is not a finite number within +-1e+30");
  // 40 bytes asking for 4.3e9 features: an error, not std::bad_alloc.
  CHECK(read_error("1 4294967295:1\n-1 1:1\n") ==
        "t.svm:1: index 4294967295 out of range: at most 67108864 features (2^26) unless the dimension is given");
  CHECK(read_error("1 99999999999:1\n") ==
        "t.svm:1: index 99999999999 out of range: at most 67108864 features (2^26) unless the dimension is given");
}

TEST_CASE("libsvm: a dense matrix too large for memory is a DataError") {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "1 1:1\n";
  // 1000 x 2^50 floats: more than any memory.
  CHECK_THAT(read_error(text, {std::size_t{1} << 50, true}),
             Catch::Matchers::StartsWith("t.svm: a dense 1000 x 1125899906842624 matrix") &&
                 Catch::Matchers::EndsWith("does not fit in memory"));
}
