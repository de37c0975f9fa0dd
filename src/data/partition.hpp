// Partitions of a data set's samples across n nodes. Each node gets a list of
// row indices (ascending within a node unless stated); every sample goes to
// exactly one node. All partitions are deterministic functions of their inputs
// and the RandomStream they are given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace dlsim {

class RandomStream;

// indices[node] = the rows that node holds.
struct Partition {
  std::vector<std::vector<std::uint32_t>> indices;
  std::size_t nodes() const { return indices.size(); }
};

// Node i gets rows [i * n / nodes, (i + 1) * n / nodes): sizes differ by at most one.
// Pairs with the synthetic generators' groups. Requires nodes >= 1.
Partition partition_contiguous(std::size_t samples, std::size_t nodes);
// A uniformly random permutation cut into contiguous near-equal blocks.
Partition partition_iid(std::size_t samples, std::size_t nodes, RandomStream& rng);
// Samples sorted by class (stable: ties by index), cut into contiguous
// near-equal blocks: most nodes see one or two classes (CHOCO-SGD, Koloskova et
// al., ICML 2019). Requires a classification set.
Partition partition_sorted_by_label(const Dataset& data, std::size_t nodes);
// Samples sorted by class, cut into nodes * shards_per_node near-equal shards,
// each node receiving shards_per_node shards drawn at random (FedAvg, McMahan
// et al., AISTATS 2017). Requires a classification set.
Partition partition_shards(const Dataset& data, std::size_t nodes, std::size_t shards_per_node,
                           RandomStream& rng);
// For every class, proportions over nodes ~ Dirichlet(alpha, ..., alpha), and
// the class's shuffled samples are cut by those proportions (Hsu, Qi, Brown,
// arXiv:1909.06335, 2019). Small alpha: few classes per node, some nodes may be
// empty; alpha -> infinity: iid. Requires alpha > 0 and a classification set.
Partition partition_dirichlet(const Dataset& data, std::size_t nodes, double alpha, RandomStream& rng);
// Quantity skew: node sizes proportional to (rank + 1)^(-exponent) over a
// random ranking of nodes, every node at least one sample; samples themselves
// assigned iid. exponent = 0 is iid. Requires samples >= nodes, exponent >= 0.
Partition partition_quantity_skew(std::size_t samples, std::size_t nodes, double exponent,
                                  RandomStream& rng);

// What a partition gives each node: sample counts and (for classification)
// label histograms[node][class].
struct PartitionReport {
  std::vector<std::size_t> counts;
  std::vector<std::vector<std::size_t>> label_histograms;
};
PartitionReport report(const Partition& partition, const Dataset& data);
// A human-readable table, one line per node: "node 3: 1875 samples, labels [0:12 1:0 ...]".
std::string format_report(const PartitionReport& report);

}  // namespace dlsim
