// Where nodes' minibatches come from, for every family of algorithms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "data/dataset.hpp"
#include "sim/node.hpp"
#include "sim/random.hpp"

namespace dlsim {

// Draws `count` fresh samples for `node` from `rng` into `out` (overwritten).
using SampleGenerator = std::function<void(NodeId node, std::size_t count, RandomStream& rng, Dataset& out)>;

// Where a node's minibatches come from: a stored data set shared read-only by
// every node, of which each node holds an index list; or, at very large scale,
// samples generated on demand from the node's own random stream (nothing stored).
struct BatchSource {
  SharedDataset data;
  std::vector<std::vector<std::uint32_t>> partition;  // sample indices per node
  SampleGenerator generate;                           // when set, used instead of data
  // Input dimension of the generated samples (for the compute-cost model).
  std::size_t generated_dim = 0;
};

}  // namespace dlsim
