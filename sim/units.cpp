// Exact parsing of quantities with units; see units.hpp for the grammar.
#include "sim/units.hpp"

#include <fmt/core.h>

#include <array>
#include <cctype>
#include <limits>
#include <utility>

#include "sim/int128.hpp"
#include "sim/time.hpp"

namespace dlsim {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t factor;  // base units (ns, bits or bit/s) per unit
};

constexpr std::array kDurationUnits = {
    Unit{"ns", 1},      Unit{"us", 1'000},         Unit{"\xC2\xB5s", 1'000},
    Unit{"ms", 1'000'000}, Unit{"s", 1'000'000'000}, Unit{"min", 60'000'000'000},
    Unit{"h", 3'600'000'000'000},
};

constexpr std::array kSizeUnits = {
    Unit{"b", 1},          Unit{"bit", 1},          Unit{"bits", 1},
    Unit{"kbit", 1'000},   Unit{"Mbit", 1'000'000}, Unit{"Gbit", 1'000'000'000},
    Unit{"B", 8},          Unit{"kB", 8'000},       Unit{"MB", 8'000'000},
    Unit{"GB", 8'000'000'000}, Unit{"TB", 8'000'000'000'000},
    Unit{"KiB", 8LL << 10}, Unit{"MiB", 8LL << 20}, Unit{"GiB", 8LL << 30},
    Unit{"TiB", 8LL << 40},
};

constexpr std::array kRateUnits = {
    Unit{"bps", 1},           Unit{"kbps", 1'000},         Unit{"Mbps", 1'000'000},
    Unit{"Gbps", 1'000'000'000}, Unit{"Tbps", 1'000'000'000'000},
    Unit{"bit/s", 1},         Unit{"kbit/s", 1'000},       Unit{"Mbit/s", 1'000'000},
    Unit{"Gbit/s", 1'000'000'000}, Unit{"Tbit/s", 1'000'000'000'000},
    Unit{"B/s", 8},           Unit{"kB/s", 8'000},         Unit{"MB/s", 8'000'000},
    Unit{"GB/s", 8'000'000'000}, Unit{"KiB/s", 8LL << 10}, Unit{"MiB/s", 8LL << 20},
    Unit{"GiB/s", 8LL << 30},
};

template <std::size_t N>
std::string unit_list(const std::array<Unit, N>& units) {
  std::string list;
  for (const Unit& unit : units) {
    if (unit.name == "\xC2\xB5s") continue;
    if (!list.empty()) list += ", ";
    list += unit.name;
  }
  return list;
}

// Parses "<decimal>[e<exp>] <unit>" exactly into base units.
template <std::size_t N>
std::int64_t parse_quantity(std::string_view text, std::string_view what,
                            const std::array<Unit, N>& units, std::string_view base_name) {
  auto fail = [&](std::string_view why) -> std::int64_t {
    throw UnitError(fmt::format("bad {} \"{}\": {} (expected a number and a unit: {})", what,
                                text, why, unit_list(units)));
  };
  std::size_t pos = 0;
  while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
    if (text[pos] == '-') return fail("negative values are not allowed");
    ++pos;
  }
  // Mantissa digits, kept as an integer with a decimal exponent.
  UnsignedInt128 mantissa = 0;
  int exponent = 0, digits = 0;
  bool overflow = false;
  auto take_digit = [&](char c, bool fraction) {
    ++digits;
    if (mantissa > (std::numeric_limits<std::uint64_t>::max() / 10)) {
      // Further digits no longer fit; they only matter if nonzero.
      if (c != '0') overflow = true;
      if (!fraction) ++exponent;
      return;
    }
    mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
    if (fraction) --exponent;
  };
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
    take_digit(text[pos++], false);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
      take_digit(text[pos++], true);
  }
  if (digits == 0) return fail("no number");
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E') && pos + 1 < text.size() &&
      (std::isdigit(static_cast<unsigned char>(text[pos + 1])) || text[pos + 1] == '-' ||
       text[pos + 1] == '+')) {
    ++pos;
    bool negative = false;
    if (text[pos] == '-' || text[pos] == '+') negative = text[pos++] == '-';
    int value = 0;
    bool any = false;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      any = true;
      if (value < 10000) value = value * 10 + (text[pos] - '0');
      ++pos;
    }
    if (!any) return fail("malformed exponent");
    exponent += negative ? -value : value;
  }
  while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  std::string_view unit_text = text.substr(pos);
  while (!unit_text.empty() && std::isspace(static_cast<unsigned char>(unit_text.back())))
    unit_text.remove_suffix(1);
  if (unit_text.empty()) return fail("missing unit");
  const Unit* unit = nullptr;
  for (const Unit& candidate : units)
    if (candidate.name == unit_text) unit = &candidate;
  if (unit == nullptr) return fail(fmt::format("unknown unit \"{}\"", unit_text));
  if (overflow) return fail("too many significant digits");

  constexpr UnsignedInt128 kLimit = std::numeric_limits<std::int64_t>::max();
  UnsignedInt128 value = mantissa * static_cast<UnsignedInt128>(unit->factor);
  if (mantissa != 0 && value / mantissa != static_cast<UnsignedInt128>(unit->factor))
    return fail("too large");
  for (; exponent > 0; --exponent) {
    if (value > kLimit) return fail("too large");
    value *= 10;
  }
  for (; exponent < 0; ++exponent) {
    if (value % 10 != 0)
      return fail(fmt::format("not a whole number of {}", base_name));
    value /= 10;
  }
  if (value > kLimit) return fail("too large");
  return static_cast<std::int64_t>(value);
}

}  // namespace

SimTime parse_duration(std::string_view text) {
  return parse_quantity(text, "duration", kDurationUnits, "nanoseconds");
}

std::int64_t parse_size_bits(std::string_view text) {
  return parse_quantity(text, "size", kSizeUnits, "bits");
}

std::int64_t parse_rate_bps(std::string_view text) {
  return parse_quantity(text, "rate", kRateUnits, "bit/s");
}

SimTime transfer_duration(std::int64_t bits, std::int64_t rate_bps) {
  // Up to 9.2e9 bits (about a gigabyte) the numerator and the rounding term
  // fit 64 unsigned bits: the same quotient without a 128-bit division.
  constexpr std::int64_t kSmall = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
  if (bits >= 0 && bits <= kSmall && rate_bps > 0) {
    const auto rate = static_cast<std::uint64_t>(rate_bps);
    const std::uint64_t duration = (static_cast<std::uint64_t>(bits) * 1'000'000'000 + rate - 1) / rate;
    if (duration <= static_cast<std::uint64_t>(kLatestTime)) return static_cast<SimTime>(duration);
  }
  const SignedInt128 numerator = static_cast<SignedInt128>(bits) * 1'000'000'000;
  const SignedInt128 duration = (numerator + rate_bps - 1) / rate_bps;
  if (duration > kLatestTime)
    detail::throw_time_overflow(fmt::format("sending {} bits at {} bit/s", bits, rate_bps),
                                static_cast<double>(duration));
  return static_cast<SimTime>(duration);
}

namespace detail {

void throw_time_overflow(std::string_view what, double nanoseconds) {
  if (!(nanoseconds >= 0.0))
    throw TimeOverflow(fmt::format("simulated time error: {} gives {} ns, not a duration", what, nanoseconds));
  throw TimeOverflow(fmt::format("simulated time overflow: {} gives {:.3g} s, beyond the clock's range "
                                 "(int64 nanoseconds, about 292 years)",
                                 what, nanoseconds * 1e-9));
}

}  // namespace detail

std::string format_duration(SimTime time) {
  if (time == kNever) return "never";
  constexpr std::pair<SimTime, std::string_view> kSteps[] = {
      {3'600'000'000'000, "h"}, {60'000'000'000, "min"}, {kSecond, "s"},
      {kMillisecond, "ms"},     {kMicrosecond, "us"},    {1, "ns"}};
  const SimTime magnitude = time < 0 ? -time : time;
  for (const auto& [factor, name] : kSteps) {
    if (magnitude >= factor || factor == 1) {
      if (time % factor == 0) return fmt::format("{}{}", time / factor, name);
      if (factor <= kSecond) {
        // Print the exact decimal, trimming trailing zeros.
        std::string fraction = fmt::format("{:0{}d}", magnitude % factor,
                                           factor == kSecond ? 9 : factor == kMillisecond ? 6 : 3);
        while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
        return fmt::format("{}{}.{}{}", time < 0 ? "-" : "", magnitude / factor, fraction, name);
      }
    }
  }
  return fmt::format("{}ns", time);
}

}  // namespace dlsim
