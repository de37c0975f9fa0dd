#include "compress/low_precision.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("fp16: exact values, rounding to nearest even, saturation, 16 bits each") {
  const LowPrecision c(LowPrecision::Format::fp16);
  RandomStream rng(1, 0, 1);
  const std::vector<double> x = {1.0, -0.5, 65504.0, 1e6, 1.0 + 0x1.0p-11, 1.0 + 0x1.8p-11, 0x1.0p-24, 0.0};
  const auto m = c.compress(x, rng);
  CHECK(m.bits() == 16 * x.size());
  const auto y = c.decode(m);
  CHECK(y[0] == 1.0);
  CHECK(y[1] == -0.5);
  CHECK(y[2] == 65504.0);
  CHECK(y[3] == 65504.0);                // saturates
  CHECK(y[4] == 1.0);                    // halfway: ties to even
  CHECK(y[5] == 1.0 + 0x1.0p-10);        // above halfway: up
  CHECK(y[6] == 0x1.0p-24);              // smallest subnormal
  CHECK(y[7] == 0.0);
  CHECK(half_to_float(0x3C00) == 1.0f);
  check_contraction(c, 100);
}

TEST_CASE("bf16 and int8: sizes and reconstructions") {
  RandomStream rng(1, 0, 1);
  const LowPrecision bf16(LowPrecision::Format::bf16);
  const std::vector<double> x = {1.0, -3.0, 1.0 + 0x1.0p-8};
  auto m = bf16.compress(x, rng);
  CHECK(m.bits() == 48);
  auto y = bf16.decode(m);
  CHECK(y[0] == 1.0);
  CHECK(y[1] == -3.0);
  CHECK(y[2] == 1.0);  // halfway between 1 and 1 + 2^-7: ties to even
  const LowPrecision int8(LowPrecision::Format::int8);
  const std::vector<double> z = {127.0, -63.4, 0.5};
  m = int8.compress(z, rng);
  CHECK(m.bits() == 3 * 8 + 32);
  CHECK(m.levels == std::vector<std::int32_t>{127, -63, 1});  // 0.5 rounds away from zero
  y = int8.decode(m);
  CHECK(y[1] == -63.0);
  check_contraction(bf16, 100);
  check_contraction(int8, 100);
}

TEST_CASE("stochastic rounding variants are unbiased") {
  check_unbiased(LowPrecision(LowPrecision::Format::int8, true), 30);
  check_unbiased(LowPrecision(LowPrecision::Format::bf16, true), 30);
  check_unbiased(LowPrecision(LowPrecision::Format::fp16, true), 30);
  check_contraction(LowPrecision(LowPrecision::Format::fp16, true), 100);
}
