// Dataset invariants and small helpers.
#include "data/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dlsim {

void validate(const Dataset& data) {
  const std::size_t n = data.size();
  if (data.is_sparse()) {
    if (!data.dense.empty()) throw std::invalid_argument(data.name + ": both dense and sparse storage");
    if (data.row_offsets.size() != n + 1 || data.row_offsets.front() != 0 ||
        data.row_offsets.back() != data.values.size() || data.columns.size() != data.values.size())
      throw std::invalid_argument(data.name + ": inconsistent sparse storage");
    for (std::uint32_t column : data.columns)
      if (column >= data.dim)
        throw std::invalid_argument(fmt::format("{}: column {} >= dim {}", data.name, column, data.dim));
  } else if (data.dense.size() != n * data.dim) {
    throw std::invalid_argument(fmt::format("{}: {} dense values for {} x {} samples", data.name,
                                            data.dense.size(), n, data.dim));
  }
  if (data.num_classes == 0) {
    if (!data.classes.empty()) throw std::invalid_argument(data.name + ": classes on a regression set");
    return;
  }
  if (data.classes.size() != n) throw std::invalid_argument(data.name + ": one class per sample needed");
  if (!data.label_map.regression() && data.label_map.class_labels.size() != data.num_classes)
    throw std::invalid_argument(fmt::format("{}: {} class labels for {} classes", data.name,
                                            data.label_map.class_labels.size(), data.num_classes));
  for (std::int32_t c : data.classes)
    if (c < 0 || static_cast<std::size_t>(c) >= data.num_classes)
      throw std::invalid_argument(fmt::format("{}: class {} outside [0, {})", data.name, c, data.num_classes));
}

std::vector<std::size_t> class_counts(const Dataset& data) {
  std::vector<std::size_t> counts(data.num_classes, 0);
  for (std::int32_t c : data.classes) ++counts[static_cast<std::size_t>(c)];
  return counts;
}

bool plausible_data_value(double value) { return std::abs(value) <= kMaxDataMagnitude; }

std::int32_t LabelMap::class_of(double label) const {
  const auto it = std::lower_bound(class_labels.begin(), class_labels.end(), label);
  return it != class_labels.end() && *it == label ? static_cast<std::int32_t>(it - class_labels.begin()) : -1;
}

std::string LabelMap::describe(std::size_t shown) const {
  std::string text;
  for (std::size_t c = 0; c < class_labels.size() && c < shown; ++c)
    text += fmt::format("{}{}", c ? ", " : "", class_labels[c]);
  if (class_labels.size() > shown) text += ", ...";
  return text;
}

LabelMap infer_label_map(std::span<const double> labels) {
  std::vector<double> distinct(labels.begin(), labels.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  // NaN is not integral, so a set with a NaN label is a regression set.
  const bool integral = !distinct.empty() && std::all_of(distinct.begin(), distinct.end(), [](double v) {
    return v == std::floor(v);
  });
  if (!integral) return {};
  // A one-class file of -1, 0 or +1 is still a binary set: the missing class
  // is the partner of the usual encodings.
  if (distinct.size() == 1 && distinct[0] == -1.0) return {{-1.0, 1.0}};
  if (distinct.size() == 1 && distinct[0] == 0.0) return {{0.0, 1.0}};
  if (distinct.size() == 1 && distinct[0] == 1.0) return {{-1.0, 1.0}};
  return {std::move(distinct)};
}

void assign_labels(Dataset& data, std::vector<double> labels, const LabelMap& map) {
  data.classes.clear();
  data.num_classes = map.class_labels.size();
  if (!map.regression()) {
    data.classes.reserve(labels.size());
    const bool binary = data.num_classes == 2;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const std::int32_t c = map.class_of(labels[i]);
      if (c < 0)
        throw std::invalid_argument(fmt::format("{}: sample {}: label {} is none of the classes ({})", data.name, i,
                                                labels[i], map.describe()));
      data.classes.push_back(c);
      labels[i] = binary ? (c == 1 ? 1.0 : -1.0) : double(c);
    }
  }
  data.targets = std::move(labels);
  data.label_map = map;
}

void assign_labels(Dataset& data, std::vector<double> labels) {
  const LabelMap map = infer_label_map(labels);
  assign_labels(data, std::move(labels), map);
}

Dataset subset(const Dataset& data, std::span<const std::uint32_t> indices) {
  Dataset out;
  out.name = data.name;
  out.dim = data.dim;
  out.num_classes = data.num_classes;
  out.label_map = data.label_map;
  out.targets.reserve(indices.size());
  if (data.is_sparse()) out.row_offsets.push_back(0);
  for (std::uint32_t i : indices) {
    if (data.is_sparse()) {
      auto cols = data.row_columns(i);
      auto vals = data.row_values(i);
      out.columns.insert(out.columns.end(), cols.begin(), cols.end());
      out.values.insert(out.values.end(), vals.begin(), vals.end());
      out.row_offsets.push_back(out.values.size());
    } else {
      auto row = data.row(i);
      out.dense.insert(out.dense.end(), row.begin(), row.end());
    }
    out.targets.push_back(data.targets[i]);
    if (!data.classes.empty()) out.classes.push_back(data.classes[i]);
  }
  return out;
}

}  // namespace dlsim
