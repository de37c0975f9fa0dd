// The one parser for quantities written with units: durations, sizes and rates.
//
// A quantity is a decimal number (optionally with an exponent, e.g. "2.5e3")
// followed directly or after spaces by a unit. Arithmetic is exact: "1.5ms" is
// 1,500,000 ns, "12.5MB/s" is 100,000,000 bit/s. Anything that is not a
// whole number of the base unit (ns, bits, bit/s), negative, NaN, missing a
// unit or beyond int64 is rejected with a UnitError naming the text and what
// was expected: there are no silent defaults.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/time.hpp"

namespace dlsim {

// Bad quantity text. Derives from std::invalid_argument, which the CLI maps to exit status 2.
class UnitError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Durations: ns, us (or µs), ms, s, min, h.          "250us" -> 250000
SimTime parse_duration(std::string_view text);

// Sizes in bits: b/bit/bits, B, kB/MB/GB/TB (10^3 steps), KiB/MiB/GiB/TiB (2^10),
// kbit/Mbit/Gbit.                                    "1500B" -> 12000, "1MiB" -> 8388608
std::int64_t parse_size_bits(std::string_view text);

// Rates in bit/s: bps, kbps, Mbps, Gbps, Tbps, bit/s (kbit/s, ...), B/s, kB/s,
// MB/s, GB/s, KiB/s, MiB/s, GiB/s.                   "1Gbps" -> 1000000000
std::int64_t parse_rate_bps(std::string_view text);

// Time to push `bits` through a link of `rate_bps`, rounded up to a whole
// nanosecond (exact integer arithmetic). Requires rate_bps > 0; TimeOverflow
// when the time is beyond the clock's range.
SimTime transfer_duration(std::int64_t bits, std::int64_t rate_bps);

}  // namespace dlsim
