// Reading the [sweep] table and expanding it into validated points; see sweep.hpp.
#include "scenario/sweep.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "sim/random.hpp"
#include "topologies/errors.hpp"

namespace dlsim {
namespace {

constexpr std::uint64_t kSeedMask = (std::uint64_t{1} << 53) - 1;
constexpr std::size_t kIdValueChars = 16;   // at most this much of each value in an id
constexpr std::size_t kIdPrefixChars = 40;  // and this much of all of them

std::string location(const toml::source_region& region, const std::string& source) {
  if (region.begin.line == 0) return source;
  return fmt::format("{}:{}:{}", source, region.begin.line, region.begin.column);
}

[[noreturn]] void fail(const toml::source_region& region, const std::string& source, std::string_view path,
                       std::string_view what) {
  throw ScenarioError(fmt::format("{}: {}: {}", location(region, source), printable(path, 200), what));
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  const std::vector<std::string_view> views(candidates.begin(), candidates.end());
  const std::string near = nearest_match(word, views);
  return near.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", near);
}

toml::table parse_document(std::string_view text, const std::string& source) {
  if (text.size() > kMaxScenarioBytes)
    throw ScenarioError(fmt::format("{}: the file is larger than {} bytes", source, kMaxScenarioBytes));
  try {
    return toml::parse(text, std::string_view(source));
  } catch (const toml::parse_error& error) {
    throw ScenarioError(fmt::format("{}:{}:{}: {}", source, error.source().begin.line,
                                    error.source().begin.column, error.description()));
  }
}

// ------------------------------------------------------------ value literals

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

// Shortest text that reads back to the same double, always a TOML float.
std::string float_literal(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // "n": inf and nan
  return text;
}

// A canonical TOML literal for a swept value, or "" for what a scenario key never holds.
std::string literal_of(const toml::node& node) {
  if (const auto* text = node.as_string()) return quote(text->get());
  if (const auto* integer = node.as_integer()) return std::to_string(integer->get());
  if (const auto* real = node.as_floating_point()) return float_literal(real->get());
  if (const auto* boolean = node.as_boolean()) return boolean->get() ? "true" : "false";
  if (const auto* array = node.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < array->size(); ++i) {
      const std::string element = literal_of(*array->get(i));
      if (element.empty()) return "";
      out += (i ? ", " : "") + element;
    }
    return out + "]";
  }
  if (const auto* table = node.as_table()) {
    std::string out = "{";
    for (const auto& [key, value] : *table) {
      const std::string element = literal_of(value);
      if (element.empty()) return "";
      const std::string name(key.str());
      const bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      });
      out += fmt::format("{}{} = {}", out.size() > 1 ? ", " : "", bare ? name : quote(name), element);
    }
    return out + "}";
  }
  return "";
}

// Whether `node` is a non-empty list of tables: the values of a swept section.
bool is_list_of_tables(const toml::node& node) {
  const toml::array* list = node.as_array();
  if (list == nullptr || list->empty()) return false;
  for (const toml::node& element : *list)
    if (!element.is_table()) return false;
  return true;
}

// ------------------------------------------------------------ known key paths

std::string join_path(std::string_view section, std::string_view key) {
  return section.empty() ? std::string(key) : fmt::format("{}.{}", section, key);
}

// Every key path a scenario may hold, kind-dependent keys of every kind included.
std::vector<std::string> known_key_paths(const Schema& schema) {
  std::set<std::string> paths;
  for (const SectionSpec& section : schema.sections()) {
    if (section.name == "sweep") continue;
    for (const KeySpec& key : section.keys) {
      paths.insert(join_path(section.name, key.name));
      if (key.name != "kind" || !section.kind_keys) continue;
      for (const std::string& kind : key.choices) {
        try {
          for (const KeySpec& extra : section.kind_keys(schema, kind)) paths.insert(join_path(section.name, extra.name));
        } catch (const std::exception&) {
          // A kind without a parameter table has no extra keys.
        }
      }
    }
  }
  return {paths.begin(), paths.end()};
}

// ------------------------------------------------------------ the [sweep] table

