// Simulated time: an integer count of nanoseconds. There is no floating-point
// time anywhere in the engine, so event order never depends on rounding.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dlsim {

using SimTime = std::int64_t;  // nanoseconds since the start of the run

inline constexpr SimTime kNanosecond = 1;
inline constexpr SimTime kMicrosecond = 1'000;
inline constexpr SimTime kMillisecond = 1'000'000;
inline constexpr SimTime kSecond = 1'000'000'000;
inline constexpr SimTime kNever = std::numeric_limits<SimTime>::max();
// The latest instant an event can have (kNever means "no event").
inline constexpr SimTime kLatestTime = kNever - 1;

// Simulated time beyond the clock's range: int64 nanoseconds, about 292 years.
class TimeOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

namespace detail {
[[noreturn]] void throw_time_overflow(std::string_view what, double nanoseconds);
}  // namespace detail

// `nanoseconds` as SimTime, truncated toward zero like a cast: the one place
// where a floating-point duration becomes simulated time (round first where
// the caller wants rounding). Throws TimeOverflow, naming `what`, when the
// value is NaN, negative or beyond kLatestTime, where a cast would be
// undefined behaviour.
inline SimTime checked_duration(double nanoseconds, std::string_view what) {
  // 2^63 is exactly representable; every double below it converts exactly.
  if (!(nanoseconds >= 0.0 && nanoseconds < 9223372036854775808.0)) detail::throw_time_overflow(what, nanoseconds);
  const auto time = static_cast<SimTime>(nanoseconds);
  if (time > kLatestTime) detail::throw_time_overflow(what, nanoseconds);
  return time;
}

// time + duration (duration >= 0) without signed overflow: TimeOverflow,
// naming `what`, when the sum is beyond kLatestTime.
inline SimTime checked_add(SimTime time, SimTime duration, std::string_view what) {
  if (duration > kLatestTime - time)
    detail::throw_time_overflow(what, static_cast<double>(time) + static_cast<double>(duration));
  return time + duration;
}

// Seconds as a double, for reports only (never for ordering).
constexpr double to_seconds(SimTime time) { return static_cast<double>(time) * 1e-9; }

// A short human form with the largest unit that keeps it exact when possible:
// 1500000 -> "1.5ms", 2000000000 -> "2s", kNever -> "never".
std::string format_duration(SimTime time);

}  // namespace dlsim
