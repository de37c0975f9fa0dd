// The one error type of topologies/: bad input (an unknown kind, a parameter out
// of range, a malformed graph file). It is a std::invalid_argument, so the CLI
// maps it to one line on stderr and exit status 2; its message always names
// where (kind and parameter, or file and line) and what went wrong.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dlsim {

class TopologyError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The candidate closest to `word` by edit distance, or "" when none is close
// enough to be a plausible typo. Used for "unknown kind 'rign' (did you mean
// 'ring'?)". Costs O(|word| * |candidate|) per candidate.
std::string nearest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace dlsim
