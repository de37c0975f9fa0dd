// LIBSVM / SVMlight text files: "label index:value index:value ... # comment",
// indices 1-based and ascending (the format of the a9a, rcv1 and epsilon sets).
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>

#include "data/dataset.hpp"

namespace dlsim {

struct LibsvmOptions {
  std::size_t dim = 0;  // number of features; 0: the largest index seen (at most kMaxFeatures)
  bool dense = false;   // store as a dense set (e.g. epsilon); default sparse
  // The training set's mapping, when reading its test set: labels become the
  // same classes, and a label the training set does not have is an error.
  // Unset: inferred from this file's labels (infer_label_map).
  std::optional<LabelMap> label_map;
};

// Reads the file line by line (streamed: memory is the data set itself, never
// the text). Labels are interpreted by infer_label_map() (or options.label_map):
// two integer values binary, more multi-class, anything else regression.
// "qid:" tokens are skipped.
// Throws DataError "PATH:LINE: what" for a file that cannot be opened, a label
// that is not a number or not a class of options.label_map, a malformed
// "index:value" pair, an index that is not a positive integer or exceeds
// options.dim (or, without it, kMaxFeatures), indices not strictly ascending,
// a label or value that is not finite or exceeds kMaxDataMagnitude, or (dense)
// a matrix that does not fit in memory.
Dataset load_libsvm(const std::string& path, const LibsvmOptions& options = {});
// Same, from a stream; `name` stands for the file in messages.
Dataset read_libsvm(std::istream& in, const std::string& name, const LibsvmOptions& options = {});

}  // namespace dlsim
