// Loading, overriding, validating and resolving scenario files.
#include "scenario/scenario.hpp"

#include <fmt/core.h>

#include <functional>

#include <cerrno>
#include <cmath>
#include <limits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/sweep.hpp"
#include "sim/units.hpp"
#include "topologies/errors.hpp"

namespace dlsim {
namespace {

constexpr std::string_view kOverridePrefix = "--set ";

[[noreturn]] void fail_at(const toml::node& node, const std::string& fallback, std::string_view path,
                          std::string_view what) {
  throw ScenarioError(fmt::format("{}: {}: {}", describe_location(node, fallback), path, what));
}

std::string join_path(std::string_view section, std::string_view key) {
  return section.empty() ? std::string(key) : fmt::format("{}.{}", section, key);
}

std::vector<std::string> names_of(const std::vector<KeySpec>& keys) {
  std::vector<std::string> names;
  for (const KeySpec& key : keys) names.push_back(key.name);
  return names;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  const std::vector<std::string_view> views(candidates.begin(), candidates.end());
  const std::string near = nearest_match(word, views);
  return near.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", near);
}

toml::node_view<toml::node> parse_literal(const std::string& literal, const std::string& where) {
  static thread_local toml::table holder;
  try {
    holder = toml::parse("value = " + literal, where);
  } catch (const toml::parse_error&) {
    return {};
  }
  return holder["value"];
}

void check_number_range(const toml::node& node, const std::string& source, std::string_view path,
                        const KeySpec& spec, double value) {
  if (spec.infinity_allowed && value == std::numeric_limits<double>::infinity()) return;
  if (!std::isfinite(value)) fail_at(node, source, path, "must be a finite number");
  if (value < spec.minimum || value > spec.maximum) {
    if (spec.maximum >= 1e308)
      fail_at(node, source, path, fmt::format("must be at least {}, got {}", spec.minimum, value));
    if (spec.minimum <= -1e308)
      fail_at(node, source, path, fmt::format("must be at most {}, got {}", spec.maximum, value));
    fail_at(node, source, path,
            fmt::format("must be in [{}, {}], got {}", spec.minimum, spec.maximum, value));
  }
}

// Checks one value's type and range; converts integers given for reals.
void check_value(toml::table& table, std::string_view key, const KeySpec& spec,
                 const std::string& source, std::string_view path) {
  toml::node& node = *table.get(key);
  auto expect = [&](bool ok) {
    if (!ok)
      fail_at(node, source, path,
              fmt::format("expected {}, got {}", with_article(value_type_name(spec.type)),
                          node.is_string() ? fmt::format("the string \"{}\"", printable(*node.value<std::string>()))
                                           : std::string(toml::impl::node_type_friendly_names[
                                                 static_cast<int>(node.type())])));
  };
  switch (spec.type) {
    case ValueType::string:
      expect(node.is_string());
      break;
    case ValueType::boolean_or_choice:
      if (!node.is_string()) {
        expect(node.is_boolean());
        break;
      }
      [[fallthrough]];
    case ValueType::choice: {
      expect(node.is_string());
      const std::string value = *node.value<std::string>();
      bool found = false;
      for (const std::string& choice : spec.choices) found |= choice == value;
      if (!found) {
        std::string list;
        for (const std::string& choice : spec.choices) list += (list.empty() ? "" : ", ") + choice;
        fail_at(node, source, path,
                fmt::format("\"{}\" is not one of: {}{}", printable(value), list, suggestion(value, spec.choices)));
      }
      break;
    }
    case ValueType::integer:
      expect(node.is_integer());
      check_number_range(node, source, path, spec, static_cast<double>(*node.value<std::int64_t>()));
      break;
    case ValueType::real: {
      expect(node.is_number());
      const double value = *node.value<double>();
      // An integer stays as written; Scenario::real converts it exactly.
      check_number_range(node, source, path, spec, value);
      break;
    }
    case ValueType::real_or_auto:
      if (node.is_string()) {
        if (*node.value<std::string>() != "auto")
          fail_at(node, source, path,
                  fmt::format("expected a number or \"auto\", got the string \"{}\"",
                              printable(*node.value<std::string>())));
      } else {
        expect(node.is_number());
        check_number_range(node, source, path, spec, *node.value<double>());
      }
      break;
    case ValueType::boolean:
      expect(node.is_boolean());
      break;
    case ValueType::duration:
    case ValueType::rate:
    case ValueType::size: {
      expect(node.is_string());
      const std::string text = *node.value<std::string>();
      // The unit parser's message quotes the text: keep it one short line.
      if (text.size() > 64 || printable(text) != text)
        fail_at(node, source, path,
                fmt::format("expected {} such as \"{}\", got \"{}\"", with_article(value_type_name(spec.type)),
                            spec.type == ValueType::duration ? "1.5ms" : spec.type == ValueType::rate ? "1Gbps" : "1MiB",
                            printable(text)));
      try {
        const double value = spec.type == ValueType::duration ? static_cast<double>(parse_duration(text))
                             : spec.type == ValueType::rate   ? static_cast<double>(parse_rate_bps(text))
                                                              : static_cast<double>(parse_size_bits(text));
        check_number_range(node, source, path, spec, value);
      } catch (const UnitError& error) {
        fail_at(node, source, path, error.what());
      }
      break;
    }
    case ValueType::string_or_real_list:
      if (node.is_string()) break;
      [[fallthrough]];
    case ValueType::integer_list:
    case ValueType::real_list: {
      expect(node.is_array());
      toml::array& array = *node.as_array();
      for (std::size_t i = 0; i < array.size(); ++i) {
        toml::node& element = *array.get(i);
        const bool ok = spec.type == ValueType::integer_list ? element.is_integer() : element.is_number();
        if (!ok)
          fail_at(element, source, fmt::format("{}[{}]", path, i),
                  spec.type == ValueType::integer_list ? "expected an integer" : "expected a number");
        check_number_range(element, source, fmt::format("{}[{}]", path, i), spec, *element.value<double>());
      }
      break;
    }
  }
}

// `other_kinds(name)`, when set, names the other kinds of the section that
// take a key called `name` (a key left over after changing `kind`).
void reject_unknown_keys(toml::table& table, std::string_view section_name, const std::vector<KeySpec>& keys,
                         const std::string& source, const std::vector<std::string>& subtables,
                         const std::function<std::string(const std::string&)>& other_kinds = {}) {
  // A suggestion is drawn from this section's keys.
  std::vector<std::string> known = names_of(keys);
  known.insert(known.end(), subtables.begin(), subtables.end());
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    bool is_known = false;
    for (const std::string& candidate : known) is_known |= candidate == name;
    if (!is_known) {
      const std::string where = section_name.empty() ? "the top level" : fmt::format("[{}]", section_name);
      const toml::source_region& region = key.source();
      const std::string location =
          region.begin.line == 0 ? describe_location(node, source)
                                 : fmt::format("{}:{}:{}", region.path ? *region.path : source, region.begin.line,
                                               region.begin.column);
      const std::string owners = other_kinds ? other_kinds(name) : std::string();
      throw ScenarioError(fmt::format("{}: {}: unknown key in {}{}", location, printable(join_path(section_name, name)), where,
                                      owners.empty() ? suggestion(name, known)
                                                     : fmt::format(" (a parameter of {})", owners)));
    }
  }
}

// The name becomes the folder results/<name>: one path component, nothing that
// leads elsewhere ("..", "a/b") or that a shell or a listing would garble.
void check_name(const toml::node& node, const std::string& source) {
  const std::string name = *node.value<std::string>();
  const auto refuse = [&](std::string_view why) {
    fail_at(node, source, "name", fmt::format("\"{}\" {}: results go to results/<name>", printable(name), why));
  };
  if (name.empty()) refuse("is empty");
  if (name == "." || name == "..") refuse("is not a folder name");
  if (name.find_first_of("/\\") != std::string::npos) refuse("holds a '/' or '\\' (it must be one folder name)");
  for (const char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) refuse("holds a control character");
  if (name.size() > kMaxNameChars) refuse(fmt::format("is longer than {} characters", kMaxNameChars));
}

void fill_and_check(toml::table& table, std::string_view section_name, const std::vector<KeySpec>& keys,
                    const std::string& source) {
  for (const KeySpec& spec : keys) {
    const std::string path = join_path(section_name, spec.name);
    if (table.get(spec.name) == nullptr) {
      if (!spec.default_value.empty()) {
        auto literal = parse_literal(spec.default_value, "default");
        if (!literal) throw std::logic_error(fmt::format("schema default of {} is not TOML", path));
        table.insert_or_assign(spec.name, *literal.node());
      } else if (spec.required) {
        throw ScenarioError(fmt::format("{}: {}: required key is missing ({})", source, path, spec.help));
      } else {
        continue;
      }
    }
    check_value(table, spec.name, spec, source, path);
  }
}

void resolve_section(toml::table& table, std::string_view section_name, const std::vector<KeySpec>& keys,
                     const std::string& source, const std::vector<std::string>& subtables,
                     const std::function<std::string(const std::string&)>& other_kinds = {}) {
  reject_unknown_keys(table, section_name, keys, source, subtables, other_kinds);
  fill_and_check(table, section_name, keys, source);
}

}  // namespace

