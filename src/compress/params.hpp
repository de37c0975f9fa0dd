// Declared parameters: one table per component (name, type, default, help)
// drives validation, defaults and help text (SST ELI-style, see STYLE.md 4).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace dlsim {

enum class ParamType { integer, real, boolean, text };
std::string_view to_string(ParamType type);

struct ParamSpec {
  std::string_view name;
  ParamType type;
  std::string_view default_value;  // as it would be written in a scenario: "0.01", "true", "log2d"
  std::string_view help;           // one line
  std::string_view choices = {};   // text parameters: "a|b|c"; empty for any value
};

using ParamValue = std::variant<bool, std::int64_t, double, std::string>;
using ParamMap = std::map<std::string, ParamValue, std::less<>>;

// Values for every declared parameter: given ones checked, the rest defaulted.
class ResolvedParams {
 public:
  // Throws std::invalid_argument naming `component` and the parameter for an
  // unknown name (with the nearest declared name as a suggestion), a value of
  // the wrong type (integers are accepted for reals) or a text value outside
  // its choices.
  ResolvedParams(std::string_view component, std::span<const ParamSpec> specs, const ParamMap& given);

  std::int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool boolean(std::string_view name) const;
  const std::string& text(std::string_view name) const;
  const ParamMap& values() const { return values_; }

 private:
  const ParamValue& at(std::string_view name) const;
  ParamMap values_;
};

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate nearest to `name` (empty if none is within a third of its length + 2).
std::string_view nearest(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace dlsim
