// Nesting guards for the graph file readers.
//
// Boost's DOT reader recurses once per nested subgraph ("{ ... }") and its
// GraphML reader (rapidxml, then a property tree) once per nested XML element,
// so a hostile file with 10^5 levels overflows the stack. These scanners walk
// the text once, without recursing, the way those readers' lexers see it:
// braces inside DOT quoted strings, comments and HTML strings do not count,
// nor do XML comments, CDATA, processing instructions, DOCTYPE and quoted
// attribute values. Where the text stops being valid for the reader the scan
// stops too, since the reader throws there before recursing any deeper.
#pragma once

#include <cstddef>
#include <string_view>

namespace dlsim {

// The deepest nesting a graph file may have: far more than any real graph
// file uses (a few levels), far less than what overflows a thread's stack.
inline constexpr std::size_t kMaxGraphFileNesting = 256;

// Where the text first opens a level deeper than `limit`: the byte offset of
// that '{' (DOT) or '<' (XML), or std::string_view::npos when it never does.
// O(text size), no allocation.
std::size_t dot_nesting_overflow(std::string_view text, std::size_t limit = kMaxGraphFileNesting);
std::size_t xml_nesting_overflow(std::string_view text, std::size_t limit = kMaxGraphFileNesting);

// 1-based line number of byte `offset` in `text`, for messages.
std::size_t line_of(std::string_view text, std::size_t offset);

}  // namespace dlsim
