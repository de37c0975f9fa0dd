// Simulated time: an integer count of nanoseconds. There is no floating-point
// time anywhere in the engine, so event order never depends on rounding.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace dlsim {

using SimTime = std::int64_t;  // nanoseconds since the start of the run

inline constexpr SimTime kNanosecond = 1;
inline constexpr SimTime kMicrosecond = 1'000;
inline constexpr SimTime kMillisecond = 1'000'000;
inline constexpr SimTime kSecond = 1'000'000'000;
inline constexpr SimTime kNever = std::numeric_limits<SimTime>::max();

// Seconds as a double, for reports only (never for ordering).
constexpr double to_seconds(SimTime time) { return static_cast<double>(time) * 1e-9; }

// A short human form with the largest unit that keeps it exact when possible:
// 1500000 -> "1.5ms", 2000000000 -> "2s", kNever -> "never".
std::string format_duration(SimTime time);

}  // namespace dlsim
