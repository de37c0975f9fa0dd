// Schema lookups.
#include "scenario/schema.hpp"

#include <string>

namespace dlsim {

std::string_view value_type_name(ValueType type) {
  switch (type) {
    case ValueType::string: return "string";
    case ValueType::choice: return "choice";
    case ValueType::integer: return "integer";
    case ValueType::real: return "number";
    case ValueType::real_or_auto: return "number or \"auto\"";
    case ValueType::boolean: return "boolean";
    case ValueType::boolean_or_choice: return "boolean or choice";
    case ValueType::duration: return "duration";
    case ValueType::rate: return "rate";
    case ValueType::size: return "size";
    case ValueType::integer_list: return "list of integers";
    case ValueType::real_list: return "list of numbers";
    case ValueType::string_or_real_list: return "string or a list of numbers";
  }
  return "value";
}

std::string with_article(std::string_view noun) {
  // By the first letter: right for every type name above ("an integer").
  const bool vowel = !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

KeySpec key_spec(std::string name, ValueType type, std::string default_value, std::string help, double minimum,
                 double maximum) {
  KeySpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.default_value = std::move(default_value);
  spec.help = std::move(help);
  spec.minimum = minimum;
  spec.maximum = maximum;
  return spec;
}

KeySpec choice_spec(std::string name, std::vector<std::string> choices, std::string_view default_choice,
                    std::string help) {
  KeySpec spec = key_spec(std::move(name), ValueType::choice, "\"" + std::string(default_choice) + "\"", std::move(help));
  spec.choices = std::move(choices);
  return spec;
}

const SectionSpec* Schema::find_section(std::string_view name) const {
  for (const SectionSpec& section : sections_)
    if (section.name == name) return &section;
  return nullptr;
}

}  // namespace dlsim
