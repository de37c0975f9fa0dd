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
  for (std::int32_t c : data.classes)
    if (c < 0 || static_cast<std::size_t>(c) >= data.num_classes)
      throw std::invalid_argument(fmt::format("{}: class {} outside [0, {})", data.name, c, data.num_classes));
}

std::vector<std::size_t> class_counts(const Dataset& data) {
  std::vector<std::size_t> counts(data.num_classes, 0);
  for (std::int32_t c : data.classes) ++counts[static_cast<std::size_t>(c)];
  return counts;
}

void assign_labels(Dataset& data, std::vector<double> labels) {
  std::vector<double> distinct = labels;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  auto within = [&](std::initializer_list<double> allowed) {
    return std::all_of(distinct.begin(), distinct.end(), [&](double v) {
      return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
    });
  };
  data.classes.clear();
  if (!distinct.empty() && (within({-1.0, 1.0}) || within({0.0, 1.0}))) {
    data.num_classes = 2;
    for (double& y : labels) {
      data.classes.push_back(y > 0 ? 1 : 0);
      y = y > 0 ? 1.0 : -1.0;
    }
  } else if (!distinct.empty() && std::all_of(distinct.begin(), distinct.end(),
                                              [](double v) { return v == std::floor(v); })) {
    data.num_classes = distinct.size();
    for (double& y : labels) {
      const auto c = std::lower_bound(distinct.begin(), distinct.end(), y) - distinct.begin();
      data.classes.push_back(static_cast<std::int32_t>(c));
      y = double(c);
    }
  } else {
    data.num_classes = 0;
  }
  data.targets = std::move(labels);
}

Dataset subset(const Dataset& data, std::span<const std::uint32_t> indices) {
  Dataset out;
  out.name = data.name;
  out.dim = data.dim;
  out.num_classes = data.num_classes;
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