struct RawKey {
  std::string path;
  toml::source_region where;  // the key, for messages
  toml::source_region value_where;
  std::vector<std::pair<std::string, toml::source_region>> literals;  // value, where written
};

struct RawSweep {
  std::vector<RawKey> keys;
  std::vector<std::vector<std::string>> zip;
  std::vector<toml::source_region> zip_where;
  std::int64_t repeat = 1;
  SeedMode seeds = SeedMode::paired;
};

std::int64_t range_count(const toml::table& range, const std::string& source, const std::string& path) {
  const toml::node* count = range.get("count");
  if (count == nullptr) fail(range.source(), source, path, "a range needs count = N");
  if (!count->is_integer() || *count->value<std::int64_t>() < 2 ||
      *count->value<std::int64_t>() > kMaxSweepRangeCount)
    fail(count->source(), source, path + ".count", fmt::format("must be an integer in [2, {}]", kMaxSweepRangeCount));
  return *count->value<std::int64_t>();
}

// { logspace = [a, b], count = n } or { linspace = [a, b], count = n }: n
// values from a to b, evenly spaced (in log10 for logspace). The ends are
// exactly as written; the values between are rounded to 12 significant
// digits, so that they read well in ids and do not depend on the last bit
// of pow().
std::vector<std::string> range_values(const toml::table& range, const std::string& source, const std::string& path) {
  const bool log = range.contains("logspace");
  const char* kind = log ? "logspace" : "linspace";
  for (auto&& [key, node] : range) {
    const std::string name(key.str());
    if (name != kind && name != "count")
      fail(key.source(), source, fmt::format("{}.{}", path, name),
           fmt::format("unknown key in a {} range{}", kind, suggestion(name, {kind, "count"})));
  }
  const toml::array* ends = range.get(kind)->as_array();
  if (ends == nullptr || ends->size() != 2 || !ends->get(0)->is_number() || !ends->get(1)->is_number())
    fail(range.get(kind)->source(), source, fmt::format("{}.{}", path, kind), "expected [first, last] (two numbers)");
  const double first = *ends->get(0)->value<double>();
  const double last = *ends->get(1)->value<double>();
  if (!std::isfinite(first) || !std::isfinite(last) || (log && (first <= 0 || last <= 0)))
    fail(ends->source(), source, fmt::format("{}.{}", path, kind),
         log ? "the ends must be finite and positive" : "the ends must be finite");
  const std::int64_t count = range_count(range, source, path);
  std::vector<std::string> values;
  for (std::int64_t i = 0; i < count; ++i) {
    double value = i == 0 ? first : last;
    if (i > 0 && i < count - 1) {
      const double t = static_cast<double>(i) / static_cast<double>(count - 1);
      value = log ? std::pow(10.0, std::log10(first) + t * (std::log10(last) - std::log10(first)))
                  : first + t * (last - first);
      const std::string rounded = fmt::format("{:.12g}", value);
      std::from_chars(rounded.data(), rounded.data() + rounded.size(), value);
    }
    values.push_back(float_literal(value));
  }
  return values;
}

bool is_range(const toml::table& table) { return table.contains("logspace") || table.contains("linspace"); }

void read_key(const std::string& path, const toml::key& key, const toml::node& node, const std::string& source,
              const std::vector<std::string>& known, RawSweep& sweep) {
  const std::string where_path = "sweep." + path;
  if (!std::binary_search(known.begin(), known.end(), path)) {
    std::string what = fmt::format("unknown key path \"{}\"{}", printable(path, 200), suggestion(path, known));
    bool section = false;
    for (const std::string& candidate : known)
      if (candidate.rfind(path + ".", 0) == 0) {
        section = true;
        what = fmt::format("\"{}\" is a section: sweep one of its keys, e.g. \"{}\", or give a list of whole "
                           "tables such as [{{ kind = \"top-k\", ratio = 0.01 }}]",
                           path, candidate);
        break;
      }
    // A whole section per point: each table replaces the file's section (checked like one).
    if (!section || !is_list_of_tables(node)) fail(key.source(), source, where_path, what);
  }
  RawKey raw{path, key.source(), node.source(), {}};
  if (const toml::array* list = node.as_array()) {
    if (list->empty()) fail(node.source(), source, where_path, "an empty list: a swept key needs at least one value");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& element = *list->get(i);
      const std::string literal = literal_of(element);
      if (literal.empty())
        fail(element.source(), source, fmt::format("{}[{}]", where_path, i),
             "a swept value must be a string, number, boolean or list");
      raw.literals.emplace_back(literal, element.source());
    }
  } else if (node.is_table() && is_range(*node.as_table())) {
    for (std::string& literal : range_values(*node.as_table(), source, where_path))
      raw.literals.emplace_back(std::move(literal), node.source());
  } else {
    fail(node.source(), source, where_path,
         "expected a list of values, or a range such as { logspace = [1e-3, 1e-1], count = 5 }");
  }
  sweep.keys.push_back(std::move(raw));
}

