// Partitioners. Randomness only from the stream passed in, consumed in a fixed order.
#include "data/partition.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "sim/random.hpp"

namespace dlsim {
namespace {

void check_nodes(std::size_t nodes) {
  if (nodes == 0) throw std::invalid_argument("partition: needs at least one node");
}

void check_classes(const Dataset& data, const char* what) {
  if (data.num_classes == 0 || data.classes.size() != data.size())
    throw std::invalid_argument(fmt::format("partition {}: needs a classification data set", what));
}

// Cuts `order` into `parts` contiguous blocks whose sizes differ by at most one.
std::vector<std::vector<std::uint32_t>> cut(const std::vector<std::uint32_t>& order, std::size_t parts) {
  std::vector<std::vector<std::uint32_t>> out(parts);
  const std::size_t n = order.size();
  for (std::size_t p = 0; p < parts; ++p)
    out[p].assign(order.begin() + std::ptrdiff_t(p * n / parts), order.begin() + std::ptrdiff_t((p + 1) * n / parts));
  return out;
}

std::vector<std::uint32_t> identity_order(std::size_t n) {
  if (n > std::size_t{UINT32_MAX}) throw std::invalid_argument("partition: more than 2^32 samples");
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  return order;
}

std::vector<std::uint32_t> sorted_by_class(const Dataset& data) {
  auto order = identity_order(data.size());
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return data.classes[a] < data.classes[b]; });
  return order;
}

void sort_each(Partition& partition) {
  for (auto& rows : partition.indices) std::sort(rows.begin(), rows.end());
}

}  // namespace

Partition partition_contiguous(std::size_t samples, std::size_t nodes) {
  check_nodes(nodes);
  return Partition{cut(identity_order(samples), nodes)};
}

Partition partition_iid(std::size_t samples, std::size_t nodes, RandomStream& rng) {
  check_nodes(nodes);
  auto order = identity_order(samples);
  rng.shuffle(std::span<std::uint32_t>(order));
  Partition partition{cut(order, nodes)};
  sort_each(partition);
  return partition;
}

Partition partition_sorted_by_label(const Dataset& data, std::size_t nodes) {
  check_nodes(nodes);
  check_classes(data, "sorted");
  return Partition{cut(sorted_by_class(data), nodes)};
}

Partition partition_shards(const Dataset& data, std::size_t nodes, std::size_t shards_per_node,
                           RandomStream& rng) {
  check_nodes(nodes);
  check_classes(data, "shards");
  if (shards_per_node == 0) throw std::invalid_argument("partition shards: needs shards_per_node >= 1");
  auto shards = cut(sorted_by_class(data), nodes * shards_per_node);
  auto shard_order = identity_order(shards.size());
  rng.shuffle(std::span<std::uint32_t>(shard_order));
  Partition partition;
  partition.indices.resize(nodes);
  for (std::size_t s = 0; s < shard_order.size(); ++s) {
    auto& rows = partition.indices[s / shards_per_node];
    const auto& shard = shards[shard_order[s]];
    rows.insert(rows.end(), shard.begin(), shard.end());
  }
  sort_each(partition);
  return partition;
}

Partition partition_dirichlet(const Dataset& data, std::size_t nodes, double alpha, RandomStream& rng) {
  check_nodes(nodes);
  check_classes(data, "dirichlet");
  if (!(alpha > 0.0)) throw std::invalid_argument("partition dirichlet: needs alpha > 0");
  std::vector<std::vector<std::uint32_t>> by_class(data.num_classes);
  for (std::uint32_t i = 0; i < data.size(); ++i) by_class[std::size_t(data.classes[i])].push_back(i);
  Partition partition;
  partition.indices.resize(nodes);
  std::vector<double> proportions(nodes);
  for (auto& rows : by_class) {
    rng.shuffle(std::span<std::uint32_t>(rows));
    double sum = 0.0;
    for (double& p : proportions) sum += (p = rng.gamma(alpha));
    // Cut at rounded cumulative proportions: counts sum exactly to the class size.
    double cumulative = 0.0;
    std::size_t begin = 0;
    for (std::size_t node = 0; node < nodes; ++node) {
      cumulative += proportions[node];
      const std::size_t end = node + 1 == nodes || sum <= 0.0
                                  ? rows.size()
                                  : std::min(rows.size(), std::size_t(std::llround(cumulative / sum * double(rows.size()))));
      if (end > begin) {
        partition.indices[node].insert(partition.indices[node].end(), rows.begin() + std::ptrdiff_t(begin),
                                       rows.begin() + std::ptrdiff_t(end));
        begin = end;
      }
    }
  }
  sort_each(partition);
  return partition;
}

Partition partition_quantity_skew(std::size_t samples, std::size_t nodes, double exponent, RandomStream& rng) {
  check_nodes(nodes);
  if (samples < nodes) throw std::invalid_argument("partition quantity-skew: needs at least one sample per node");
  if (!(exponent >= 0.0)) throw std::invalid_argument("partition quantity-skew: needs exponent >= 0");
  auto ranks = identity_order(nodes);
  rng.shuffle(std::span<std::uint32_t>(ranks));
  std::vector<double> weights(nodes);
  double total = 0.0;
  for (std::size_t node = 0; node < nodes; ++node) total += (weights[node] = std::pow(double(ranks[node]) + 1.0, -exponent));
  // One sample each, the rest by largest remainder: the counts sum exactly to `samples`.
  const std::size_t spare = samples - nodes;
  std::vector<std::size_t> counts(nodes, 1);
  std::vector<std::pair<double, std::uint32_t>> remainders(nodes);
  std::size_t assigned = nodes;
  for (std::size_t node = 0; node < nodes; ++node) {
    const double share = weights[node] / total * double(spare);
    counts[node] += std::size_t(share);
    assigned += std::size_t(share);
    remainders[node] = {share - std::floor(share), std::uint32_t(node)};
  }
  std::sort(remainders.begin(), remainders.end(),
            [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  for (std::size_t r = 0; assigned < samples; ++r, ++assigned) ++counts[remainders[r % nodes].second];
  auto order = identity_order(samples);
  rng.shuffle(std::span<std::uint32_t>(order));
  Partition partition;
  partition.indices.resize(nodes);
  std::size_t begin = 0;
  for (std::size_t node = 0; node < nodes; ++node) {
    partition.indices[node].assign(order.begin() + std::ptrdiff_t(begin), order.begin() + std::ptrdiff_t(begin + counts[node]));
    begin += counts[node];
  }
  sort_each(partition);
  return partition;
}

PartitionReport report(const Partition& partition, const Dataset& data) {
  PartitionReport out;
  for (const auto& rows : partition.indices) {
    out.counts.push_back(rows.size());
    if (data.num_classes == 0) continue;
    std::vector<std::size_t> histogram(data.num_classes, 0);
    for (std::uint32_t i : rows) ++histogram[std::size_t(data.classes[i])];
    out.label_histograms.push_back(std::move(histogram));
  }
  return out;
}

std::string format_report(const PartitionReport& report) {
  std::string out;
  for (std::size_t node = 0; node < report.counts.size(); ++node) {
    out += fmt::format("node {}: {} samples", node, report.counts[node]);
    if (node < report.label_histograms.size()) {
      out += ", labels [";
      const auto& h = report.label_histograms[node];
      for (std::size_t c = 0; c < h.size(); ++c) out += fmt::format("{}{}:{}", c ? " " : "", c, h[c]);
      out += "]";
    }
    out += "\n";
  }
  return out;
}

}  // namespace dlsim
