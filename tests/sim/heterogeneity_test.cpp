#include "sim/heterogeneity.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

using namespace dlsim;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = std::string(DLSIM_BINARY_DIR) + "/" + name;
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST_CASE("two-class: exactly the fraction is k times slower") {
  NodeDistribution slow;
  slow.kind = NodeDistribution::Kind::two_class;
  slow.fraction = 0.1;
  slow.factor = 5;
  const auto values = sample_per_node(slow, 1000, 7, 1);
  CHECK(std::count(values.begin(), values.end(), 0.2) == 100);
  CHECK(std::count(values.begin(), values.end(), 1.0) == 900);
  CHECK(values == sample_per_node(slow, 1000, 7, 1));
  CHECK(values != sample_per_node(slow, 1000, 8, 1));
}

TEST_CASE("uniform and lognormal draws have their moments") {
  NodeDistribution uniform;
  uniform.kind = NodeDistribution::Kind::uniform;
  uniform.low = 2;
  uniform.high = 4;
  const auto u = sample_per_node(uniform, 20000, 1, 2);
  double mean = 0;
  for (double x : u) {
    CHECK(x >= 2);
    CHECK(x < 4);
    mean += x / 20000;
  }
  CHECK(mean == Approx(3).epsilon(0.01));

  NodeDistribution lognormal;
  lognormal.kind = NodeDistribution::Kind::lognormal;
  lognormal.median = 2;
  lognormal.sigma = 0.5;
  const auto l = sample_per_node(lognormal, 20000, 1, 3);
  double log_mean = 0;
  for (double x : l) log_mean += std::log(x / 2) / 20000;
  CHECK(std::abs(log_mean) < 5 * 0.5 / std::sqrt(20000.0));
}

TEST_CASE("per-node tables: read, and every malformed case named") {
  const auto good = write_temp("table_good.csv", "node,speed\n# comment\n0,1.5\n2, 3\n1,0.25\n");
  CHECK(read_node_table(good, 3) == std::vector<double>{1.5, 0.25, 3});
  CHECK_THROWS_WITH(read_node_table(good, 4), Catch::Contains("3 of the 4 nodes"));
  CHECK_THROWS_WITH(read_node_table(write_temp("t1.csv", "0,1\n0,2\n"), 2),
                    Catch::Contains("t1.csv:2: node 0 appears twice"));
  CHECK_THROWS_WITH(read_node_table(write_temp("t2.csv", "0,1\n1,abc\n"), 2),
                    Catch::Contains("t2.csv:2: value \"abc\""));
  CHECK_THROWS_WITH(read_node_table(write_temp("t3.csv", "0,1\n7,1\n"), 2),
                    Catch::Contains("t3.csv:2: node 7 is out of range"));
  CHECK_THROWS_WITH(read_node_table(write_temp("t4.csv", "0 1\n"), 1),
                    Catch::Contains("t4.csv:1: expected \"node,value\""));
  CHECK_THROWS_WITH(read_node_table(write_temp("t5.csv", "0,1\nx,2\n"), 2),
                    Catch::Contains("t5.csv:2: node id \"x\""));
  CHECK_THROWS_WITH(read_node_table("/nonexistent/table.csv", 2), Catch::Contains("cannot open"));
}

TEST_CASE("impossible distribution parameters are rejected") {
  NodeDistribution d;
  d.kind = NodeDistribution::Kind::two_class;
  d.fraction = 1.5;
  CHECK_THROWS_WITH(sample_per_node(d, 10, 1, 1), Catch::Contains("fraction"));
  d.fraction = 0.5;
  d.factor = 0;
  CHECK_THROWS_WITH(sample_per_node(d, 10, 1, 1), Catch::Contains("factor"));
  d.kind = NodeDistribution::Kind::uniform;
  d.low = 3;
  d.high = 1;
  CHECK_THROWS_AS(sample_per_node(d, 10, 1, 1), std::invalid_argument);
}
