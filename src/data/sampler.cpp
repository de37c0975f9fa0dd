#include "data/sampler.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/random.hpp"

namespace dlsim {

MinibatchSampler::MinibatchSampler(std::vector<std::uint32_t> indices, std::size_t batch_size)
    : order_(std::move(indices)), batch_size_(batch_size) {
  if (batch_size == 0) throw std::invalid_argument("sampler: batch size must be >= 1");
}

std::span<const std::uint32_t> MinibatchSampler::next(RandomStream& rng) {
  if (order_.empty()) return {};
  // Shuffle lazily at the start of each epoch, so the stream is consumed only
  // when batches are actually drawn.
  if (!started_ || position_ == order_.size()) {
    if (started_) ++epoch_;
    started_ = true;
    position_ = 0;
    rng.shuffle(std::span<std::uint32_t>(order_));
  }
  const std::size_t count = std::min(batch_size_, order_.size() - position_);
  std::span<const std::uint32_t> batch(order_.data() + position_, count);
  position_ += count;
  return batch;
}

}  // namespace dlsim
