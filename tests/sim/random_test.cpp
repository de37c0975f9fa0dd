#include "sim/random.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace dlsim;

// Known-answer vectors published with Random123 (kat_vectors, philox4x32_10).
TEST_CASE("philox4x32_10 matches the Random123 known answers") {
  {
    const std::uint32_t counter[4] = {0, 0, 0, 0};
    const std::uint32_t key[2] = {0, 0};
    const auto block = philox4x32_10(counter, key);
    CHECK(block.words[0] == 0x6627e8d5u);
    CHECK(block.words[1] == 0xe169c58du);
    CHECK(block.words[2] == 0xbc57ac4cu);
    CHECK(block.words[3] == 0x9b00dbd8u);
  }
  {
    const std::uint32_t counter[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
    const std::uint32_t key[2] = {0xffffffffu, 0xffffffffu};
    const auto block = philox4x32_10(counter, key);
    CHECK(block.words[0] == 0x408f276du);
    CHECK(block.words[1] == 0x41c83b0eu);
    CHECK(block.words[2] == 0xa20bc7c6u);
    CHECK(block.words[3] == 0x6d5451fdu);
  }
  {
    const std::uint32_t counter[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
    const std::uint32_t key[2] = {0xa4093822u, 0x299f31d0u};
    const auto block = philox4x32_10(counter, key);
    CHECK(block.words[0] == 0xd16cfe09u);
    CHECK(block.words[1] == 0x94fdccebu);
    CHECK(block.words[2] == 0x5001e420u);
    CHECK(block.words[3] == 0x24126ea1u);
  }
}

TEST_CASE("streams are reproducible and distinct per key") {
  RandomStream a(7, 3, purpose_id("test"));
  RandomStream b(7, 3, purpose_id("test"));
  RandomStream other_node(7, 4, purpose_id("test"));
  RandomStream other_purpose(7, 3, purpose_id("other"));
  RandomStream other_seed(8, 3, purpose_id("test"));
  int same_other = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.next_u64();
    CHECK(x == b.next_u64());
    same_other += (x == other_node.next_u64()) + (x == other_purpose.next_u64()) +
                  (x == other_seed.next_u64());
  }
  CHECK(same_other == 0);
  CHECK(a.position() == 1000);
}

// Moments of the distributions: mean and variance within 5 standard errors.
TEST_CASE("distributions have their textbook moments") {
  RandomStream stream(1, 0, purpose_id("moments"));
  const int n = 200000;
  auto check_moments = [&](auto draw, double mean, double variance) {
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < n; ++i) {
      const double x = draw();
      sum += x;
      sum_sq += x * x;
    }
    const double sample_mean = sum / n;
    const double sample_variance = sum_sq / n - sample_mean * sample_mean;
    CHECK(std::abs(sample_mean - mean) < 5 * std::sqrt(variance / n));
    CHECK(std::abs(sample_variance - variance) < 0.02 * variance);
  };
  check_moments([&] { return stream.uniform(); }, 0.5, 1.0 / 12);
  check_moments([&] { return stream.normal(); }, 0.0, 1.0);
  check_moments([&] { return stream.exponential(3.0); }, 3.0, 9.0);
  check_moments([&] { return stream.gamma(2.5); }, 2.5, 2.5);
  check_moments([&] { return stream.gamma(0.5); }, 0.5, 0.5);
  check_moments([&] { return static_cast<double>(stream.uniform_int(10)); }, 4.5, 99.0 / 12);
}

TEST_CASE("uniform_int covers its range without bias") {
  RandomStream stream(2, 0, purpose_id("ints"));
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) ++counts[stream.uniform_int(7)];
  // Chi-square with 6 degrees of freedom: 22.46 is its 0.999 quantile.
  double chi_square = 0;
  for (int count : counts) chi_square += (count - n / 7.0) * (count - n / 7.0) / (n / 7.0);
  CHECK(chi_square < 22.46);
}

TEST_CASE("shuffle is a permutation") {
  RandomStream stream(3, 0, purpose_id("shuffle"));
  std::vector<int> values(100);
  for (int i = 0; i < 100; ++i) values[i] = i;
  stream.shuffle(std::span<int>(values));
  std::vector<int> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 100; ++i) CHECK(sorted[i] == i);
  CHECK(values != sorted);
}

TEST_CASE("shuffle draws what one uniform_int at a time draws, from any position") {
  // The shuffle takes its draws in groups made eight blocks at a time; the
  // permutation, the stream's position and its next draws must be those of
  // the plain Fisher-Yates loop, whatever the stream had drawn before (an odd
  // count leaves half a block buffered).
  for (std::size_t size : {0, 1, 2, 8, 9, 10, 16, 17, 24, 25, 32, 63, 64, 65, 100, 1000}) {
    for (int drawn_before : {0, 1, 2, 3}) {
      RandomStream grouped(5, 7, purpose_id("shuffle.groups"), size);
      for (int k = 0; k < drawn_before; ++k) grouped.next_u64();
      RandomStream plain = grouped;
      std::vector<std::uint32_t> values(size), expected(size);
      for (std::size_t k = 0; k < size; ++k) values[k] = expected[k] = static_cast<std::uint32_t>(k);
      grouped.shuffle(std::span<std::uint32_t>(values));
      for (std::size_t i = size; i > 1; --i) std::swap(expected[i - 1], expected[plain.uniform_int(i)]);
      INFO("size " << size << ", drawn before " << drawn_before);
      CHECK(values == expected);
      CHECK(grouped.position() == plain.position());
      CHECK(grouped.next_u64() == plain.next_u64());
      CHECK(grouped.next_u64() == plain.next_u64());
    }
  }
}

TEST_CASE("exponential draws follow P(X > t) = exp(-t / mean), tail included (ziggurat)") {
  // 10^6 draws with mean 1: at each t the count beyond t is Binomial(n, e^-t),
  // checked to 5 standard deviations. t = 8 lies beyond the ziggurat's base
  // layer (7.697), so the tail branch is exercised; t = 0.1 and 1 the
  // rectangles and wedges.
  RandomStream stream(9, 0, purpose_id("exponential.tail"));
  const int n = 1'000'000;
  std::vector<double> draws(n);
  for (double& x : draws) x = stream.exponential(1.0);
  for (double t : {0.1, 1.0, 3.0, 6.0, 8.0}) {
    const double p = std::exp(-t);
    const double beyond = static_cast<double>(std::count_if(draws.begin(), draws.end(), [t](double x) { return x > t; }));
    INFO("t = " << t);
    CHECK(std::abs(beyond - n * p) < 5 * std::sqrt(n * p * (1 - p)) + 1);
  }
  CHECK(*std::min_element(draws.begin(), draws.end()) >= 0.0);
}
