// Parameter validation. Defaults are parsed from the table's text so the table
// stays the single place where a default is written.
#include "compress/params.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdexcept>
#include <vector>

namespace dlsim {
namespace {

ParamValue parse_default(const ParamSpec& spec) {
  const std::string text(spec.default_value);
  switch (spec.type) {
    case ParamType::integer: return std::int64_t{std::stoll(text)};
    case ParamType::real: return std::stod(text);
    case ParamType::boolean: return text == "true";
    case ParamType::text: return text;
  }
  return text;
}

bool has_choice(std::string_view choices, std::string_view value) {
  while (!choices.empty()) {
    const auto bar = choices.find('|');
    if (choices.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  return false;
}

}  // namespace

std::string_view to_string(ParamType type) {
  switch (type) {
    case ParamType::integer: return "integer";
    case ParamType::real: return "real";
    case ParamType::boolean: return "boolean";
    case ParamType::text: return "string";
  }
  return "?";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view nearest(std::string_view name, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_distance = name.size() / 3 + 3;
  for (auto candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

ResolvedParams::ResolvedParams(std::string_view component, std::span<const ParamSpec> specs,
                               const ParamMap& given) {
  std::vector<std::string_view> names;
  for (const auto& spec : specs) names.push_back(spec.name);
  for (const auto& [name, value] : given) {
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      const auto suggestion = nearest(name, names);
      throw std::invalid_argument(fmt::format("{}: unknown parameter '{}'{}", component, name,
                                              suggestion.empty() ? fmt::format(" (parameters: {})", fmt::join(names, ", "))
                                                                 : fmt::format(" (did you mean '{}'?)", suggestion)));
    }
    ParamValue accepted = value;
    const bool ok = std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          switch (spec->type) {
            case ParamType::integer: return std::is_same_v<T, std::int64_t>;
            case ParamType::boolean: return std::is_same_v<T, bool>;
            case ParamType::text: return std::is_same_v<T, std::string>;
            case ParamType::real:
              if constexpr (std::is_same_v<T, std::int64_t>) accepted = double(v);
              return std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>;
          }
          return false;
        },
        value);
    if (!ok) throw std::invalid_argument(fmt::format("{}: parameter '{}' must be a {}", component, name, to_string(spec->type)));
    if (spec->type == ParamType::text && !spec->choices.empty() && !has_choice(spec->choices, std::get<std::string>(value)))
      throw std::invalid_argument(fmt::format("{}: parameter '{}' is '{}', expected one of {}", component, name,
                                              std::get<std::string>(value), spec->choices));
    values_[std::string(name)] = accepted;
  }
  for (const auto& spec : specs)
    if (values_.find(spec.name) == values_.end()) values_[std::string(spec.name)] = parse_default(spec);
}

const ParamValue& ResolvedParams::at(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error("undeclared parameter " + std::string(name));
  return it->second;
}

std::int64_t ResolvedParams::integer(std::string_view name) const { return std::get<std::int64_t>(at(name)); }
double ResolvedParams::real(std::string_view name) const { return std::get<double>(at(name)); }
bool ResolvedParams::boolean(std::string_view name) const { return std::get<bool>(at(name)); }
const std::string& ResolvedParams::text(std::string_view name) const { return std::get<std::string>(at(name)); }

}  // namespace dlsim
