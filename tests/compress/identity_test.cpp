#include "compress/identity.hpp"

#include "check.hpp"

#include <bit>
#include <cstdint>
#include <limits>

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("identity: 32 bits per value, reconstruction float(x)") {
  const Identity c;
  RandomStream rng(1, 0, 1);
  const std::vector<double> x = {0.1, -2.5, 1e-3};
  const auto m = c.compress(x, rng);
  CHECK(m.bits() == 96);
  const auto y = c.decode(m);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(y[i] == double(float(x[i])));
  check_contraction(c, 100);
}

// The packed conversions (four at a time) and the scalar tail must round every
// value as a scalar cast does: every length 0-11, so every split between them,
// and values that round differently (ties, subnormal floats, overflow to
// infinity, NaN).
TEST_CASE("identity, packed and scalar conversions give the cast's bits") {
  const Identity c;
  RandomStream rng(2, 0, 1);
  const std::vector<double> special = {1.0 + 0x1p-24, 1.0 + 0x1.8p-24, -1.0 - 0x1p-24, 1e-40, -3e-45, 1e-50, 3.5e38,
                                       -1e300, std::numeric_limits<double>::infinity(),
                                       std::numeric_limits<double>::quiet_NaN(), -0.0};
  for (std::size_t size = 0; size <= special.size(); ++size) {
    const std::vector<double> x(special.begin(), special.begin() + std::ptrdiff_t(size));
    const auto message = c.compress(x, rng);
    REQUIRE(message.values.size() == size);
    const auto y = c.decode(message);
    for (std::size_t i = 0; i < size; ++i) {
      const float cast = static_cast<float>(x[i]);
      CHECK(std::bit_cast<std::uint32_t>(message.values[i]) == std::bit_cast<std::uint32_t>(cast));
      CHECK(std::bit_cast<std::uint64_t>(y[i]) == std::bit_cast<std::uint64_t>(double(cast)));
    }
  }
}
