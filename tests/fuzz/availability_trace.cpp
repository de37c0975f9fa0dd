// Fuzzes availability trace files (algorithms/federated/availability_trace.hpp:
// "client,start_s,end_s" rows, as a scenario's availability.file names them)
// for runs of 1, 4 and 1000 clients. Accepted or std::invalid_argument, and
// an accepted trace keeps its promises: per client, intervals sorted,
// disjoint and not touching, each non-empty from a non-negative start, and
// the queries agree with them at both ends.
#include <sstream>

#include "algorithms/federated/availability_trace.hpp"
#include "fuzz_support.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  for (const std::uint32_t clients : {1u, 4u, 1000u}) {
    std::istringstream in(text);
    const bool accepted = fuzz::accepts([&] {
      const AvailabilityTrace trace = AvailabilityTrace::parse(in, "fuzz.csv", clients);
      fuzz::require(trace.clients() == clients, "a trace covers the run's clients");
      std::size_t total = 0;
      for (NodeId client = 0; client < clients; ++client) {
        const auto starts = trace.starts(client);
        const auto ends = trace.ends(client);
        fuzz::require(starts.size() == ends.size(), "one end per start");
        total += starts.size();
        for (std::size_t k = 0; k < starts.size(); ++k) {
          fuzz::require(starts[k] >= 0 && starts[k] < ends[k], "intervals are non-empty and start at 0 or later");
          if (k > 0) fuzz::require(ends[k - 1] < starts[k], "intervals are sorted, disjoint and not touching");
          fuzz::require(trace.available(client, starts[k]), "a client is available at an interval's start");
          fuzz::require(!trace.available(client, ends[k]), "and not at its end");
          fuzz::require(trace.available_until(client, starts[k]) == ends[k], "it stays until the end");
          fuzz::require(trace.next_available(client, ends[k] - 1) == ends[k] - 1, "available just before the end");
        }
        if (!starts.empty()) fuzz::require(trace.next_available(client, ends.back()) == kNever, "nothing after the last");
      }
      fuzz::require(total == trace.intervals(), "the offsets cover every interval");
    });
    (void)accepted;
  }
  return 0;
}
