// Parsing and validating declared parameters.
#include "topologies/params.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "topologies/errors.hpp"

namespace dlsim {
namespace {

// std::from_chars accepts exactly the number and nothing else, unlike strtod
// (which accepts "1.5abc"), and does not depend on the locale.
bool parse_integer(std::string_view text, std::int64_t& out) {
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, out);
  return error == std::errc{} && ptr == end && !text.empty();
}

bool parse_real(std::string_view text, double& out) {
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, out);
  return error == std::errc{} && ptr == end && !text.empty() && std::isfinite(out);
}

bool parse_boolean(std::string_view text, bool& out) {
  if (text == "true" || text == "yes" || text == "1") return out = true, true;
  if (text == "false" || text == "no" || text == "0") return out = false, true;
  return false;
}

}  // namespace

std::string_view param_type_name(ParamType type) {
  switch (type) {
    case ParamType::integer: return "integer";
    case ParamType::real: return "real";
    case ParamType::boolean: return "boolean";
  }
  return "?";
}

ParamValues ParamValues::resolve(std::string_view owner, std::span<const ParamSpec> specs,
                                 const ParamText& given) {
  std::vector<std::string_view> names;
  for (const auto& spec : specs) names.push_back(spec.name);
  for (const auto& [name, text] : given) {
    bool declared = false;
    for (auto declared_name : names) declared = declared || declared_name == name;
    if (declared) continue;
    std::string message = fmt::format("{}: unknown parameter '{}'", owner, name);
    if (names.empty()) {
      message += fmt::format(" ({} takes no parameters)", owner);
    } else if (auto near = nearest_match(name, names); !near.empty()) {
      message += fmt::format(" (did you mean '{}'?)", near);
    } else {
      message += " (it takes";
      for (std::size_t i = 0; i < names.size(); ++i) message += fmt::format("{} {}", i ? "," : "", names[i]);
      message += ")";
    }
    throw TopologyError(message);
  }

  ParamValues result;
  for (const auto& spec : specs) {
    auto it = given.find(spec.name);
    const bool is_given = it != given.end();
    const std::string_view text = is_given ? std::string_view(it->second) : spec.default_value;
    Value value{spec.type};
    value.given = is_given;
    bool ok = false;
    switch (spec.type) {
      case ParamType::integer: ok = parse_integer(text, value.integer); break;
      case ParamType::real: ok = parse_real(text, value.real); break;
      case ParamType::boolean: {
        bool flag = false;
        ok = parse_boolean(text, flag);
        value.integer = flag ? 1 : 0;
        break;
      }
    }
    if (!ok) {
      const std::string_view expected = spec.type == ParamType::boolean ? "true or false"
                                        : spec.type == ParamType::real    ? "a real number"
                                                                          : "an integer";
      throw TopologyError(
          fmt::format("{}: parameter {}={}: expected {}", owner, spec.name, text, expected));
    }
    result.values_.emplace(std::string(spec.name), value);
  }
  return result;
}

const ParamValues::Value& ParamValues::find(std::string_view name, ParamType type) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.type != type) {
    throw std::logic_error(fmt::format("parameter '{}' is not declared as {}", name,
                                       param_type_name(type)));
  }
  return it->second;
}

std::int64_t ParamValues::integer(std::string_view name) const {
  return find(name, ParamType::integer).integer;
}
double ParamValues::real(std::string_view name) const { return find(name, ParamType::real).real; }
bool ParamValues::boolean(std::string_view name) const {
  return find(name, ParamType::boolean).integer != 0;
}
bool ParamValues::given(std::string_view name) const {
  auto it = values_.find(name);
  return it != values_.end() && it->second.given;
}

void parse_param_assignment(std::string_view assignment, ParamText& text) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw TopologyError(
        fmt::format("--param {}: expected NAME=VALUE, e.g. --param p=0.1", assignment));
  }
  text[std::string(assignment.substr(0, equals))] = std::string(assignment.substr(equals + 1));
}

}  // namespace dlsim
