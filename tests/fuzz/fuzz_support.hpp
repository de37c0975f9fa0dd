// What every fuzz target shares: the line between an expected refusal and a
// bug, splitting one input into parts, and files for parsers that need a path.
//
// The contract being fuzzed (../../shared/DESIGN.md, section 5): any input is
// either accepted or refused with a std::invalid_argument (UnitError,
// TopologyError, DataError, ScenarioError, ...: what the CLI reports as one
// line and exit status 2). Anything else is a bug that libFuzzer reports with
// a reproducer: a crash, a sanitizer finding, a leak, a hang, any other
// exception escaping (it reaches std::terminate), or an accepted result that
// breaks the parser's own promise (checked with fuzz::require).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dlsim::fuzz {

// The fuzzer's bytes as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs `parse`: true when it accepted the input, false when it refused it as
// bad input. Any other exception propagates (and fails the run).
template <typename Parse>
bool accepts(Parse&& parse) {
  try {
    parse();
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

// Stops the run as a failure (abort, so libFuzzer saves the input) when an
// accepted result breaks a promise of its parser.
void require(bool condition, std::string_view promise);

// `text` cut at every line that equals `separator` (without its newline):
// "a\n%%\nb" -> {"a\n", "b"} for separator "%%". Always at least one part.
std::vector<std::string_view> split_at_line(std::string_view text, std::string_view separator);

// Writes `content` to `name` in a folder of this process's own (so parallel
// fuzzers never share a file) and returns the path. The folder is removed at exit.
std::string write_temp_file(std::string_view name, std::string_view content);

}  // namespace dlsim::fuzz