std::string describe_location(const toml::node& node, const std::string& fallback) {
  const toml::source_region& region = node.source();
  if (region.path && region.path->rfind(kOverridePrefix, 0) == 0) return *region.path;
  if (region.begin.line == 0) return fallback;
  return fmt::format("{}:{}:{}", region.path ? *region.path : fallback, region.begin.line,
                     region.begin.column);
}

void apply_override(toml::table& document, std::string_view assignment) {
  // Printable: it is the location of every message about this value.
  const std::string where = fmt::format("{}{}", kOverridePrefix, printable(assignment));
  const std::size_t equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0)
    throw ScenarioError(fmt::format("{}: expected key.path=value", where));
  const std::string_view path = assignment.substr(0, equals);
  const std::string value_text(assignment.substr(equals + 1));
  if (path == "sweep" || path.rfind("sweep.", 0) == 0)
    throw ScenarioError(fmt::format("{}: the sweep table cannot be overridden", where));

  toml::table parsed;
  try {
    parsed = toml::parse("value = " + value_text, where);
  } catch (const toml::parse_error&) {
    // Not a TOML value: take the text as a string (e.g. torus, 5ms), quoted
    // as a TOML literal so that the value remembers where it came from.
    std::string quoted = "\"";
    for (char c : value_text) {
      if (c == '"' || c == '\\') quoted += '\\';
      if (static_cast<unsigned char>(c) < 0x20) throw ScenarioError(fmt::format("{}: control character in the value", where));
      quoted += c;
    }
    quoted += '"';
    try {
      parsed = toml::parse("value = " + quoted, where);
    } catch (const toml::parse_error& error) {
      // What even a string cannot hold (invalid UTF-8): bad input, not a crash.
      throw ScenarioError(fmt::format("{}: {}", where, error.description()));
    }
  }
  toml::table* table = &document;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    const std::string part(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (part.empty()) throw ScenarioError(fmt::format("{}: empty part in the key path", where));
    if (dot == std::string_view::npos) {
      // Moving (not copying) keeps the node's source region, which names the override.
      parsed.get("value")->visit([&](auto&& value) { table->insert_or_assign(part, std::move(value)); });
      return;
    }
    toml::node* next = table->get(part);
    if (next == nullptr) {
      table->insert(part, toml::table{});
      next = table->get(part);
    }
    if (!next->is_table())
      throw ScenarioError(fmt::format("{}: \"{}\" is a value, not a section", where, part));
    table = next->as_table();
    start = dot + 1;
  }
}