void read_zip(const toml::node& node, const std::string& source, RawSweep& sweep) {
  const toml::array* groups = node.as_array();
  if (groups == nullptr) fail(node.source(), source, "sweep.zip", "expected a list of groups of key paths");
  // zip = ["a.b", "c.d"] is one group; zip = [["a.b", "c.d"], ...] is several.
  const bool flat = !groups->empty() && groups->get(0)->is_string();
  for (std::size_t g = 0; g < (flat ? 1 : groups->size()); ++g) {
    const toml::array* group = flat ? groups : groups->get(g)->as_array();
    const toml::node& group_node = flat ? node : *groups->get(g);
    const std::string path = flat ? "sweep.zip" : fmt::format("sweep.zip[{}]", g);
    if (group == nullptr || group->size() < 2)
      fail(group_node.source(), source, path, "a zip group is a list of at least two swept key paths");
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < group->size(); ++i) {
      const toml::node& element = *group->get(i);
      if (!element.is_string()) fail(element.source(), source, fmt::format("{}[{}]", path, i), "expected a key path");
      keys.push_back(*element.value<std::string>());
    }
    sweep.zip.push_back(std::move(keys));
    sweep.zip_where.push_back(group_node.source());
  }
}

void read_table(const toml::table& table, const std::string& prefix, const std::string& source,
                const std::vector<std::string>& known, RawSweep& sweep) {
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (prefix.empty() && name == "zip") {
      read_zip(node, source, sweep);
    } else if (prefix.empty() && name == "repeat") {
      if (!node.is_integer() || *node.value<std::int64_t>() < 1 || *node.value<std::int64_t>() > kMaxSweepRepeat)
        fail(node.source(), source, "sweep.repeat", fmt::format("must be an integer in [1, {}]", kMaxSweepRepeat));
      sweep.repeat = *node.value<std::int64_t>();
    } else if (prefix.empty() && name == "seeds") {
      const std::string mode = node.is_string() ? *node.value<std::string>() : "";
      if (mode != "paired" && mode != "new")
        fail(node.source(), source, "sweep.seeds",
             fmt::format("expected \"paired\" (the same seeds at every point) or \"new\" (new seeds per point){}",
                         suggestion(mode, {"paired", "new"})));
      sweep.seeds = mode == "new" ? SeedMode::fresh : SeedMode::paired;
    } else if (node.is_table() && !is_range(*node.as_table())) {
      // [sweep.compression] or compression.ratio = [...] (unquoted dotted key).
      read_table(*node.as_table(), join_path(prefix, name), source, known, sweep);
    } else {
      read_key(join_path(prefix, name), key, node, source, known, sweep);
    }
  }
}

bool before(const toml::source_region& a, const toml::source_region& b) {
  return std::pair(a.begin.line, a.begin.column) < std::pair(b.begin.line, b.begin.column);
}

// ------------------------------------------------------------ points

// toml++ keeps a node's source region only when the node comes from the
// parser (copies drop it), so a swept value is parsed again at its original
// line and column: errors in a point then name where the value was written.
toml::table parse_at(const std::string& literal, std::uint32_t line, std::uint32_t column, const std::string& source) {
  std::string text;
  if (line >= 2 && column >= 1) {
    text = std::string(line - 2, '\n') + "v=[\n" + std::string(column - 1, ' ') + literal + "]";
  } else if (column >= 4) {
    text = std::string(column - 4, ' ') + "v=[" + literal + "]";
  } else {
    text = "v=[" + literal + "]";
  }
  return toml::parse(text, std::string_view(source));
}

