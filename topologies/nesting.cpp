// Nesting scanners; see nesting.hpp. Each one mirrors the lexer of the reader
// it guards (Boost 1.74's read_graphviz_new.cpp, Boost's copy of rapidxml) so
// that wherever the reader goes on, both agree on the depth. Where the reader
// would throw, the scan may return npos: the reader stops there anyway.
#include "topologies/nesting.hpp"

#include <algorithm>

namespace dlsim {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool starts_with_at(std::string_view text, std::size_t at, std::string_view prefix) {
  return text.substr(at).starts_with(prefix);
}

// After `needle` found from `from`, or npos.
std::size_t past(std::string_view text, std::size_t from, std::string_view needle) {
  const std::size_t at = text.find(needle, from);
  return at == npos ? npos : at + needle.size();
}

// Boost.Regex's '$' for char: before '\n', '\r' or '\f', or at the end.
std::size_t end_of_line(std::string_view text, std::size_t from) {
  return std::min(text.find_first_of("\n\r\f", from), text.size());
}

// Boost's xml_tag_token, \A<(/?)(?:[^!?'"]|'[^']*?'|"[^"]*?")*?(/?)>, at `at`
// (a '<'): sets `end` past the '>' and `step` to +1 (open tag), -1 (close
// tag) or 0 (empty tag); false when it does not match. Each alternative is
// decided by one character, so the lazy match is this left-to-right scan.
bool html_tag(std::string_view text, std::size_t at, std::size_t& end, int& step) {
  std::size_t i = at + 1;
  const bool close = i < text.size() && text[i] == '/';
  if (close) ++i;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '>') {
      end = i + 2;
      step = close ? -1 : 0;
      return true;
    }
    if (c == '>') {
      end = i + 1;
      step = close ? -1 : 1;
      return true;
    }
    if (c == '!' || c == '?') return false;
    if (c == '\'' || c == '"') {
      const std::size_t quote = text.find(c, i + 1);
      if (quote == npos) return false;
      i = quote + 1;
    } else {
      ++i;
    }
  }
  return false;
}

// A DOT HTML string "<...>" starting at `at`, as Boost's tokenizer reads it:
// balanced tags, CDATA sections and text. Returns the offset past it, or npos.
std::size_t skip_html_string(std::string_view text, std::size_t at) {
  std::size_t i = at;
  long open = 0;
  do {
    if (i >= text.size()) return npos;
    if (text[i] != '<') {
      ++i;
      continue;
    }
    std::size_t end = 0;
    int step = 0;
    if (html_tag(text, i, end, step)) {
      i = end;
      open += step;
    } else if (starts_with_at(text, i, "<![CDATA[")) {
      i = past(text, i + 9, "]]>");
      if (i == npos) return npos;
    } else {
      return npos;
    }
  } while (open > 0);
  return i;
}

// rapidxml's whitespace, element-name and attribute-name characters.
bool xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool xml_name_char(char c) { return c != '\0' && !xml_space(c) && c != '/' && c != '>' && c != '?'; }
bool xml_attribute_char(char c) {
  return xml_name_char(c) && c != '<' && c != '=' && c != '!';
}

std::size_t skip_xml_space(std::string_view text, std::size_t i) {
  while (i < text.size() && xml_space(text[i])) ++i;
  return i;
}

// rapidxml's "<!DOCTYPE " body up to and past its '>', with nested [...] sections.
std::size_t skip_doctype(std::string_view text, std::size_t i) {
  while (i < text.size() && text[i] != '>') {
    if (text[i] == '\0') return npos;
    if (text[i] == '[') {
      int depth = 1;
      for (++i; depth > 0; ++i) {
        if (i >= text.size() || text[i] == '\0') return npos;
        if (text[i] == '[') ++depth;
        if (text[i] == ']') --depth;
      }
    } else {
      ++i;
    }
  }
  return i < text.size() ? i + 1 : npos;
}