void validate_and_resolve(toml::table& document, const Schema& schema, const std::string& source) {
  std::vector<std::string> sections;
  for (const SectionSpec& section : schema.sections())
    if (!section.name.empty()) sections.push_back(section.name);
  const SectionSpec* top = schema.find_section("");
  // Sections that are tables must be tables; the rest are checked as top-level keys.
  for (const std::string& name : sections) {
    toml::node* node = document.get(name);
    if (node != nullptr && !node->is_table())
      fail_at(*node, source, name, fmt::format("must be a table ([{}])", name));
  }
  resolve_section(document, "", top ? top->keys : std::vector<KeySpec>{}, source, sections);
  if (const toml::node* name = document.get("name"); name != nullptr && name->is_string()) check_name(*name, source);
  // Sections that apply only to some documents come last, so that they can read the rest.
  std::vector<const SectionSpec*> order;
  for (const SectionSpec& section : schema.sections())
    if (!section.excluded) order.push_back(&section);
  for (const SectionSpec& section : schema.sections())
    if (section.excluded) order.push_back(&section);
  for (const SectionSpec* section_pointer : order) {
    const SectionSpec& section = *section_pointer;
    if (section.name.empty() || section.name == "sweep") continue;
    if (section.excluded) {
      const std::string reason = section.excluded(document);
      if (!reason.empty()) {
        if (toml::node* given = document.get(section.name)) {
          // The first key given names the error (the loop keeps toml++'s iterator, which owns the pair, alive).
          for (auto&& [key, node] : *given->as_table()) fail_at(node, source, join_path(section.name, key.str()), reason);
          document.erase(section.name);
        }
        continue;
      }
    }
    if (document.get(section.name) == nullptr) document.insert(section.name, toml::table{});
    toml::table& table = *document.get(section.name)->as_table();
    std::vector<KeySpec> keys = section.keys;
    std::function<std::string(const std::string&)> other_kinds;
    if (section.kind_keys) {
      // The kind is checked first, so that its parameters can be looked up.
      std::vector<KeySpec> kind_only;
      for (const KeySpec& key : keys)
        if (key.name == "kind") kind_only.push_back(key);
      fill_and_check(table, section.name, kind_only, source);
      const std::string kind = *table.get("kind")->value<std::string>();
      for (KeySpec& extra : section.kind_keys(schema, kind)) keys.push_back(std::move(extra));
      // E.g. --set compression.kind=qsgd on a file that sets compression.ratio for top-k.
      other_kinds = [&schema, &section, kind, choices = kind_only.front().choices](const std::string& name) {
        if (section.key_owners) return section.key_owners(schema, kind, name);
        std::string owners;
        for (const std::string& other : choices)
          for (const KeySpec& spec : section.kind_keys(schema, other))
            if (spec.name == name) owners += (owners.empty() ? "" : ", ") + other;
        return owners.empty() ? owners : fmt::format("{}, not of {}", owners, kind);
      };
    }
    resolve_section(table, section.name, keys, source, {}, other_kinds);
  }
}

