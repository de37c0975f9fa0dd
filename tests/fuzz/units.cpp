// Fuzzes the one parser of quantities with units (sim/units.hpp): every line
// of the input is read as a duration, a size and a rate, as scenario keys
// such as network.latency = "250us" or network.bandwidth = "1Gbps" are.
// Promise checked beyond "accepted or UnitError": what it accepts is
// non-negative, and a duration survives format_duration and back exactly.
#include <cstdint>

#include "fuzz_support.hpp"
#include "sim/time.hpp"
#include "sim/units.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest = fuzz::as_text(data, size);
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    SimTime duration = 0;
    if (fuzz::accepts([&] { duration = parse_duration(line); })) {
      fuzz::require(duration >= 0, "a parsed duration is non-negative");
      fuzz::require(parse_duration(format_duration(duration)) == duration,
                    "parse_duration(format_duration(d)) == d");
    }
    std::int64_t bits = 0;
    if (fuzz::accepts([&] { bits = parse_size_bits(line); }))
      fuzz::require(bits >= 0, "a parsed size is non-negative");
    std::int64_t rate = 0;
    if (fuzz::accepts([&] { rate = parse_rate_bps(line); }))
      fuzz::require(rate >= 0, "a parsed rate is non-negative");
  }
  return 0;
}
