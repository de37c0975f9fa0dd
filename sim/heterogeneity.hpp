// Per-node heterogeneity: a value per node (compute speed factor, bandwidth
// multiplier, ...) drawn from a distribution keyed by (seed, node, purpose),
// or read from a per-node table file. The same seed gives the same values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dlsim {

struct NodeDistribution {
  enum class Kind {
    constant,   // every node gets `value`
    uniform,    // uniform in [low, high]
    lognormal,  // median * exp(sigma * N(0, 1))
    two_class,  // exactly round(fraction * n) nodes, chosen at random, get value / factor; the rest value
    table,      // per-node values from a CSV file: "node,value" rows, '#' comments, optional header
  };
  Kind kind = Kind::constant;
  double value = 1.0;
  double low = 1.0, high = 1.0;
  double median = 1.0, sigma = 0.0;
  double fraction = 0.0, factor = 1.0;
  std::string table_path;
};

// One value per node. Throws std::invalid_argument for impossible parameters
// (negative values, fraction outside [0, 1], factor <= 0, low > high) and for a
// table file that is missing, malformed (file:line named) or incomplete.
std::vector<double> sample_per_node(const NodeDistribution& distribution, std::uint32_t nodes,
                                    std::uint64_t seed, std::uint64_t purpose);

// Reads "node,value" rows for nodes 0..nodes-1, each exactly once.
std::vector<double> read_node_table(const std::string& path, std::uint32_t nodes);

}  // namespace dlsim
