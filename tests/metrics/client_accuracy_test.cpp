// The client accuracy distribution against closed forms: the nearest-rank
// 10th percentile is the ceil(n / 10)-th smallest value, the mean is the
// plain mean over clients; a fixed sample of clients is distinct, sorted and
// uniform; each client's accuracy is its shard's fraction of correct labels,
// the same for any thread count.
#include "metrics/client_accuracy.hpp"

#include <tbb/global_control.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include "models/logistic.hpp"
#include "sim/random.hpp"

using namespace dlsim;

namespace {

// 1..n in a scrambled order.
std::vector<double> one_to(std::size_t n) {
  std::vector<double> values(n);
  std::iota(values.begin(), values.end(), 1.0);
  RandomStream rng(7, 0, purpose_id("test.shuffle"));
  rng.shuffle(std::span<double>(values));
  return values;
}

// One feature; sample i has a = +1 and label +1 (class 1) when correct[i],
// -1 otherwise: logistic regression at x = (1) predicts +1 for every sample.
std::shared_ptr<const Dataset> labelled(const std::vector<bool>& correct) {
  auto data = std::make_shared<Dataset>();
  data->dim = 1;
  data->num_classes = 2;
  for (bool right : correct) {
    data->dense.push_back(1.0f);
    data->targets.push_back(right ? 1.0 : -1.0);
    data->classes.push_back(right ? 1 : 0);
  }
  return data;
}

}  // namespace

TEST_CASE("the nearest-rank 10th percentile is the ceil(n / 10)-th smallest value", "[federated]") {
  CHECK(nearest_rank_percentile(one_to(20), 0.1) == 2);  // ceil(2) = 2
  CHECK(nearest_rank_percentile(one_to(25), 0.1) == 3);  // ceil(2.5) = 3
  CHECK(nearest_rank_percentile(one_to(30), 0.1) == 3);  // ceil(3) = 3, not rounded up to 4
  CHECK(nearest_rank_percentile(one_to(9), 0.1) == 1);   // ceil(0.9) = 1: the smallest
  CHECK(nearest_rank_percentile({0.25}, 0.1) == 0.25);
  CHECK(nearest_rank_percentile(one_to(7), 1.0) == 7);  // the largest
  CHECK_THROWS(nearest_rank_percentile({}, 0.1));
  CHECK_THROWS(nearest_rank_percentile({1.0}, 0.0));
  // Mean 0.5 + ... : (0.1 + 0.2 + ... + 1.0) / 10 = 0.55; p10 = the smallest of 10.
  std::vector<double> accuracies;
  for (double value : one_to(10)) accuracies.push_back(value / 10);
  const AccuracyDistribution distribution = accuracy_distribution(accuracies);
  CHECK(distribution.mean == Approx(0.55).epsilon(1e-15));
  CHECK(distribution.p10 == 0.1);
}

TEST_CASE(
    "evaluated clients are all clients, or a fixed uniform sample of distinct ones in id order",
    "[federated]") {
  CHECK(evaluated_clients(5, 1000, 1) == std::vector<NodeId>{0, 1, 2, 3, 4});
  CHECK(evaluated_clients(5, 5, 1) == std::vector<NodeId>{0, 1, 2, 3, 4});
  const std::vector<NodeId> sample = evaluated_clients(1'000'000, 1000, 3);
  REQUIRE(sample.size() == 1000);
  CHECK(std::is_sorted(sample.begin(), sample.end()));
  CHECK(std::adjacent_find(sample.begin(), sample.end()) == sample.end());
  CHECK(sample.back() < 1'000'000);
  CHECK(evaluated_clients(1'000'000, 1000, 3) == sample);  // a pure function of the seed
  CHECK(evaluated_clients(1'000'000, 1000, 4) != sample);
  // Uniform: each of 10 clients is in a sample of 5 with probability 1/2;
  // over 4000 seeds its count is 2000 +- 32 (one standard deviation).
  std::vector<int> counts(10, 0);
  for (std::uint64_t seed = 0; seed < 4000; ++seed)
    for (NodeId client : evaluated_clients(10, 5, seed)) ++counts[client];
  for (int count : counts) CHECK(std::abs(count - 2000) < 5 * 32);
}

TEST_CASE("a client's accuracy is its shard's fraction of correct labels, for any thread count",
          "[federated]") {
  // Client c has c + 1 correct samples of 4 (client 3: all of them), client 4 none of 2.
  std::vector<bool> correct;
  std::vector<std::vector<std::uint32_t>> partition(5);
  for (std::uint32_t client = 0; client < 4; ++client)
    for (std::uint32_t i = 0; i < 4; ++i) {
      partition[client].push_back(static_cast<std::uint32_t>(correct.size()));
      correct.push_back(i <= client);
    }
  for (int i = 0; i < 2; ++i) {
    partition[4].push_back(static_cast<std::uint32_t>(correct.size()));
    correct.push_back(false);
  }
  auto model = std::make_shared<LogisticRegression>(1);
  const std::vector<double> x{1.0};
  std::vector<double> reference;
  for (int threads : {1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(threads));
    const ClientAccuracy all(model, labelled(correct), partition, 1000, 1);
    CHECK(all.clients() == std::vector<NodeId>{0, 1, 2, 3, 4});
    const std::vector<double> accuracies = all.accuracies(x);
    CHECK(accuracies == std::vector<double>{0.25, 0.5, 0.75, 1.0, 0.0});
    // Mean (0.25 + 0.5 + 0.75 + 1 + 0) / 5 = 0.5; p10: ceil(0.5) = 1st smallest = 0.
    const AccuracyDistribution distribution = all.distribution(x);
    CHECK(distribution.mean == 0.5);
    CHECK(distribution.p10 == 0.0);
    if (reference.empty()) reference = accuracies;
    CHECK(accuracies == reference);
  }
  // A sample of 2 evaluates exactly the sampled clients.
  const ClientAccuracy two(model, labelled(correct), partition, 2, 9);
  REQUIRE(two.clients().size() == 2);
  const std::vector<double> accuracies = two.accuracies(x);
  const std::vector<double> expected{0.25, 0.5, 0.75, 1.0, 0.0};
  for (std::size_t i = 0; i < 2; ++i) CHECK(accuracies[i] == expected[two.clients()[i]]);
}
