#include "data/on_demand.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

using namespace dlsim;

namespace {

std::shared_ptr<const std::vector<double>> direction(std::size_t d, std::uint64_t seed) {
  RandomStream rng(seed, 0, purpose_id("test.w_star"));
  return std::make_shared<const std::vector<double>>(logistic_direction(d, rng));
}

}  // namespace

TEST_CASE("on-demand logistic samples are a pure function of w* and the stream") {
  const OnDemandGenerator generate = make_logistic_generator(direction(20, 1), 0.05);
  RandomStream a(7, 3, purpose_id("data.on_demand")), b(7, 3, purpose_id("data.on_demand"));
  Dataset x, y;
  generate(3, 50, a, x);
  generate(3, 50, b, y);
  validate(x);
  CHECK(x.size() == 50);
  CHECK(x.dim == 20);
  CHECK(x.num_classes == 2);
  CHECK(!x.is_sparse());
  CHECK(x.dense == y.dense);
  CHECK(x.targets == y.targets);
  // The next call draws fresh samples into the same buffers.
  const float* buffer = x.dense.data();
  generate(3, 50, a, x);
  CHECK(x.dense.data() == buffer);
  CHECK(x.dense != y.dense);
}

TEST_CASE("on-demand logistic labels are sign(<w*, a>) except for about the flip probability") {
  // With flips at rate p, the count of disagreements over n samples is
  // Binomial(n, p): mean 1000, standard deviation about 30 for n = 20000, p = 0.05.
  const std::size_t d = 30, n = 20000;
  const auto w_star = direction(d, 2);
  RandomStream rng(2, 0, purpose_id("data.on_demand"));
  Dataset data;
  generate_logistic(*w_star, 0.05, n, rng, data);
  std::size_t flipped = 0, positives = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double dot = 0;
    for (std::size_t k = 0; k < d; ++k) dot += static_cast<double>(data.row(i)[k]) * (*w_star)[k];
    const double sign = dot >= 0 ? 1.0 : -1.0;
    flipped += data.targets[i] != sign;
    positives += data.targets[i] > 0;
    CHECK(data.classes[i] == (data.targets[i] > 0 ? 1 : 0));
  }
  CHECK(flipped > 850);
  CHECK(flipped < 1150);
  CHECK(positives > 9500);
  CHECK(positives < 10500);

  // Without flips every label is the sign.
  generate_logistic(*w_star, 0.0, 1000, rng, data);
  for (std::size_t i = 0; i < 1000; ++i) {
    double dot = 0;
    for (std::size_t k = 0; k < d; ++k) dot += static_cast<double>(data.row(i)[k]) * (*w_star)[k];
    REQUIRE(data.targets[i] == (dot >= 0 ? 1.0 : -1.0));
  }
}

TEST_CASE("on-demand features have the moments of N(0, 1)") {
  // n = 10^6 features: the sample mean has standard deviation 0.001, the
  // second moment 0.0014, the fourth 0.01; P(|Z| > 3) = 0.0027 (2700 +- 52
  // values beyond 3) tests the ziggurat's tail.
  const auto w_star = direction(1000, 3);
  RandomStream rng(3, 0, purpose_id("data.on_demand"));
  Dataset data;
  generate_logistic(*w_star, 0.0, 1000, rng, data);
  const double n = static_cast<double>(data.dense.size());
  double sum = 0, sum2 = 0, sum4 = 0;
  int beyond3 = 0;
  for (float value : data.dense) {
    const double z = value;
    sum += z;
    sum2 += z * z;
    sum4 += z * z * z * z;
    beyond3 += std::abs(z) > 3;
  }
  CHECK(std::abs(sum / n) < 0.005);
  CHECK(std::abs(sum2 / n - 1.0) < 0.007);
  CHECK(std::abs(sum4 / n - 3.0) < 0.05);  // kurtosis 3
  CHECK(beyond3 > 2500);
  CHECK(beyond3 < 2900);
}

TEST_CASE("Rademacher features are +-1 with mean 0, and labels still follow sign(<a, w*>)") {
  // 10^6 features of +-1: the mean has standard deviation 0.001.
  const auto w_star = direction(1000, 4);
  RandomStream rng(4, 0, purpose_id("data.on_demand"));
  Dataset data;
  generate_logistic(*w_star, 0.0, 1000, rng, data, FeatureDistribution::rademacher);
  double sum = 0;
  for (float value : data.dense) {
    REQUIRE((value == 1.0f || value == -1.0f));
    sum += value;
  }
  CHECK(std::abs(sum / static_cast<double>(data.dense.size())) < 0.005);
  for (std::size_t i = 0; i < 1000; ++i) {
    double dot = 0;
    for (std::size_t k = 0; k < 1000; ++k) dot += static_cast<double>(data.row(i)[k]) * (*w_star)[k];
    REQUIRE(data.targets[i] == (dot >= 0 ? 1.0 : -1.0));
  }
}
