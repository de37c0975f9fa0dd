// Declared parameters: each component (a topology generator, a compressor, an
// algorithm) declares its parameters once, as a table of name, type, default
// and one line of help (SST ELI params, see STYLE.md 4). The table drives
// validation (unknown names get a did-you-mean), defaults and help listings.
//
// It lives in topologies/ because that is the lowest layer that needs it and
// topologies may depend on nothing else of ours; compressors, algorithms and
// scenario files use the same table.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace dlsim {

enum class ParamType { integer, real, boolean, text };

std::string_view param_type_name(ParamType type);

struct ParamSpec {
  std::string_view name;
  ParamType type;
  std::string_view default_value;  // text, parsed like a user's value ("0.01", "true", "log2d")
  std::string_view help;           // one line
  std::string_view choices = {};   // text parameters: "a|b|c"; empty for any value
};

// A bad parameter name, type or value. The message names the owner and the parameter.
class ParamError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

using ParamValue = std::variant<bool, std::int64_t, double, std::string>;
using ParamMap = std::map<std::string, ParamValue, std::less<>>;    // typed (e.g. from TOML)
using ParamText = std::map<std::string, std::string, std::less<>>;  // text (e.g. from --param k=v)

// Every declared parameter with its value: the given one or the default.
class ParamValues {
 public:
  // Throws ParamError for an undeclared name (with a did-you-mean), a value of
  // the wrong type (integers are accepted for reals), unparsable text, or a
  // text value outside its choices.
  static ParamValues resolve(std::string_view owner, std::span<const ParamSpec> specs,
                             const ParamMap& given);
  // The same from text values ("8", "0.1", "true"), parsed by each parameter's type.
  static ParamValues resolve_text(std::string_view owner, std::span<const ParamSpec> specs,
                                  const ParamText& given);

  std::int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool boolean(std::string_view name) const;
  const std::string& text(std::string_view name) const;
  bool given(std::string_view name) const;

 private:
  struct Entry {
    ParamValue value;
    bool given = false;
  };
  const ParamValue& at(std::string_view name) const;
  std::map<std::string, Entry, std::less<>> values_;
};

// Parses "NAME=VALUE" into `text`; throws ParamError otherwise.
void parse_param_assignment(std::string_view assignment, ParamText& text);

// For the factories of kinds with parameters (compressors, aggregators):
// "unknown NOUN 'KIND' (did you mean 'X'?)", or the list of kinds when none is near.
std::string unknown_kind_message(std::string_view noun, std::string_view kind, std::span<const std::string_view> kinds);
// "KIND: HELP" and one indented line per parameter (type, default, choices, help).
std::string kind_help(std::string_view kind, std::string_view help, std::span<const ParamSpec> params);

}  // namespace dlsim
