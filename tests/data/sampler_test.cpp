#include "data/sampler.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "sim/random.hpp"

using namespace dlsim;

TEST_CASE("sampler: every sample exactly once per epoch, shorter last batch") {
  std::vector<std::uint32_t> rows = {2, 3, 5, 7, 11, 13, 17};
  MinibatchSampler sampler(rows, 3);
  RandomStream rng(1, 4, purpose_id("data.sampler"));
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<std::uint32_t> seen;
    for (std::size_t expected : {3, 3, 1}) {
      auto batch = sampler.next(rng);
      CHECK(batch.size() == expected);
      seen.insert(seen.end(), batch.begin(), batch.end());
    }
    std::sort(seen.begin(), seen.end());
    CHECK(seen == rows);
    CHECK(sampler.epoch() == std::uint64_t(epoch));
  }
}

TEST_CASE("sampler: same stream key, same batches, different node, different order") {
  std::vector<std::uint32_t> rows(100);
  for (std::uint32_t i = 0; i < 100; ++i) rows[i] = i;
  MinibatchSampler a(rows, 10), b(rows, 10), c(rows, 10);
  RandomStream ra(1, 0, purpose_id("data.sampler")), rb(1, 0, purpose_id("data.sampler")),
      rc(1, 1, purpose_id("data.sampler"));
  auto ba = a.next(ra);
  auto bb = b.next(rb);
  auto bc = c.next(rc);
  CHECK(std::equal(ba.begin(), ba.end(), bb.begin(), bb.end()));
  CHECK(!std::equal(ba.begin(), ba.end(), bc.begin(), bc.end()));
  MinibatchSampler empty({}, 4);
  CHECK(empty.next(ra).empty());
  CHECK_THROWS_AS(MinibatchSampler(rows, 0), std::invalid_argument);
}
