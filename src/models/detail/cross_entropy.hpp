// Internal to src/models: softmax + cross-entropy over a block of logits.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>

#include "models/detail/batch.hpp"

namespace dlsim::detail {

// logits: classes x nb, one sample per column, overwritten by
// d loss_j / d logits_j = softmax(logits_j) - onehot(class_j) (not yet divided
// by the batch size). Returns the summed loss sum_j -log softmax(logits_j)[class_j];
// adds the number of samples whose arg-max equals their class to *correct.
inline double softmax_cross_entropy(MatrixMap logits, Batch chunk, const Dataset& data,
                                    std::size_t* correct) {
  double total = 0.0;
  for (Eigen::Index j = 0; j < logits.cols(); ++j) {
    auto column = logits.col(j);
    Eigen::Index best = 0;
    const double top = column.maxCoeff(&best);
    const auto label = static_cast<Eigen::Index>(data.classes[chunk[j]]);
    // The loaders check every class; this keeps a hand-built set from reading
    // and writing outside the column (one compare against C exponentials).
    if (label < 0 || label >= column.size())
      throw std::out_of_range("softmax cross-entropy: sample " + std::to_string(chunk[j]) + " has class " +
                              std::to_string(label) + ", outside [0, " + std::to_string(column.size()) + ")");
    if (correct) *correct += best == label;
    column.array() = (column.array() - top).exp();
    const double sum = column.sum();
    total += std::log(sum) - std::log(column[label]);
    column /= sum;
    column[label] -= 1.0;
  }
  return total;
}

inline void check_classes(const char* model, std::size_t classes, const Dataset& data) {
  if (data.size() > 0 && (data.num_classes == 0 || data.num_classes > classes || data.classes.size() != data.size()))
    throw std::invalid_argument(std::string(model) + ": needs a classification data set with at most " +
                                std::to_string(classes) + " classes");
}

}  // namespace dlsim::detail
