// Parameter files; see parameter_file.hpp.
#include "models/parameter_file.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace dlsim {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The offending text as one short printable line: errors quote it, and a
// binary file must not garble the terminal.
std::string shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 40;
  std::string result;
  for (const char c : text.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    result += byte >= 0x20 && byte < 0x7f ? std::string(1, c) : fmt::format("\\x{:02x}", byte);
  }
  if (text.size() > kMaxShown) result += "...";
  return result;
}

}  // namespace

std::vector<double> read_parameter_file(const std::string& path, std::size_t dimension) {
  std::ifstream file(path, std::ios::binary);
  if (!file.good()) throw std::invalid_argument(fmt::format("{}: cannot open the parameter file", shown(path)));
  std::vector<double> values;
  values.reserve(dimension);
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(file, line)) {
    ++line_number;
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    double value = 0;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
    if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || !std::isfinite(value))
      throw std::invalid_argument(fmt::format("{}:{}: \"{}\" is not one finite number (the format is one number "
                                              "per line)", shown(path), line_number, shown(text)));
    if (values.size() == dimension)
      throw std::invalid_argument(fmt::format("{}:{}: more than the {} values the model has", shown(path),
                                              line_number, dimension));
    values.push_back(value);
  }
  if (file.bad()) throw std::invalid_argument(fmt::format("{}: read error", shown(path)));
  if (values.size() != dimension)
    throw std::invalid_argument(
        fmt::format("{}: {} values for the {} parameters of the model", shown(path), values.size(), dimension));
  return values;
}

}  // namespace dlsim
