// A data set held once in memory and shared read-only by every node.
//
// Design note. Nodes never copy samples: the loaders and generators build one
// Dataset, the caller freezes it into a std::shared_ptr<const Dataset>, and each
// node keeps only a list of row indices (see data/partition.hpp and
// data/sampler.hpp). Features are stored as float (half the memory of double;
// Fashion-MNIST's 60,000 x 784 training set takes 188 MB) and widened to double
// by the models when they gather a minibatch. A data set is either dense
// (row-major) or sparse (compressed rows, as LIBSVM files are).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace dlsim {

// A malformed input file. The message names the file and the line (text
// formats) or byte offset (binary formats): "a9a.txt:12: index 0 is not 1-based".
// Derives from std::invalid_argument, which the CLI maps to exit status 2.
class DataError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The largest magnitude a number in a data file may have (features and
// labels): finite, and small enough that squares and sums of squares stay far
// from overflow in double (features are stored as float, max 3.4e38).
inline constexpr double kMaxDataMagnitude = 1e30;
// The largest feature index a sparse file may use when the dimension is not
// given: 2^26 (67 M features; kdd2012, the widest common LIBSVM set, has 55 M).
inline constexpr std::uint64_t kMaxFeatures = std::uint64_t{1} << 26;

// Whether `value` may appear in a data file: finite, |value| <= kMaxDataMagnitude.
bool plausible_data_value(double value);

// How the raw labels read from a file become targets and classes. Inferred
// from a training set, then applied to its test set, so that one raw label
// means one class in both.
struct LabelMap {
  // Classification: class c was read as class_labels[c], ascending. Two
  // classes are a binary task: class 0 has target -1, class 1 target +1.
  // Empty: regression, the targets are the raw labels.
  std::vector<double> class_labels;

  bool regression() const { return class_labels.empty(); }
  // The class of raw label `label`, or -1 when it is none of class_labels. O(log C).
  std::int32_t class_of(double label) const;
  // "1, 2, 3" (at most `shown` values, then "...") for messages.
  std::string describe(std::size_t shown = 6) const;
};

// The mapping of a training set's raw labels:
//   all integral, two distinct values   -> binary, whatever the two values
//                                          ({2, 4}: 2 -> -1, 4 -> +1);
//   one distinct value in {-1, 0, 1}     -> binary with its usual partner
//                                          ({-1, +1} or {0, 1});
//   otherwise all integral               -> multi-class, the sorted distinct
//                                          values become classes 0..C-1;
//   otherwise (or no labels)             -> regression.
// O(n log n).
LabelMap infer_label_map(std::span<const double> labels);

// Samples and labels. Public fields: it is plain data, built by a loader or a
// generator, possibly normalised, then frozen behind shared_ptr<const>.
struct Dataset {
  std::string name;          // for reports ("fashion-mnist/train", "synthetic-logistic")
  std::size_t dim = 0;       // number of features
  std::size_t num_classes = 0;  // 0: regression; 2: binary; C > 2: multi-class

  // Dense storage: size() * dim floats, row-major. Empty for a sparse set.
  std::vector<float> dense;
  // Sparse storage (compressed rows, 0-based columns, ascending within a row):
  // row i holds columns[row_offsets[i] .. row_offsets[i + 1]). Empty for a dense set.
  std::vector<std::uint64_t> row_offsets;
  std::vector<std::uint32_t> columns;
  std::vector<float> values;

  // One per sample. targets: the regression value, or -1/+1 for a binary task,
  // or the class index for a multi-class task. classes: the class index in
  // [0, num_classes) for classification (binary: -1 -> 0, +1 -> 1); empty for regression.
  std::vector<double> targets;
  std::vector<std::int32_t> classes;
  // Raw label of each class (see LabelMap); empty for regression, and for
  // sets built by hand with classes only.
  LabelMap label_map;

  std::size_t size() const { return targets.size(); }
  bool is_sparse() const { return !row_offsets.empty(); }
  // Dense row i (requires !is_sparse()).
  std::span<const float> row(std::size_t i) const {
    return {dense.data() + i * dim, dim};
  }
  // Sparse row i (requires is_sparse()).
  std::span<const std::uint32_t> row_columns(std::size_t i) const {
    return {columns.data() + row_offsets[i], columns.data() + row_offsets[i + 1]};
  }
  std::span<const float> row_values(std::size_t i) const {
    return {values.data() + row_offsets[i], values.data() + row_offsets[i + 1]};
  }
  // Stored non-zeros (sparse) or size() * dim (dense).
  std::size_t stored_values() const { return is_sparse() ? values.size() : dense.size(); }
};

using SharedDataset = std::shared_ptr<const Dataset>;

// Checks the invariants above (sizes agree, columns < dim, classes in range,
// a non-empty label_map has num_classes entries);
// throws std::invalid_argument naming the first violation. O(stored values).
void validate(const Dataset& data);

// Samples per class (requires a classification set). O(size()).
std::vector<std::size_t> class_counts(const Dataset& data);

// Sets targets/classes/num_classes/label_map from raw labels, one per sample,
// by `map`: classification targets are -1/+1 (binary) or the class index.
// Requires every label to be one of map's classes (the loaders check each
// one first, naming its line); throws std::invalid_argument otherwise. O(n log C).
void assign_labels(Dataset& data, std::vector<double> labels, const LabelMap& map);
// Same, with the mapping inferred from these labels (infer_label_map).
void assign_labels(Dataset& data, std::vector<double> labels);

// Asks the processor to start loading dense rows into its caches (sparse
// sets: nothing). A minibatch's rows are scattered and rarely cached (a node
// reads its samples once a round, after every other node has read its own);
// loads asked for together overlap, where a loop that reads one row after the
// other waits for each in turn. No effect on any result.
inline void prefetch_row(const Dataset& data, std::uint32_t index) {
  if (data.is_sparse() || data.dim == 0) return;
  constexpr std::size_t kLine = 64;
  const char* begin = reinterpret_cast<const char*>(data.dense.data() + std::size_t{index} * data.dim);
  const std::size_t bytes = data.dim * sizeof(float);
  for (std::size_t offset = 0; offset < bytes; offset += kLine) __builtin_prefetch(begin + offset);
  __builtin_prefetch(begin + bytes - 1);  // a row that starts mid-line ends one line further
}
// The first rows of `indices`, up to about 16 KB of them (what the caches can
// fetch at once).
inline void prefetch_rows(const Dataset& data, std::span<const std::uint32_t> indices) {
  if (data.is_sparse() || data.dim == 0) return;
  const std::size_t rows = std::max<std::size_t>(1, (std::size_t{16} << 10) / (data.dim * sizeof(float)));
  for (std::size_t j = 0; j < std::min(rows, indices.size()); ++j) prefetch_row(data, indices[j]);
}

// The rows listed in `indices`, as a new data set of the same kind (e.g. a
// train/test split of a generated set). O(copied values).
Dataset subset(const Dataset& data, std::span<const std::uint32_t> indices);

}  // namespace dlsim
