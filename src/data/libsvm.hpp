// LIBSVM / SVMlight text files: "label index:value index:value ... # comment",
// indices 1-based and ascending (the format of the a9a, rcv1 and epsilon sets).
#pragma once

#include <cstddef>
#include <istream>
#include <string>

#include "data/dataset.hpp"

namespace dlsim {

struct LibsvmOptions {
  std::size_t dim = 0;  // number of features; 0: the largest index seen
  bool dense = false;   // store as a dense set (e.g. epsilon); default sparse
};

// Reads the file line by line (streamed: memory is the data set itself, never
// the text). Labels are interpreted by assign_labels(): +1/-1 (or 0/1) binary,
// integers multi-class, anything else regression. "qid:" tokens are skipped.
// Throws DataError "PATH:LINE: what" for a file that cannot be opened, a label
// that is not a number, a malformed "index:value" pair, an index that is not a
// positive integer or exceeds options.dim, or indices not strictly ascending.
Dataset load_libsvm(const std::string& path, const LibsvmOptions& options = {});
// Same, from a stream; `name` stands for the file in messages.
Dataset read_libsvm(std::istream& in, const std::string& name, const LibsvmOptions& options = {});

}  // namespace dlsim
