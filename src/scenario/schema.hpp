// The scenario schema: every key a scenario file may hold, declared once with
// its type, default and one line of help. The same table drives validation
// (unknown keys get a nearest-match suggestion), `dlsim validate`'s resolved
// output and the README's reference.
//
// Sections whose keys depend on a `kind` (topology parameters, compressor
// parameters, ...) add them through a dynamic hook that reads the kind.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dlsim {

enum class ValueType {
  string,    // free text (names, paths)
  choice,    // one of KeySpec::choices
  integer,   // TOML integer
  real,      // TOML float (an integer is accepted and converted exactly)
  real_or_auto,  // a number as for real, or the string "auto" (the program chooses)
  boolean,
  boolean_or_choice,  // true or false, or one of KeySpec::choices (a string)
  duration,  // text with a unit, "1.5ms" (sim/units.hpp)
  rate,      // text with a unit, "1Gbps"
  size,      // text with a unit, "1MiB"
  integer_list,
  real_list,
  string_or_real_list,  // a string (a mode, "file:PATH") or a list of numbers (model.init)
};

std::string_view value_type_name(ValueType type);
// "an integer", "a number": the noun with its indefinite article.
std::string with_article(std::string_view noun);

struct KeySpec {
  std::string name;           // key within its section, e.g. "latency"
  ValueType type = ValueType::string;
  std::string default_value;  // a TOML literal (e.g. "\"ring\"", "0.5", "[]"); empty = no default
  std::string help;
  std::vector<std::string> choices;  // for ValueType::choice and boolean_or_choice
  double minimum = -1e308;           // inclusive bounds for numbers, list elements and units
  double maximum = 1e308;
  bool required = false;             // must be given when there is no default
  bool infinity_allowed = false;     // reals: +inf (TOML `inf`) is accepted beside finite values
};

// A key as the schema's tables write it: `default_value` is a TOML literal
// ("\"ring\"", "0.5"; empty: none), bounds inclusive.
KeySpec key_spec(std::string name, ValueType type, std::string default_value, std::string help,
                 double minimum = -1e308, double maximum = 1e308);
// A choice key; `default_choice` is one of `choices`, unquoted.
KeySpec choice_spec(std::string name, std::vector<std::string> choices, std::string_view default_choice,
                    std::string help);

// A key's value may be absent only when it is optional: no default and not required.
class Schema;
using DynamicKeys = std::function<std::vector<KeySpec>(const Schema&, std::string_view kind)>;

// Kind-dependent keys shown as a table of their own in the reference, e.g.
// "keys of the federated algorithms".
struct KeyGroup {
  std::string title;
  std::vector<KeySpec> keys;
};

struct SectionSpec {
  SectionSpec(std::string section_name, std::string section_help, std::vector<KeySpec> section_keys,
              DynamicKeys section_kind_keys = {})
      : name(std::move(section_name)),
        help(std::move(section_help)),
        keys(std::move(section_keys)),
        kind_keys(std::move(section_kind_keys)) {}

  std::string name;  // "" for the top level
  std::string help;
  std::vector<KeySpec> keys;
  // When set, the section's `kind` key selects extra keys (e.g. compressor parameters).
  DynamicKeys kind_keys;
  // For a key the chosen kind does not take, which kinds do, for the message
  // (e.g. "a key of the federated algorithms, not of d-psgd"); "" when none.
  // Unset: the other kinds whose kind_keys list it.
  std::function<std::string(const Schema&, std::string_view kind, const std::string& key)> key_owners;
  // The kind_keys as tables for the reference (`dlsim validate --reference`).
  std::vector<KeyGroup> documented_kind_keys;
  // When set, why the section does not apply to a document ("" when it does).
  // It is asked after every other section is resolved (so it may read e.g.
  // algorithm.kind); a section that does not apply must be absent or empty,
  // and is left out of the resolved scenario.
  std::function<std::string(const toml::table& document)> excluded;
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