Scenario parse_scenario(std::string_view text, const std::string& source_name,
                        const std::vector<std::string>& overrides, const Schema& schema) {
  if (text.size() > kMaxScenarioBytes)
    throw ScenarioError(fmt::format("{}: the file is larger than {} bytes", source_name, kMaxScenarioBytes));
  toml::table document;
  try {
    document = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    throw ScenarioError(fmt::format("{}:{}:{}: {}", source_name, error.source().begin.line,
                                    error.source().begin.column, error.description()));
  }
  for (const std::string& assignment : overrides) apply_override(document, assignment);
  validate_and_resolve(document, schema, source_name);
  // A [sweep] table is checked (its keys and every point) even when the scenario runs alone.
  if (document.contains("sweep")) parse_sweep(text, source_name, overrides, schema);
  return Scenario(source_name, std::move(document));
}

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  std::size_t shown = text.size() > limit ? limit : text.size();
  // Not in the middle of a UTF-8 character.
  while (shown > 0 && shown < text.size() && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) --shown;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\0') out += "\\0";
    else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  if (shown < text.size()) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

std::string read_scenario_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw ScenarioError(fmt::format("{}: is a folder, not a scenario file", printable(path, 4096)));
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw ScenarioError(fmt::format("{}: cannot open the scenario file: {}", printable(path, 4096), std::strerror(errno)));
  std::string text;
  char buffer[65536];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(file.gcount()));
    if (text.size() > kMaxScenarioBytes)
      throw ScenarioError(fmt::format("{}: the file is larger than {} bytes", printable(path, 4096), kMaxScenarioBytes));
  }
  if (file.bad()) throw ScenarioError(fmt::format("{}: cannot read the scenario file", printable(path, 4096)));
  return text;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const Schema& schema) {
  return parse_scenario(read_scenario_file(path), path, overrides, schema);
}

// ---------------------------------------------------------------- Scenario

Scenario::Scenario(std::string source, toml::table resolved)
    : source_(std::move(source)), resolved_(std::move(resolved)) {}

std::string Scenario::to_toml() const {
  std::ostringstream out;
  out << resolved_;
  return out.str();
}

bool Scenario::has(std::string_view path) const {
  return static_cast<bool>(resolved_.at_path(path));
}

const toml::node& Scenario::at(std::string_view path) const {
  const toml::node* node = resolved_.at_path(path).node();
  if (node == nullptr) throw std::logic_error(fmt::format("scenario has no key {}", path));
  return *node;
}

std::string Scenario::text(std::string_view path) const { return *at(path).value<std::string>(); }
std::int64_t Scenario::integer(std::string_view path) const { return *at(path).value<std::int64_t>(); }
double Scenario::real(std::string_view path) const { return *at(path).value<double>(); }
bool Scenario::boolean(std::string_view path) const { return *at(path).value<bool>(); }
bool Scenario::is_text(std::string_view path) const { return at(path).is_string(); }
bool Scenario::is_auto(std::string_view path) const { return at(path).value<std::string>() == "auto"; }
SimTime Scenario::duration(std::string_view path) const { return parse_duration(text(path)); }
std::int64_t Scenario::rate_bps(std::string_view path) const { return parse_rate_bps(text(path)); }
std::int64_t Scenario::size_bits(std::string_view path) const { return parse_size_bits(text(path)); }

std::vector<std::int64_t> Scenario::integers(std::string_view path) const {
  std::vector<std::int64_t> values;
  for (const toml::node& element : *at(path).as_array()) values.push_back(*element.value<std::int64_t>());
  return values;
}

std::vector<double> Scenario::reals(std::string_view path) const {
  std::vector<double> values;
  for (const toml::node& element : *at(path).as_array()) values.push_back(*element.value<double>());
  return values;
}

std::vector<std::pair<std::string, const toml::node*>> Scenario::section_entries(std::string_view section) const {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  if (const toml::table* table = at(section).as_table())
    for (auto&& [key, node] : *table) entries.emplace_back(std::string(key.str()), &node);
  return entries;
}

}  // namespace dlsim
