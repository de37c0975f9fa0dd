// Declared parameters: each topology generator lists its parameters once
// (name, type, default, one line of help) and that table drives parsing,
// validation, defaults and the `dlsim topo --help` listing. No second copy of
// a default exists anywhere.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace dlsim {

enum class ParamType { integer, real, boolean };

// "integer", "real" or "boolean", as the help listing shows it.
std::string_view param_type_name(ParamType type);

struct ParamSpec {
  std::string_view name;
  ParamType type;
  std::string_view default_value;  // text, parsed like a user's value
  std::string_view help;           // one line
};

// Parameters given by the user as text, by name ("p" -> "0.1").
using ParamText = std::map<std::string, std::string, std::less<>>;

// The values of an owner's declared parameters after defaults.
class ParamValues {
 public:
  // Checks `given` against `specs`: every name must be declared (else a
  // TopologyError with the nearest declared name) and every value must parse
  // as its type (else a TopologyError naming owner, parameter and value).
  // Undeclared-but-absent parameters take their defaults.
  static ParamValues resolve(std::string_view owner, std::span<const ParamSpec> specs,
                             const ParamText& given);

  // The value of a declared parameter. Requires `name` to be declared with
  // that type (a programming error otherwise: std::logic_error).
  std::int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool boolean(std::string_view name) const;
  // Whether the user gave the parameter (rather than taking the default).
  bool given(std::string_view name) const;

 private:
  struct Value {
    ParamType type;
    std::int64_t integer = 0;
    double real = 0.0;
    bool given = false;
  };
  const Value& find(std::string_view name, ParamType type) const;
  std::map<std::string, Value, std::less<>> values_;
};

// Parses "k=v" into `text`; throws TopologyError for text without '='.
void parse_param_assignment(std::string_view assignment, ParamText& text);

}  // namespace dlsim