void insert_at_path(toml::table& document, const std::string& path, toml::node&& value) {
  toml::table* table = &document;
  std::size_t start = 0;
  for (std::size_t dot; (dot = path.find('.', start)) != std::string::npos; start = dot + 1) {
    const std::string part = path.substr(start, dot - start);
    toml::node* next = table->get(part);
    if (next == nullptr) {
      table->insert(part, toml::table{});
      next = table->get(part);
    }
    // Validation reports a section written as a value; the swept value cannot go in it.
    if (!next->is_table()) return;
    table = next->as_table();
  }
  table->insert_or_assign(path.substr(start), std::move(value));
}

std::string value_text(const std::string& literal) {
  if (literal.empty() || literal.front() != '"') return literal;
  const toml::table parsed = toml::parse("v=" + literal);
  return *parsed.get("v")->value<std::string>();
}

// A value as part of a folder name: letters, digits, '.', '+' and '-' only.
std::string id_part(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-';
    if (keep) out += c;
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > kIdValueChars) out.resize(kIdValueChars);
  return out.empty() ? "x" : out;
}

std::uint64_t text_hash(std::string_view text) { return purpose_id(text); }

}  // namespace

std::string_view seed_mode_name(SeedMode mode) { return mode == SeedMode::fresh ? "new" : "paired"; }

toml::table Sweep::point_document(const std::vector<const Value*>& values) const {
  toml::table document = parse_document(text_, source_);
  for (const std::string& assignment : overrides_) apply_override(document, assignment);
  document.erase("sweep");
  for (std::size_t k = 0; k < keys_.size(); ++k) {
    toml::table holder = parse_at(values[k]->literal, values[k]->line, values[k]->column, source_);
    insert_at_path(document, keys_[k], std::move(*holder.get("v")->as_array()->get(0)));
  }
  return document;
}

Scenario Sweep::scenario(const SweepPoint& point) const {
  std::vector<const Value*> values;
  for (std::size_t k = 0; k < keys_.size(); ++k) values.push_back(&values_[k][choice_[point.combination][k]]);
  toml::table document = point_document(values);
  validate_and_resolve(document, *schema_, source_);
  document.insert_or_assign("seed", static_cast<std::int64_t>(point.seed));
  return Scenario(source_, std::move(document));
}