// An element's start tag after its '<' (rapidxml's parse_element up to the
// contents): sets `empty` for "<a/>". Returns the offset past it, or npos.
std::size_t skip_start_tag(std::string_view text, std::size_t i, bool& empty) {
  const std::size_t name = i;
  while (i < text.size() && xml_name_char(text[i])) ++i;
  if (i == name) return npos;
  i = skip_xml_space(text, i);
  while (i < text.size() && xml_attribute_char(text[i])) {
    while (i < text.size() && xml_attribute_char(text[i])) ++i;
    i = skip_xml_space(text, i);
    if (i >= text.size() || text[i] != '=') return npos;
    i = skip_xml_space(text, i + 1);
    if (i >= text.size() || (text[i] != '"' && text[i] != '\'')) return npos;
    const std::size_t quote = text.find(text[i], i + 1);
    if (quote == npos || text.substr(i, quote - i).find('\0') != npos) return npos;
    i = skip_xml_space(text, quote + 1);
  }
  if (i < text.size() && text[i] == '>') {
    empty = false;
    return i + 1;
  }
  if (i + 1 < text.size() && text[i] == '/' && text[i + 1] == '>') {
    empty = true;
    return i + 2;
  }
  return npos;
}

}  // namespace

std::size_t dot_nesting_overflow(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '/' && starts_with_at(text, i, "//")) {
      i = end_of_line(text, i);
    } else if (c == '/' && starts_with_at(text, i, "/*")) {
      i = past(text, i + 2, "*/");
    } else if (c == '#') {
      // A comment only at the start of a line or right after a token; anywhere
      // else Boost refuses the '#', so reading it as a comment changes nothing.
      i = end_of_line(text, i);
    } else if (c == '"') {
      // "(?:[^"\\]|\\.)*": a backslash escapes any one character.
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      i = i < text.size() ? i + 1 : npos;
    } else if (c == '<') {
      i = skip_html_string(text, i);
    } else if (c == '{') {
      if (++depth > limit) return i;
      ++i;
    } else if (c == '}') {
      // The root graph's '}' must end the file: nothing after it is parsed.
      if (depth == 0) return npos;
      --depth;
      ++i;
    } else {
      ++i;
    }
    if (i == npos) return npos;
  }
  return npos;
}

std::size_t xml_nesting_overflow(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    // rapidxml reads a zero-terminated copy: a NUL ends (or breaks) the document.
    if (text[i] == '\0') return npos;
    if (text[i] != '<') {
      ++i;  // text content (or, outside the root, an error rapidxml reports)
      continue;
    }
    const std::size_t open = i;
    if (starts_with_at(text, i, "<?")) {
      i = past(text, i + 2, "?>");
    } else if (starts_with_at(text, i, "<!--")) {
      i = past(text, i + 4, "-->");
    } else if (starts_with_at(text, i, "<![CDATA[")) {
      i = past(text, i + 9, "]]>");
    } else if (starts_with_at(text, i, "<!DOCTYPE") && i + 9 < text.size() && xml_space(text[i + 9])) {
      i = skip_doctype(text, i + 10);
    } else if (starts_with_at(text, i, "<!")) {
      i = past(text, i + 2, ">");
    } else if (starts_with_at(text, i, "</")) {
      if (depth == 0) return npos;
      --depth;
      i += 2;
      while (i < text.size() && xml_name_char(text[i])) ++i;
      i = skip_xml_space(text, i);
      i = i < text.size() && text[i] == '>' ? i + 1 : npos;
    } else {
      bool empty = false;
      i = skip_start_tag(text, i + 1, empty);
      if (i != npos && !empty && ++depth > limit) return open;
    }
    if (i == npos) return npos;
  }
  return npos;
}

std::size_t line_of(std::string_view text, std::size_t offset) {
  const std::size_t end = std::min(offset, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
}

}  // namespace dlsim
