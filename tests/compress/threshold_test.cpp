#include "compress/threshold.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("threshold: 32-bit count header + (32 + index bits) per kept value") {
  const ThresholdSparsifier c(1.0, IndexCoding::log2d);
  RandomStream rng(1, 0, 1);
  std::vector<double> x(1000, 0.5);
  x[3] = 1.0;
  x[999] = -2.0;
  const auto m = c.compress(x, rng);
  CHECK(m.bits() == 32 + 2 * (32 + 10));
  const auto y = c.decode(m);
  CHECK(y[3] == 1.0);
  CHECK(y[999] == -2.0);
  CHECK(y[0] == 0.0);
  CHECK(ThresholdSparsifier(10.0).compress(x, rng).bits() == 32);  // nothing kept: header only
  check_contraction(ThresholdSparsifier(0.5), 100);
}
