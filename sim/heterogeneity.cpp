// Per-node values from distributions or table files; see heterogeneity.hpp.
#include "sim/heterogeneity.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>

#include "sim/random.hpp"
#include "sim/text.hpp"

namespace dlsim {
namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

}  // namespace

std::vector<double> read_node_table(const std::string& path, std::uint32_t nodes) {
  std::ifstream file(path);
  require(file.good(), fmt::format("{}: cannot open the per-node table", path));
  std::vector<double> values(nodes, 0.0);
  std::vector<bool> seen(nodes, false);
  std::string line;
  std::size_t line_number = 0;
  std::size_t rows = 0;
  while (std::getline(file, line)) {
    ++line_number;
    std::string_view text = trim_blanks(line);
    if (text.empty() || text.front() == '#') continue;
    const std::size_t comma = text.find(',');
    require(comma != std::string_view::npos,
            fmt::format("{}:{}: expected \"node,value\", got \"{}\"", path, line_number, text));
    const std::string_view node_text = trim_blanks(text.substr(0, comma));
    const std::string_view value_text = trim_blanks(text.substr(comma + 1));
    std::uint64_t node = 0;
    const auto node_parse = std::from_chars(node_text.data(), node_text.data() + node_text.size(), node);
    if (node_parse.ec != std::errc() || node_parse.ptr != node_text.data() + node_text.size()) {
      require(rows == 0,
              fmt::format("{}:{}: node id \"{}\" is not a non-negative integer", path, line_number,
                          node_text));
      continue;  // a header row
    }
    double value = 0;
    const auto value_parse =
        std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
    require(value_parse.ec == std::errc() && value_parse.ptr == value_text.data() + value_text.size() &&
                std::isfinite(value) && value >= 0,
            fmt::format("{}:{}: value \"{}\" is not a finite non-negative number", path,
                        line_number, value_text));
    require(node < nodes, fmt::format("{}:{}: node {} is out of range (the run has {} nodes)",
                                      path, line_number, node, nodes));
    require(!seen[node], fmt::format("{}:{}: node {} appears twice", path, line_number, node));
    seen[node] = true;
    values[node] = value;
    ++rows;
  }
  require(rows == nodes, fmt::format("{}: {} of the {} nodes have a value; every node needs one",
                                     path, rows, nodes));
  return values;
}

std::vector<double> sample_per_node(const NodeDistribution& distribution, std::uint32_t nodes,
                                    std::uint64_t seed, std::uint64_t purpose) {
  using Kind = NodeDistribution::Kind;
  std::vector<double> values(nodes, distribution.value);
  switch (distribution.kind) {
    case Kind::constant:
      require(distribution.value >= 0 && std::isfinite(distribution.value),
              "distribution: value must be finite and non-negative");
      break;
    case Kind::uniform:
      require(distribution.low >= 0 && distribution.low <= distribution.high &&
                  std::isfinite(distribution.high),
              fmt::format("distribution: uniform needs 0 <= low <= high, got [{}, {}]",
                          distribution.low, distribution.high));
      for (std::uint32_t node = 0; node < nodes; ++node)
        values[node] = RandomStream(seed, node, purpose).uniform(distribution.low, distribution.high);
      break;
    case Kind::lognormal:
      require(distribution.median > 0 && distribution.sigma >= 0 && std::isfinite(distribution.sigma),
              "distribution: lognormal needs median > 0 and sigma >= 0");
      for (std::uint32_t node = 0; node < nodes; ++node)
        values[node] = distribution.median *
                       std::exp(distribution.sigma * RandomStream(seed, node, purpose).normal());
      break;
    case Kind::two_class: {
      require(distribution.fraction >= 0 && distribution.fraction <= 1,
              fmt::format("distribution: fraction must be in [0, 1], got {}", distribution.fraction));
      require(distribution.factor > 0 && std::isfinite(distribution.factor),
              fmt::format("distribution: factor must be positive, got {}", distribution.factor));
      // An exact count of slow nodes, chosen by one seeded shuffle.
      std::vector<std::uint32_t> order(nodes);
      std::iota(order.begin(), order.end(), 0u);
      RandomStream(seed, 0, purpose, 1).shuffle(std::span<std::uint32_t>(order));
      const auto slow = static_cast<std::size_t>(std::llround(distribution.fraction * nodes));
      for (std::size_t i = 0; i < slow; ++i) values[order[i]] = distribution.value / distribution.factor;
      break;
    }
    case Kind::table:
      values = read_node_table(distribution.table_path, nodes);
      break;
  }
  return values;
}

}  // namespace dlsim
