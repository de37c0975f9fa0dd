// Parsing and validating declared parameters. Defaults are parsed from the
// table's text, so the table stays the one place where a default is written.
#include "topologies/params.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>
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

bool has_choice(std::string_view choices, std::string_view value) {
  while (!choices.empty()) {
    const auto bar = choices.find('|');
    if (choices.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  return false;
}

// Text to a typed value; throws ParamError naming owner and parameter.
ParamValue parse_text(std::string_view owner, const ParamSpec& spec, std::string_view text) {
  switch (spec.type) {
    case ParamType::integer: {
      std::int64_t value = 0;
      if (parse_integer(text, value)) return value;
      break;
    }
    case ParamType::real: {
      double value = 0;
      if (parse_real(text, value)) return value;
      break;
    }
    case ParamType::boolean: {
      bool value = false;
      if (parse_boolean(text, value)) return value;
      break;
    }
    case ParamType::text:
      return std::string(text);
  }
  const std::string_view expected = spec.type == ParamType::boolean ? "true or false"
                                    : spec.type == ParamType::real    ? "a real number"
                                                                      : "an integer";
  throw ParamError(fmt::format("{}: parameter {}={}: expected {}", owner, spec.name, text, expected));
}

const ParamSpec& declared(std::string_view owner, std::span<const ParamSpec> specs, std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& spec : specs) {
    if (spec.name == name) return spec;
    names.push_back(spec.name);
  }
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
  throw ParamError(message);
}

void check_choice(std::string_view owner, const ParamSpec& spec, const ParamValue& value) {
  if (spec.type != ParamType::text || spec.choices.empty()) return;
  const std::string& text = std::get<std::string>(value);
  if (!has_choice(spec.choices, text))
    throw ParamError(fmt::format("{}: parameter {}={}: expected one of {}", owner, spec.name, text,
                                 spec.choices));
}

}  // namespace

std::string_view param_type_name(ParamType type) {
  switch (type) {
    case ParamType::integer: return "integer";
    case ParamType::real: return "real";
    case ParamType::boolean: return "boolean";
    case ParamType::text: return "string";
  }
  return "?";
}

ParamValues ParamValues::resolve(std::string_view owner, std::span<const ParamSpec> specs,
                                 const ParamMap& given) {
  ParamValues result;
  for (const auto& [name, value] : given) {
    const ParamSpec& spec = declared(owner, specs, name);
    ParamValue accepted = value;
    const bool ok = std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          switch (spec.type) {
            case ParamType::integer: return std::is_same_v<T, std::int64_t>;
            case ParamType::boolean: return std::is_same_v<T, bool>;
            case ParamType::text: return std::is_same_v<T, std::string>;
            case ParamType::real:
              if constexpr (std::is_same_v<T, std::int64_t>) accepted = static_cast<double>(v);
              if constexpr (std::is_same_v<T, double>) return std::isfinite(v);
              return std::is_same_v<T, std::int64_t>;
          }
          return false;
        },
        value);
    if (!ok)
      throw ParamError(fmt::format("{}: parameter {} must be a finite {}", owner, name,
                                   param_type_name(spec.type)));
    check_choice(owner, spec, accepted);
    result.values_[std::string(name)] = Entry{std::move(accepted), true};
  }
  for (const auto& spec : specs)
    if (result.values_.find(spec.name) == result.values_.end())
      result.values_[std::string(spec.name)] = Entry{parse_text(owner, spec, spec.default_value), false};
  return result;
}

ParamValues ParamValues::resolve_text(std::string_view owner, std::span<const ParamSpec> specs,
                                      const ParamText& given) {
  ParamMap typed;
  for (const auto& [name, text] : given) typed[name] = parse_text(owner, declared(owner, specs, name), text);
  return resolve(owner, specs, typed);
}

const ParamValue& ParamValues::at(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error(fmt::format("parameter '{}' is not declared", name));
  return it->second.value;
}

std::int64_t ParamValues::integer(std::string_view name) const { return std::get<std::int64_t>(at(name)); }
double ParamValues::real(std::string_view name) const { return std::get<double>(at(name)); }
bool ParamValues::boolean(std::string_view name) const { return std::get<bool>(at(name)); }
const std::string& ParamValues::text(std::string_view name) const { return std::get<std::string>(at(name)); }
bool ParamValues::given(std::string_view name) const {
  auto it = values_.find(name);
  return it != values_.end() && it->second.given;
}

void parse_param_assignment(std::string_view assignment, ParamText& text) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0)
    throw ParamError(fmt::format("--param {}: expected NAME=VALUE, e.g. --param p=0.1", assignment));
  text[std::string(assignment.substr(0, equals))] = std::string(assignment.substr(equals + 1));
}

std::string unknown_kind_message(std::string_view noun, std::string_view kind, std::span<const std::string_view> kinds) {
  const std::string suggestion = nearest_match(kind, kinds);
  return fmt::format("unknown {} '{}'{}", noun, kind,
                     suggestion.empty() ? fmt::format(" (kinds: {})", fmt::join(kinds, ", "))
                                        : fmt::format(" (did you mean '{}'?)", suggestion));
}

std::string kind_help(std::string_view kind, std::string_view help, std::span<const ParamSpec> params) {
  std::string out = fmt::format("{}: {}\n", kind, help);
  for (const ParamSpec& p : params)
    out += fmt::format("  {} ({}, default {}{}): {}\n", p.name, param_type_name(p.type), p.default_value,
                       p.choices.empty() ? "" : fmt::format(", one of {}", p.choices), p.help);
  return out;
}

}  // namespace dlsim
