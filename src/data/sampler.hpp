// Minibatches for one node: without replacement within an epoch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dlsim {

class RandomStream;

// Holds the node's row indices (its only view of the data set) in the order of
// the current epoch. Every epoch starts with a Fisher-Yates shuffle drawn from
// the node's own stream; then next() hands out consecutive batches, the last
// one of an epoch shorter when batch_size does not divide the node's sample
// count, so every sample is seen exactly once per epoch. Memory: 4 bytes per
// sample; next() allocates nothing.
class MinibatchSampler {
 public:
  // Requires batch_size >= 1. An empty index list yields empty batches.
  MinibatchSampler(std::vector<std::uint32_t> indices, std::size_t batch_size);

  // The next batch; valid until the following call.
  std::span<const std::uint32_t> next(RandomStream& rng);
  // Completed epochs (0 during the first).
  std::uint64_t epoch() const { return epoch_; }
  std::size_t size() const { return order_.size(); }
  std::size_t batch_size() const { return batch_size_; }

 private:
  std::vector<std::uint32_t> order_;
  std::size_t batch_size_;
  std::size_t position_ = 0;
  std::uint64_t epoch_ = 0;
  bool started_ = false;
};

}  // namespace dlsim
