#include "compress/top_k.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("top-2 of d = 1000 with 10-bit indices is 2 x (32 + 10) bits, no header") {
  std::vector<double> x(1000, 0.01);
  x[17] = -5.0;
  x[900] = 3.0;
  x[5] = 2.9;
  RandomStream rng(1, 0, 1);
  const TopK c(2, 0.0, IndexCoding::log2d);
  const auto m = c.compress(x, rng);
  CHECK(m.bits() == 2 * (32 + 10));
  CHECK(m.indices == std::vector<std::uint32_t>{17, 900});
  const auto y = c.decode(m);
  for (std::size_t i = 0; i < 1000; ++i) CHECK(y[i] == (i == 17 ? -5.0 : i == 900 ? 3.0 : 0.0));
  // Elias-gamma gaps 18 and 883: (2*4+1) + (2*9+1) = 28 bits; fixed32: 64.
  CHECK(TopK(2, 0.0, IndexCoding::elias_gamma).compress(x, rng).bits() == 64 + 9 + 19);
  CHECK(TopK(2, 0.0, IndexCoding::fixed32).compress(x, rng).bits() == 64 + 64);
}

TEST_CASE("top-k: ties by lower index, k from a ratio, delta = k/d") {
  const std::vector<double> x = {1, -1, 1, 1, 0.5};
  RandomStream rng(1, 0, 1);
  const auto m = TopK(3, 0.0).compress(x, rng);
  CHECK(m.indices == std::vector<std::uint32_t>{0, 1, 2});
  CHECK(TopK(0, 0.4).compress(x, rng).indices.size() == 2);
  CHECK(TopK(0, 0.01).traits(1000).delta == Approx(0.01));
  check_contraction(TopK(0, 0.05), 200);
  check_contraction(TopK(1, 0.0), 10);
  CHECK_THROWS_AS(TopK(0, 0.0), std::invalid_argument);
}
