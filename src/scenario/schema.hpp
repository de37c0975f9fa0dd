// The scenario schema: every key a scenario file may hold, declared once with
// its type, default and one line of help. The same table drives validation
// (unknown keys get a nearest-match suggestion), `dlsim validate`'s resolved
// output and the README's reference.
//
// Sections whose keys depend on a `kind` (topology parameters, compressor
// parameters, ...) add them through a dynamic hook that reads the kind.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dlsim {

enum class ValueType {
  string,    // free text (names, paths)
  choice,    // one of KeySpec::choices
  integer,   // TOML integer
  real,      // TOML float (an integer is accepted and converted exactly)
  real_or_auto,  // a number as for real, or the string "auto" (the program chooses)
  boolean,
  duration,  // text with a unit, "1.5ms" (sim/units.hpp)
  rate,      // text with a unit, "1Gbps"
  size,      // text with a unit, "1MiB"
  integer_list,
  real_list,
};

std::string_view value_type_name(ValueType type);
// "an integer", "a number": the noun with its indefinite article.
std::string with_article(std::string_view noun);

struct KeySpec {
  std::string name;           // key within its section, e.g. "latency"
  ValueType type = ValueType::string;
  std::string default_value;  // a TOML literal (e.g. "\"ring\"", "0.5", "[]"); empty = no default
  std::string help;
  std::vector<std::string> choices;  // for ValueType::choice
  double minimum = -1e308;           // inclusive bounds for numbers, list elements and units
  double maximum = 1e308;
  bool required = false;             // must be given when there is no default
};

// A key's value may be absent only when it is optional: no default and not required.
class Schema;
using DynamicKeys = std::function<std::vector<KeySpec>(const Schema&, std::string_view kind)>;

struct SectionSpec {
  std::string name;  // "" for the top level
  std::string help;
  std::vector<KeySpec> keys;
  // When set, the section's `kind` key selects extra keys (e.g. compressor parameters).
  DynamicKeys kind_keys;
};

class Schema {
 public:
  explicit Schema(std::vector<SectionSpec> sections) : sections_(std::move(sections)) {}
  const std::vector<SectionSpec>& sections() const { return sections_; }
  const SectionSpec* find_section(std::string_view name) const;

 private:
  std::vector<SectionSpec> sections_;
};

}  // namespace dlsim
