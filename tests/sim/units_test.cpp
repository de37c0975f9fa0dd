#include "sim/units.hpp"

#include <catch2/catch.hpp>

using namespace dlsim;

TEST_CASE("durations parse exactly") {
  CHECK(parse_duration("250us") == 250'000);
  CHECK(parse_duration("1.5ms") == 1'500'000);
  CHECK(parse_duration("2s") == 2'000'000'000);
  CHECK(parse_duration("1h") == 3'600'000'000'000);
  CHECK(parse_duration("3min") == 180'000'000'000);
  CHECK(parse_duration("0s") == 0);
  CHECK(parse_duration("7ns") == 7);
  CHECK(parse_duration("1e-3s") == 1'000'000);
  CHECK(parse_duration("2.5e3us") == 2'500'000);
  CHECK(parse_duration(" 10 ms ") == 10'000'000);
  CHECK(parse_duration("0.000000001s") == 1);
}

TEST_CASE("sizes parse to bits") {
  CHECK(parse_size_bits("1500B") == 12'000);
  CHECK(parse_size_bits("1MiB") == 8'388'608);
  CHECK(parse_size_bits("10MB") == 80'000'000);
  CHECK(parse_size_bits("1KiB") == 8192);
  CHECK(parse_size_bits("12bit") == 12);
  CHECK(parse_size_bits("3Gbit") == 3'000'000'000);
}

TEST_CASE("rates parse to bit/s") {
  CHECK(parse_rate_bps("1Gbps") == 1'000'000'000);
  CHECK(parse_rate_bps("100Mbit/s") == 100'000'000);
  CHECK(parse_rate_bps("12.5MB/s") == 100'000'000);
  CHECK(parse_rate_bps("1.5Mbps") == 1'500'000);
  CHECK(parse_rate_bps("1KiB/s") == 8192);
}

TEST_CASE("bad quantities are rejected with a message naming the text") {
  const char* bad_durations[] = {"", "ms", "10", "10 parsecs", "-1ms", "NaN s", "nan",
                                 "1.5", "0.5ns", "1e-10s", "10000000000h", "1e30s",
                                 "99999999999999999999999ns", "1..5ms", "1e", "inf s"};
  for (const char* text : bad_durations) {
    INFO(text);
    CHECK_THROWS_AS(parse_duration(text), UnitError);
  }
  CHECK_THROWS_WITH(parse_duration("10 parsecs"),
                    Catch::Contains("\"10 parsecs\"") && Catch::Contains("unknown unit"));
  CHECK_THROWS_WITH(parse_duration("10"), Catch::Contains("missing unit"));
  CHECK_THROWS_WITH(parse_duration("-1ms"), Catch::Contains("negative"));
  CHECK_THROWS_WITH(parse_duration("1e30s"), Catch::Contains("too large"));
  CHECK_THROWS_WITH(parse_duration("0.5ns"), Catch::Contains("whole number"));
  CHECK_THROWS_AS(parse_size_bits("1.5b"), UnitError);
  CHECK_THROWS_AS(parse_size_bits("1Gbps"), UnitError);
  CHECK_THROWS_AS(parse_rate_bps("1GB"), UnitError);
  CHECK_THROWS_AS(parse_rate_bps("2000000TB/s"), UnitError);  // overflows int64
}

TEST_CASE("the largest representable duration parses, one more overflows") {
  CHECK(parse_duration("9223372036854775807ns") == INT64_MAX);
  CHECK_THROWS_AS(parse_duration("9223372036854775808ns"), UnitError);
}

TEST_CASE("transfer durations round up to whole nanoseconds") {
  // 1 MiB over 1 Gbit/s: 8,388,608 bits take exactly 8.388608 ms.
  CHECK(transfer_duration(8'388'608, 1'000'000'000) == 8'388'608);
  CHECK(transfer_duration(1, 3'000'000'000) == 1);  // 0.33 ns rounds up
  CHECK(transfer_duration(0, 1'000) == 0);
}

TEST_CASE("transfer durations are the exact ceiling on both sides of the 64-bit shortcut") {
  // Sizes up to INT64_MAX / 10^9 bits take a 64-bit division, larger ones a
  // 128-bit one: both must give ceil(bits * 10^9 / rate).
  const std::int64_t small = INT64_MAX / 1'000'000'000;
  for (std::int64_t bits : {std::int64_t{1}, std::int64_t{999'999'937}, small - 1, small, small + 1, 3 * small})
    for (std::int64_t rate : {std::int64_t{7}, std::int64_t{1'000'000'000}, std::int64_t{999'999'999'989},
                              INT64_MAX - 1, INT64_MAX}) {
      const __int128 exact = (static_cast<__int128>(bits) * 1'000'000'000 + rate - 1) / rate;
      INFO(bits << " bits at " << rate << " bit/s");
      if (exact > kLatestTime) CHECK_THROWS_AS(transfer_duration(bits, rate), TimeOverflow);
      else CHECK(transfer_duration(bits, rate) == static_cast<std::int64_t>(exact));
    }
}

TEST_CASE("durations format back") {
  CHECK(format_duration(1'500'000) == "1.5ms");
  CHECK(format_duration(2 * kSecond) == "2s");
  CHECK(format_duration(250'000) == "250us");
  CHECK(format_duration(7) == "7ns");
  CHECK(format_duration(kNever) == "never");
}
