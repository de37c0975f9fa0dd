#include "data/csv.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <string_view>
#include <vector>

namespace dlsim {
namespace {

std::vector<std::string_view> split(std::string_view line, char delimiter) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto at = line.find(delimiter);
    auto field = line.substr(0, at);
    while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t' || field.back() == '\r')) field.remove_suffix(1);
    fields.push_back(field);
    if (at == std::string_view::npos) return fields;
    line.remove_prefix(at + 1);
  }
}

// std::from_chars with a leading '+' allowed, the whole field consumed.
bool parse_number(std::string_view text, double& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

}  // namespace

Dataset read_csv(std::istream& in, const std::string& name, const CsvOptions& options) {
  Dataset data;
  data.name = name;
  std::vector<double> labels;
  std::string line;
  std::size_t line_number = 0, columns = 0, label = 0;
  bool shaped = false;
  auto fail = [&](const std::string& what) { throw DataError(fmt::format("{}:{}: {}", name, line_number, what)); };
  auto shape = [&](const std::vector<std::string_view>& fields, bool header) {
    columns = fields.size();
    if (!options.label_column.empty()) {
      if (!header) fail(fmt::format("a label column by name ('{}') needs a header line, and this line is all numbers",
                                    options.label_column));
      auto it = std::find(fields.begin(), fields.end(), options.label_column);
      if (it == fields.end()) fail(fmt::format("no column named '{}'", options.label_column));
      label = std::size_t(it - fields.begin());
    } else {
      const long index = options.label_index < 0 ? long(columns) + options.label_index : options.label_index;
      if (index < 0 || std::size_t(index) >= columns)
        fail(fmt::format("label column {} out of range ({} columns)", options.label_index, columns));
      label = std::size_t(index);
    }
    if (columns < 2) fail("needs a label and at least one feature");
    data.dim = columns - 1;
    shaped = true;
  };
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = split(line, options.delimiter);
    if (!shaped) {
      bool header = options.header == CsvHeader::present;
      if (options.header == CsvHeader::detect) {
        // Names in every field: a header; numbers in every field: data. A mix
        // is refused rather than guessed, so that no row is lost silently.
        double value;
        const auto numeric = std::count_if(fields.begin(), fields.end(),
                                           [&](std::string_view field) { return parse_number(field, value); });
        header = numeric == 0;
        if (numeric != 0 && std::size_t(numeric) != fields.size()) {
          const auto name_field = std::find_if(fields.begin(), fields.end(),
                                               [&](std::string_view field) { return !parse_number(field, value); });
          fail(fmt::format("column {}: '{}' is not a number, but other fields are: neither a header nor a data row",
                           name_field - fields.begin() + 1, *name_field));
        }
      }
      shape(fields, header);
      if (header) continue;
    }
    if (fields.size() != columns) fail(fmt::format("expected {} fields, found {}", columns, fields.size()));
    for (std::size_t c = 0; c < columns; ++c) {
      double value;
      if (!parse_number(fields[c], value)) fail(fmt::format("column {}: '{}' is not a number", c + 1, fields[c]));
      if (!plausible_data_value(value))
        fail(fmt::format("column {}: {} is not a finite number within +-{}", c + 1, fields[c], kMaxDataMagnitude));
      if (c == label) {
        if (options.label_map && !options.label_map->regression() && options.label_map->class_of(value) < 0)
          fail(fmt::format("column {}: label {} is not a class of the training set ({})", c + 1, fields[c],
                           options.label_map->describe()));
        labels.push_back(value);
      } else {
        data.dense.push_back(static_cast<float>(value));
      }
    }
  }
  if (!shaped) throw DataError(fmt::format("{}: no data", name));
  if (options.label_map) {
    assign_labels(data, std::move(labels), *options.label_map);
  } else {
    assign_labels(data, std::move(labels));
  }
  return data;
}

Dataset load_csv(const std::string& path, const CsvOptions& options) {
  std::ifstream in(path);
  if (!in) throw DataError(fmt::format("{}: cannot open", path));
  return read_csv(in, path, options);
}

}  // namespace dlsim
