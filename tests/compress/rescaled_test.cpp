// Rescaled unbiased compressors: C(x) / (1 + omega) is a contraction with
// delta = 1 / (1 + omega) (Koloskova, Stich, Jaggi, ICML 2019, Section 6).
#include "compress/rescaled.hpp"

#include "check.hpp"
#include "compress/factory.hpp"
#include "compress/qsgd.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("rescaled qsgd: same message and size, reconstruction divided by 1 + omega, a contraction") {
  // qsgd with s = 4 levels on d = 400: omega = min(d/s^2, sqrt(d)/s) = min(25, 5) = 5, so not a
  // contraction as it is (delta = -4); rescaled by 1/6 it is one with delta = 1/6.
  const Qsgd plain(4, Qsgd::Coding::naive);
  const auto rescaled = make_compressor("qsgd", {{"levels", std::int64_t{4}}, {"rescale", true}});
  CHECK(plain.traits(400).delta == Approx(-4.0));
  CHECK(rescaled->traits(400).delta == Approx(1.0 / 6.0));
  CHECK_FALSE(rescaled->traits(400).unbiased);

  RandomStream data(3, 0, 1);
  const std::vector<double> x = random_vector(400, data);
  RandomStream a(5, 0, 2), b(5, 0, 2);
  const CompressedMessage from_plain = plain.compress(x, a);
  const CompressedMessage from_rescaled = rescaled->compress(x, b);
  CHECK(from_plain.bits() == from_rescaled.bits());
  const std::vector<double> decoded = plain.decode(from_plain), shrunk = rescaled->decode(from_rescaled);
  for (std::size_t k = 0; k < x.size(); ++k) CHECK(shrunk[k] == decoded[k] * (1.0 / 6.0));
  // add_decoded agrees with decode.
  std::vector<double> accumulated(400, 1.0);
  rescaled->add_decoded(from_rescaled, 0.5, accumulated);
  for (std::size_t k = 0; k < x.size(); ++k) CHECK(accumulated[k] == Approx(1.0 + 0.5 * shrunk[k]));
  check_contraction(*rescaled, 400);
}

TEST_CASE("only unbiased compressors can be rescaled") {
  CHECK_THROWS_WITH(make_compressor("top-k", {{"rescale", true}}), Catch::Contains("rescale"));
  CHECK_NOTHROW(make_compressor("natural", {{"rescale", true}}));
}