Sweep parse_sweep(std::string_view text, const std::string& source, const std::vector<std::string>& overrides,
                  const Schema& schema) {
  Sweep sweep;
  sweep.text_ = std::string(text);
  sweep.source_ = source;
  sweep.overrides_ = overrides;
  sweep.schema_ = &schema;

  // The scenario without its sweep first: its errors are a scenario file's
  // errors. (A parse each: copying a document would drop its source regions.)
  toml::table base = parse_document(text, source);
  for (const std::string& assignment : overrides) apply_override(base, assignment);
  base.erase("sweep");
  validate_and_resolve(base, schema, source);
  sweep.name_ = *base.get("name")->value<std::string>();
  const toml::table document = parse_document(text, source);

  RawSweep raw;
  if (const toml::table* table = document.get_as<toml::table>("sweep"))
    read_table(*table, "", source, known_key_paths(schema), raw);
  sweep.repeat_ = raw.repeat;
  sweep.seed_mode_ = raw.seeds;

  // The sweep would silently replace such an override in every point.
  for (const std::string& assignment : overrides)
    for (const RawKey& key : raw.keys)
      if (assignment.rfind(key.path + "=", 0) == 0)
        throw ScenarioError(fmt::format("--set {}: {} is swept ({}): remove it from [sweep] to fix its value",
                                        assignment, key.path, location(key.where, source)));

  // Axes: each key alone, or its zip group in the place of the group's first key.
  std::stable_sort(raw.keys.begin(), raw.keys.end(),
                   [](const RawKey& a, const RawKey& b) { return before(a.value_where, b.value_where); });
  std::map<std::string, std::size_t> key_index;
  std::vector<std::string> swept;
  for (std::size_t k = 0; k < raw.keys.size(); ++k) {
    key_index[raw.keys[k].path] = k;
    swept.push_back(raw.keys[k].path);
  }
  std::map<std::string, std::size_t> group_of;
  for (std::size_t g = 0; g < raw.zip.size(); ++g) {
    for (const std::string& key : raw.zip[g]) {
      if (!key_index.contains(key))
        fail(raw.zip_where[g], source, "sweep.zip",
             fmt::format("\"{}\" is not a swept key: give it a list of values in [sweep]{}", key,
                         suggestion(key, swept)));
      if (group_of.contains(key))
        fail(raw.zip_where[g], source, "sweep.zip", fmt::format("\"{}\" is in two zip groups", key));
      group_of[key] = g;
    }
    const RawKey& first = raw.keys[key_index[raw.zip[g][0]]];
    for (const std::string& key : raw.zip[g]) {
      const RawKey& other = raw.keys[key_index[key]];
      if (other.literals.size() != first.literals.size())
        fail(other.value_where, source, "sweep." + key,
             fmt::format("{} values, but \"{}\" (zipped with it) has {}: zipped keys need lists of equal length",
                         other.literals.size(), first.path, first.literals.size()));
    }
  }
  // Each axis is a list of keys (raw indices) sharing one digit of the combination.
  std::vector<std::vector<std::size_t>> axes;
  std::set<std::size_t> placed_groups;
  for (std::size_t k = 0; k < raw.keys.size(); ++k) {
    const auto group = group_of.find(raw.keys[k].path);
    if (group == group_of.end()) {
      axes.push_back({k});
    } else if (placed_groups.insert(group->second).second) {
      std::vector<std::size_t> members;
      for (const std::string& key : raw.zip[group->second]) members.push_back(key_index[key]);
      axes.push_back(std::move(members));
    }
  }
  // The sweep's keys in column order; values per key.
  std::vector<std::size_t> column_of(raw.keys.size());
  for (const std::vector<std::size_t>& axis : axes)
    for (const std::size_t k : axis) {
      column_of[k] = sweep.keys_.size();
      sweep.keys_.push_back(raw.keys[k].path);
      std::vector<Sweep::Value> values;
      for (const auto& [literal, where] : raw.keys[k].literals)
        values.push_back({literal, value_text(literal), where.begin.line, where.begin.column});
      sweep.values_.push_back(std::move(values));
    }

  // A value given twice would make two points with the same id and folder.
  for (const std::vector<std::size_t>& axis : axes) {
    std::map<std::vector<std::string>, std::size_t> seen;
    const RawKey& first = raw.keys[axis[0]];
    for (std::size_t v = 0; v < first.literals.size(); ++v) {
      std::vector<std::string> tuple;
      for (const std::size_t k : axis) tuple.push_back(raw.keys[k].literals[v].first);
      if (!seen.emplace(tuple, v).second)
        fail(first.literals[v].second, source, "sweep." + first.path,
             fmt::format("the value {} is listed twice{}", first.literals[v].first,
                         axis.size() > 1 ? " with the same zipped values" : ""));
    }
  }

  std::size_t combinations = 1;
  for (const std::vector<std::size_t>& axis : axes) {
    const std::size_t length = raw.keys[axis[0]].literals.size();
    sweep.axis_lengths_.push_back(length);
    if (combinations > kMaxSweepPoints / length / static_cast<std::size_t>(sweep.repeat_))
      throw ScenarioError(fmt::format("{}: sweep: more than {} points", source, kMaxSweepPoints));
    combinations *= length;
  }
  if (combinations * static_cast<std::size_t>(sweep.repeat_) > kMaxSweepPoints)
    throw ScenarioError(fmt::format("{}: sweep: more than {} points", source, kMaxSweepPoints));

  std::map<std::string, std::size_t> ids;
  for (std::size_t c = 0; c < combinations; ++c) {
    // Row-major: the last axis varies fastest.
    std::vector<std::size_t> choice(sweep.keys_.size());
    std::size_t rest = c;
    for (std::size_t a = axes.size(); a-- > 0;) {
      const std::size_t digit = rest % sweep.axis_lengths_[a];
      rest /= sweep.axis_lengths_[a];
      for (const std::size_t k : axes[a]) choice[column_of[k]] = digit;
    }
    std::vector<SweepParameter> parameters;
    std::vector<const Sweep::Value*> values;
    for (std::size_t k = 0; k < sweep.keys_.size(); ++k) {
      const Sweep::Value& value = sweep.values_[k][choice[k]];
      values.push_back(&value);
      parameters.push_back({sweep.keys_[k], value.literal, value.text});
    }
    toml::table point = sweep.point_document(values);
    try {
      validate_and_resolve(point, schema, source);
    } catch (const ScenarioError& error) {
      std::string where;
      for (const SweepParameter& parameter : parameters)
        where += fmt::format("{}{}={}", where.empty() ? "" : ", ", parameter.path, parameter.literal);
      throw ScenarioError(fmt::format("{} (in the sweep point {})", error.what(), where));
    }
    const auto base_seed = static_cast<std::uint64_t>(*point.get("seed")->value<std::int64_t>());

    // Sorted key=value lines: the id and "new" seeds do not depend on the order of the table.
    std::vector<std::string> lines;
    for (const SweepParameter& parameter : parameters) lines.push_back(parameter.path + "=" + parameter.literal + "\n");
    std::sort(lines.begin(), lines.end());
    std::string canonical;
    for (const std::string& line : lines) canonical += line;
    // The prefix too follows the sorted keys: moving a line of the table keeps every id.
    std::vector<const SweepParameter*> sorted;
    for (const SweepParameter& parameter : parameters) sorted.push_back(&parameter);
    std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->path < b->path; });
    std::string prefix;
    for (const SweepParameter* parameter : sorted) prefix += (prefix.empty() ? "" : "_") + id_part(parameter->text);
    if (prefix.size() > kIdPrefixChars) prefix.resize(kIdPrefixChars);
    if (prefix.empty()) prefix = "run";

    for (std::int64_t r = 0; r < sweep.repeat_; ++r) {
      SweepPoint entry;
      entry.index = c * static_cast<std::size_t>(sweep.repeat_) + static_cast<std::size_t>(r);
      entry.combination = c;
      entry.repetition = r;
      const auto rep = static_cast<std::uint64_t>(r);
      if (sweep.seed_mode_ == SeedMode::paired)
        entry.seed = r == 0 ? base_seed : mix64(base_seed, rep) & kSeedMask;
      else
        entry.seed = mix64(mix64(base_seed, text_hash(canonical)), rep) & kSeedMask;
      const std::uint64_t hash =
          text_hash(fmt::format("{}repetition={}\nseed={}\n", canonical, r, entry.seed));
      entry.id = fmt::format("{}{}-{:08x}", prefix, sweep.repeat_ > 1 ? fmt::format("_r{}", r) : "",
                             static_cast<std::uint32_t>(hash ^ (hash >> 32)));
      entry.parameters = parameters;
      if (const auto [at, fresh] = ids.emplace(entry.id, entry.index); !fresh)
        throw std::logic_error(fmt::format("sweep points {} and {} have the same id {}", at->second, entry.index, entry.id));
      sweep.points_.push_back(std::move(entry));
    }
    sweep.choice_.push_back(std::move(choice));
  }
  return sweep;
}

Sweep load_sweep(const std::string& path, const std::vector<std::string>& overrides, const Schema& schema) {
  return parse_sweep(read_scenario_file(path), path, overrides, schema);
}

Shard parse_shard(std::string_view text) {
  const auto bad = [&] {
    return std::invalid_argument(fmt::format("--shard {}: expected k/N with 0 <= k < N, e.g. 0/4", text));
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) throw bad();
  Shard shard;
  const auto parse = [&](std::string_view part, std::size_t& out) {
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), out);
    if (part.empty() || error != std::errc{} || end != part.data() + part.size()) throw bad();
  };
  parse(text.substr(0, slash), shard.index);
  parse(text.substr(slash + 1), shard.count);
  if (shard.count == 0 || shard.index >= shard.count) throw bad();
  return shard;
}

}  // namespace dlsim
