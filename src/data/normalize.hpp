// Feature normalisation, applied once before a data set is shared.
#pragma once

#include <string_view>
#include <vector>

#include "data/dataset.hpp"

namespace dlsim {

enum class Normalization {
  none,
  min_max,      // each feature to [0, 1] (sparse sets: divided by max |value|, zeros stay zero)
  standardize,  // each feature to mean 0, variance 1 (sparse sets: divided by the standard deviation only)
  unit_norm,    // each row to unit Euclidean norm (zero rows stay zero)
};
// "none", "min-max", "standardize", "unit-norm"; throws std::invalid_argument otherwise.
Normalization parse_normalization(std::string_view name);

// Per-feature affine map x' = (x - offset) * scale, fitted on one set (the
// training set) and applied to others (the test set) unchanged. Constant
// features get scale 1.
struct FeatureScaling {
  std::vector<double> offset, scale;
};
// Requires min_max or standardize. O(stored values).
FeatureScaling fit_scaling(const Dataset& data, Normalization kind);
void apply_scaling(Dataset& data, const FeatureScaling& scaling);
void normalize_rows(Dataset& data);
// Fits on `data` and applies to it (or normalises rows). O(stored values).
void normalize(Dataset& data, Normalization kind);

}  // namespace dlsim
