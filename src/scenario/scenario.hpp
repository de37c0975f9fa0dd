// Scenario files: load a TOML file, apply `--set key.path=value` overrides,
// check every key against the schema, fill in defaults, and hand out typed
// values by key path. A scenario that loaded is complete and valid: every
// consumer can read its keys without checking again.
//
// Every error is a ScenarioError (a std::invalid_argument, exit status 2 in
// the CLI) whose message starts with where: "file:line:column: key.path: ...",
// or "--set key.path=value: ..." for an override.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/schema.hpp"
#include "sim/time.hpp"

namespace dlsim {

class ScenarioError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Files above this size or nested deeper than toml++'s limit are refused.
inline constexpr std::size_t kMaxScenarioBytes = 1 << 20;

class Scenario {
 public:
  Scenario(std::string source, toml::table resolved);

  const std::string& source() const { return source_; }
  // The resolved document: every key of every section, defaults filled in.
  const toml::table& resolved() const { return resolved_; }
  std::string to_toml() const;

  bool has(std::string_view path) const;
  std::string text(std::string_view path) const;
  std::int64_t integer(std::string_view path) const;
  double real(std::string_view path) const;
  bool boolean(std::string_view path) const;
  // Whether the value is a string (a boolean_or_choice key set to a choice).
  bool is_text(std::string_view path) const;
  // Whether a number-or-"auto" key is "auto".
  bool is_auto(std::string_view path) const;
  SimTime duration(std::string_view path) const;
  std::int64_t rate_bps(std::string_view path) const;
  std::int64_t size_bits(std::string_view path) const;
  std::vector<std::int64_t> integers(std::string_view path) const;
  std::vector<double> reals(std::string_view path) const;
  // The keys of a section other than those named, as text "name" -> TOML literal
  // (used to pass a kind's parameters on to its factory).
  std::vector<std::pair<std::string, const toml::node*>> section_entries(std::string_view section) const;

 private:
  const toml::node& at(std::string_view path) const;
  std::string source_;
  toml::table resolved_;
};

// The longest scenario name: results go to results/<name>, one folder.
inline constexpr std::size_t kMaxNameChars = 128;

// `text` as it may appear inside a one-line message: newline, tab and NUL as
// \n, \t and \0, other control bytes as \xNN, and text longer than `limit`
// bytes cut, with its length said.
std::string printable(std::string_view text, std::size_t limit = 80);

// The text of a scenario file. Throws ScenarioError for a missing,
// unreadable or oversized file, and for a folder.
std::string read_scenario_file(const std::string& path);

// Parses, overrides, validates and resolves. `source_name` names the text in messages.
Scenario parse_scenario(std::string_view text, const std::string& source_name,
                        const std::vector<std::string>& overrides, const Schema& schema);
// Reads the file (refusing missing, unreadable or oversized files), then parse_scenario.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const Schema& schema);

// Sets "section.key=value" in `document`. The value is read as a TOML value
// (0.5, 3, true, "text", [1, 2]); anything else is taken as a string, so
// `topology.kind=torus` and `network.latency=5ms` work unquoted.
void apply_override(toml::table& document, std::string_view assignment);

// Checks `document` against the schema and fills defaults. Throws ScenarioError.
void validate_and_resolve(toml::table& document, const Schema& schema, const std::string& source_name);

// Where a node came from, for messages: "file:line:column" or the override text.
std::string describe_location(const toml::node& node, const std::string& fallback);

}  // namespace dlsim
