// LIBSVM parsing with std::from_chars: locale-independent and allocation-free per token.
#include "data/libsvm.hpp"

#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <new>
#include <string_view>

namespace dlsim {
namespace {

bool parse_double(std::string_view text, double& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

Dataset read_libsvm(std::istream& in, const std::string& name, const LibsvmOptions& options) {
  Dataset data;
  data.name = name;
  data.row_offsets.push_back(0);
  std::vector<double> labels;
  std::string line;
  std::size_t line_number = 0;
  std::uint64_t largest = 0;
  auto fail = [&](const std::string& what) {
    throw DataError(fmt::format("{}:{}: {}", name, line_number, what));
  };
  while (std::getline(in, line)) {
    ++line_number;
    std::string_view rest(line);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
    auto next_token = [&]() {
      const auto begin = rest.find_first_not_of(" \t\r");
      if (begin == std::string_view::npos) return std::string_view();
      rest.remove_prefix(begin);
      const auto end = std::min(rest.find_first_of(" \t\r"), rest.size());
      const auto token = rest.substr(0, end);
      rest.remove_prefix(end);
      return token;
    };
    const auto label_token = next_token();
    if (label_token.empty()) continue;  // blank or comment-only line
    double label;
    if (!parse_double(label_token, label)) fail(fmt::format("label '{}' is not a number", label_token));
    if (!plausible_data_value(label))
      fail(fmt::format("label {} is not a finite number within +-{}", label_token, kMaxDataMagnitude));
    if (options.label_map && !options.label_map->regression() && options.label_map->class_of(label) < 0)
      fail(fmt::format("label {} is not a class of the training set ({})", label_token,
                       options.label_map->describe()));
    labels.push_back(label);
    std::uint64_t previous = 0;
    for (auto token = next_token(); !token.empty(); token = next_token()) {
      const auto colon = token.find(':');
      if (colon == std::string_view::npos) fail(fmt::format("'{}' is not an index:value pair", token));
      const auto index_text = token.substr(0, colon), value_text = token.substr(colon + 1);
      if (index_text == "qid") continue;
      std::int64_t index;
      const auto [end, error] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
      if (error != std::errc() || end != index_text.data() + index_text.size())
        fail(fmt::format("index '{}' is not an integer", index_text));
      if (index < 1) fail(fmt::format("index {} out of range: indices are 1-based", index));
      if (options.dim && std::uint64_t(index) > options.dim)
        fail(fmt::format("index {} out of range (dim = {})", index, options.dim));
      if (std::uint64_t(index) <= previous) fail(fmt::format("index {} after {}: indices must ascend", index, previous));
      if (!options.dim && std::uint64_t(index) > kMaxFeatures)
        fail(fmt::format("index {} out of range: at most {} features (2^26) unless the dimension is given", index,
                         kMaxFeatures));
      double value;
      if (!parse_double(value_text, value)) fail(fmt::format("value '{}' of index {} is not a number", value_text, index));
      if (!plausible_data_value(value))
        fail(fmt::format("value {} of index {} is not a finite number within +-{}", value_text, index,
                         kMaxDataMagnitude));
      previous = std::uint64_t(index);
      largest = std::max(largest, previous);
      data.columns.push_back(std::uint32_t(index - 1));
      data.values.push_back(static_cast<float>(value));
    }
    data.row_offsets.push_back(data.values.size());
  }
  if (in.bad()) throw DataError(fmt::format("{}:{}: read error", name, line_number));
  data.dim = options.dim ? options.dim : largest;
  if (options.label_map) {
    assign_labels(data, std::move(labels), *options.label_map);
  } else {
    assign_labels(data, std::move(labels));
  }
  if (options.dense) {
    const double bytes = double(data.size()) * double(data.dim) * sizeof(float);
    const DataError too_big(fmt::format("{}: a dense {} x {} matrix ({:.3g} GB) does not fit in memory", name,
                                        data.size(), data.dim, bytes / 1e9));
    if (bytes > 1e18) throw too_big;  // the element count would not fit in size_t
    try {
      data.dense.assign(data.size() * data.dim, 0.0f);
    } catch (const std::bad_alloc&) {
      throw too_big;
    } catch (const std::length_error&) {
      throw too_big;
    }
    for (std::size_t i = 0; i < data.size(); ++i)
      for (std::uint64_t k = data.row_offsets[i]; k < data.row_offsets[i + 1]; ++k)
        data.dense[i * data.dim + data.columns[k]] = data.values[k];
    data.row_offsets.clear();
    data.columns.clear();
    data.values.clear();
  }
  return data;
}

Dataset load_libsvm(const std::string& path, const LibsvmOptions& options) {
  std::ifstream in(path);
  if (!in) throw DataError(fmt::format("{}: cannot open", path));
  return read_libsvm(in, path, options);
}

}  // namespace dlsim
