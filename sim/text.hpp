// Small text helpers shared by the line-oriented readers of outside files
// (per-node tables, availability traces, parameter files).
#pragma once

#include <string_view>

namespace dlsim {

// `text` without leading spaces and tabs, and without trailing spaces, tabs
// and a carriage return (a CRLF file read line by line).
std::string_view trim_blanks(std::string_view text);

}  // namespace dlsim
