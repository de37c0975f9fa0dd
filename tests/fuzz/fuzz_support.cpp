// Shared fuzz-target helpers; see fuzz_support.hpp.
#include "fuzz_support.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace dlsim::fuzz {
namespace {

// A fixed folder per process, created once: fuzzing must not pay for a
// mkdir per input.
const std::filesystem::path& temp_folder() {
  static const std::filesystem::path folder = [] {
    auto path = std::filesystem::temp_directory_path() / ("dlsim-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(temp_folder(), ignored);
    });
    return path;
  }();
  return folder;
}

}  // namespace

void require(bool condition, std::string_view promise) {
  if (condition) return;
  std::fprintf(stderr, "fuzz: broken promise: %.*s\n", int(promise.size()), promise.data());
  std::abort();
}

std::vector<std::string_view> split_at_line(std::string_view text, std::string_view separator) {
  std::vector<std::string_view> parts;
  std::size_t part_begin = 0, line_begin = 0;
  while (line_begin <= text.size()) {
    const std::size_t newline = text.find('\n', line_begin);
    const std::size_t line_end = newline == std::string_view::npos ? text.size() : newline;
    if (text.substr(line_begin, line_end - line_begin) == separator) {
      parts.push_back(text.substr(part_begin, line_begin - part_begin));
      part_begin = newline == std::string_view::npos ? text.size() : newline + 1;
    }
    if (newline == std::string_view::npos) break;
    line_begin = newline + 1;
  }
  parts.push_back(text.substr(part_begin));
  return parts;
}

std::string write_temp_file(std::string_view name, std::string_view content) {
  const std::string path = (temp_folder() / name).string();
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), std::streamsize(content.size()));
  file.close();
  require(!file.fail(), "the fuzz target can write its temporary file");
  return path;
}

}  // namespace dlsim::fuzz
