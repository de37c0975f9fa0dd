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

// Checks the invariants above (sizes agree, columns < dim, classes in range);
// throws std::invalid_argument naming the first violation. O(stored values).
void validate(const Dataset& data);

// Samples per class (requires a classification set). O(size()).
std::vector<std::size_t> class_counts(const Dataset& data);

// Sets targets/classes/num_classes from raw labels, one per sample:
//   all labels in {-1, +1} or all in {0, 1}  -> binary, targets -1/+1 (0 -> -1);
//   otherwise all integral                   -> multi-class, the sorted distinct
//                                               values become classes 0..C-1;
//   otherwise                                -> regression, targets = labels.
// `labels` may be consumed. O(n log n).
void assign_labels(Dataset& data, std::vector<double> labels);

// The rows listed in `indices`, as a new data set of the same kind (e.g. a
// train/test split of a generated set). O(copied values).
Dataset subset(const Dataset& data, std::span<const std::uint32_t> indices);

}  // namespace dlsim
