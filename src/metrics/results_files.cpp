#include "metrics/results_files.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace dlsim {

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr)
    throw std::runtime_error(fmt::format("{}: cannot write: {}", temporary, std::strerror(errno)));
  const bool written = std::fwrite(content.data(), 1, content.size(), file) == content.size();
  const bool flushed = std::fflush(file) == 0;
  std::fclose(file);
  if (!written || !flushed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw std::runtime_error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  }
}

CsvTable::CsvTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void CsvTable::add_row(const std::vector<double>& values) {
  std::string row;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) row += ',';
    const double value = values[i];
    if (std::isnan(value)) row += "nan";
    else if (std::isinf(value)) row += value > 0 ? "inf" : "-inf";
    else if (value == std::floor(value) && std::abs(value) < 1e15) row += fmt::format("{:.0f}", value);
    else row += fmt::format("{}", value);
  }
  rows_.push_back(std::move(row));
}

std::string CsvTable::text() const {
  std::string out;
  for (std::size_t i = 0; i < columns_.size(); ++i) out += (i ? "," : "") + columns_[i];
  out += '\n';
  for (const std::string& row : rows_) out += row + '\n';
  return out;
}

}  // namespace dlsim
