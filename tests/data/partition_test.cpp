#include "data/partition.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "data/synthetic.hpp"
#include "sim/random.hpp"

using namespace dlsim;

namespace {

Dataset labelled(std::size_t n, std::size_t classes) {
  Dataset data;
  data.dim = 1;
  data.num_classes = classes;
  for (std::size_t i = 0; i < n; ++i) {
    data.dense.push_back(float(i));
    data.classes.push_back(std::int32_t((i * 7) % classes));
    data.targets.push_back(double(data.classes.back()));
  }
  return data;
}

// Every sample appears exactly once across nodes.
void check_exact_cover(const Partition& p, std::size_t n) {
  std::vector<int> seen(n, 0);
  for (const auto& rows : p.indices)
    for (auto i : rows) {
      REQUIRE(i < n);
      ++seen[i];
    }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
}

}  // namespace

TEST_CASE("iid and contiguous partitions: sizes floor/ceil of n/nodes, every sample once") {
  RandomStream rng(1, 0, purpose_id("test.partition"));
  for (auto p : {partition_iid(103, 10, rng), partition_contiguous(103, 10)}) {
    check_exact_cover(p, 103);
    for (const auto& rows : p.indices) CHECK((rows.size() == 10 || rows.size() == 11));
  }
  // n * 10 / nodes cut points: blocks [0,10) [10,20) [20,30) [30,41) ...
  CHECK(partition_contiguous(103, 10).indices[3].front() == 30);
  CHECK(partition_contiguous(103, 10).indices[3].size() == 11);
}

TEST_CASE("partitions are deterministic for a seed") {
  const Dataset data = labelled(500, 10);
  RandomStream a(5, 0, purpose_id("partition")), b(5, 0, purpose_id("partition"));
  CHECK(partition_dirichlet(data, 8, 0.3, a).indices == partition_dirichlet(data, 8, 0.3, b).indices);
  CHECK(partition_shards(data, 8, 2, a).indices == partition_shards(data, 8, 2, b).indices);
}

TEST_CASE("sorted-by-label partition: contiguous blocks of the label order") {
  const Dataset data = labelled(100, 10);  // 10 samples per class
  const auto p = partition_sorted_by_label(data, 10);
  check_exact_cover(p, 100);
  const auto r = report(p, data);
  for (std::size_t node = 0; node < 10; ++node) {
    CHECK(r.counts[node] == 10);
    CHECK(r.label_histograms[node][node] == 10);  // node i holds exactly class i
  }
}

TEST_CASE("shards: k shards of n / (nodes k) samples each, at most k classes per node") {
  const Dataset data = labelled(200, 10);
  RandomStream rng(2, 0, purpose_id("test.partition"));
  const auto p = partition_shards(data, 10, 2, rng);
  check_exact_cover(p, 200);
  const auto r = report(p, data);
  for (std::size_t node = 0; node < 10; ++node) {
    CHECK(r.counts[node] == 20);
    CHECK(std::count_if(r.label_histograms[node].begin(), r.label_histograms[node].end(),
                        [](std::size_t c) { return c > 0; }) <= 2);
  }
}

TEST_CASE("Dirichlet: exact cover, large alpha is close to iid, small alpha concentrates labels") {
  const Dataset data = labelled(10000, 10);
  RandomStream rng(3, 0, purpose_id("test.partition"));
  const auto wide = partition_dirichlet(data, 10, 1e4, rng);
  check_exact_cover(wide, 10000);
  // With alpha = 1e4 each proportion is 1/10 with relative stddev ~ 1/sqrt(alpha * nodes) = 0.3%.
  for (const auto& h : report(wide, data).label_histograms)
    for (std::size_t c : h) CHECK(std::abs(double(c) - 100.0) <= 10.0);
  const auto narrow = partition_dirichlet(data, 10, 0.05, rng);
  check_exact_cover(narrow, 10000);
  std::size_t dominant = 0;  // nodes whose largest class holds more than half their samples
  const auto r = report(narrow, data);
  for (std::size_t node = 0; node < 10; ++node)
    if (r.counts[node] && *std::max_element(r.label_histograms[node].begin(), r.label_histograms[node].end()) * 2 > r.counts[node])
      ++dominant;
  CHECK(dominant >= 5);
  CHECK_THROWS_AS(partition_dirichlet(data, 10, 0.0, rng), std::invalid_argument);
}

TEST_CASE("quantity skew: power-law sizes summing to n, at least one sample each") {
  RandomStream rng(4, 0, purpose_id("test.partition"));
  const auto p = partition_quantity_skew(1000, 10, 1.5, rng);
  check_exact_cover(p, 1000);
  auto sizes = report(p, labelled(1000, 2)).counts;
  std::sort(sizes.rbegin(), sizes.rend());
  // Largest / smallest ~ 10^1.5 = 31.6 (rounding on a handful of samples).
  CHECK(double(sizes.front()) / double(sizes.back()) > 20.0);
  CHECK(sizes.back() >= 1);
  const auto flat = partition_quantity_skew(1000, 10, 0.0, rng);
  for (const auto& rows : flat.indices) CHECK(rows.size() == 100);
}

TEST_CASE("partition report formats one line per node") {
  const Dataset data = labelled(4, 2);
  const auto text = format_report(report(partition_contiguous(4, 2), data));
  CHECK(text == "node 0: 2 samples, labels [0:1 1:1]\nnode 1: 2 samples, labels [0:1 1:1]\n");
}
