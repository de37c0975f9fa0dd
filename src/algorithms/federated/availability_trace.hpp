// Client availability traces: when each client of a federated run can be
// reached, read from a CSV file of intervals.
//
// Format: one interval per line, "client,start_s,end_s" (client id < the
// run's clients; times in seconds of simulated time, finite, start >= 0,
// end > start); blank lines and lines starting with '#' are skipped; the
// first other line may be a header (three fields, the first starting with a
// letter or a quote). A client is available on [start, end) of each of its intervals
// and at no other time; a client without intervals is never available. The
// intervals of one client must not overlap (touching ones are merged).
//
// Memory: the intervals sorted by (client, start) in two flat arrays of
// SimTime and one offset per client, 8 (N + 1) + 16 I bytes for N clients
// and I intervals; no per-client heap object.
#pragma once

#include <cstdint>
#include <istream>
#include <span>
#include <string>
#include <vector>

#include "sim/node.hpp"
#include "sim/time.hpp"

namespace dlsim {

class AvailabilityTrace {
 public:
  // What `parse` reads from `in` (named `name` in messages, e.g. the path)
  // for a run of `clients` clients. Throws std::invalid_argument naming
  // name:line for a malformed row, an unknown client (>= clients), a time
  // that is negative, NaN, infinite or beyond the simulated clock, an end not
  // after its start, or two overlapping intervals of one client.
  static AvailabilityTrace parse(std::istream& in, const std::string& name, std::uint32_t clients);
  // The same from a file; std::invalid_argument when it cannot be opened.
  static AvailabilityTrace read(const std::string& path, std::uint32_t clients);

  std::uint32_t clients() const { return static_cast<std::uint32_t>(offsets_.size() - 1); }
  std::size_t intervals() const { return starts_.size(); }
  // The client's intervals [starts[k], ends[k]), sorted, disjoint and not touching.
  std::span<const SimTime> starts(NodeId client) const;
  std::span<const SimTime> ends(NodeId client) const;

  // Whether `client` is available at `time`. O(log I_client).
  bool available(NodeId client, SimTime time) const;
  // The end of the interval holding `time` (time when not available). O(log I_client).
  SimTime available_until(NodeId client, SimTime time) const;
  // The first instant >= `time` at which `client` is available; kNever when none. O(log I_client).
  SimTime next_available(NodeId client, SimTime time) const;

 private:
  AvailabilityTrace() = default;
  // Index of the first interval of `client` whose end is after `time`.
  std::size_t first_ending_after(NodeId client, SimTime time) const;

  std::vector<std::uint64_t> offsets_;  // clients + 1
  std::vector<SimTime> starts_, ends_;
};

}  // namespace dlsim
