// Schema lookups and the nearest-match suggestion for unknown keys.
#include "scenario/schema.hpp"

#include <algorithm>

namespace dlsim {

std::string_view value_type_name(ValueType type) {
  switch (type) {
    case ValueType::string: return "string";
    case ValueType::choice: return "choice";
    case ValueType::integer: return "integer";
    case ValueType::real: return "number";
    case ValueType::boolean: return "boolean";
    case ValueType::duration: return "duration";
    case ValueType::rate: return "rate";
    case ValueType::size: return "size";
    case ValueType::integer_list: return "list of integers";
    case ValueType::real_list: return "list of numbers";
  }
  return "value";
}

const SectionSpec* Schema::find_section(std::string_view name) const {
  for (const SectionSpec& section : sections_)
    if (section.name == name) return &section;
  return nullptr;
}

std::string nearest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // Levenshtein distance; a suggestion must be within a third of the word's length.
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t d = distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace dlsim
