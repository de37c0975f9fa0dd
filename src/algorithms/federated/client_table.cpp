// Flat client tables and minibatch walks; see client_table.hpp.
#include "algorithms/federated/client_table.hpp"

#include <algorithm>

#include "sim/random.hpp"

namespace dlsim {

ClientTable::ClientTable(const std::vector<std::vector<std::uint32_t>>& partition) {
  rows_.resize(partition.size());
  std::size_t total = 0;
  for (const auto& part : partition) total += part.size();
  indices_.reserve(total);
  for (std::size_t client = 0; client < partition.size(); ++client) {
    rows_[client].offset = indices_.size();
    rows_[client].samples = static_cast<std::uint32_t>(partition[client].size());
    indices_.insert(indices_.end(), partition[client].begin(), partition[client].end());
  }
}

ClientTable ClientTable::generated(std::uint32_t clients) {
  ClientTable table;
  table.rows_.resize(clients);
  for (Row& row : table.rows_) row.samples = 1;
  return table;
}

std::span<const std::uint32_t> ClientTable::indices(NodeId client) const {
  if (indices_.empty()) return {};
  return std::span<const std::uint32_t>(indices_).subspan(rows_[client].offset, rows_[client].samples);
}

MinibatchWalk::MinibatchWalk(std::uint64_t seed, NodeId client, std::span<const std::uint32_t> indices,
                             std::size_t batch_size, MinibatchCursor cursor)
    : seed_(seed), client_(client), indices_(indices), batch_size_(batch_size), cursor_(cursor) {}

std::uint64_t MinibatchWalk::batches_per_epoch(std::size_t samples, std::size_t batch_size) {
  return (samples + batch_size - 1) / batch_size;
}

void MinibatchWalk::shuffle_epoch() {
  order_.assign(indices_.begin(), indices_.end());
  RandomStream rng(seed_, client_, purpose_id("fed.sampler"), cursor_.epoch);
  rng.shuffle(std::span<std::uint32_t>(order_));
  shuffled_ = true;
}

std::span<const std::uint32_t> MinibatchWalk::next() {
  if (indices_.empty()) return {};
  if (cursor_.position >= indices_.size()) {  // the previous epoch is used up
    ++cursor_.epoch;
    cursor_.position = 0;
    shuffled_ = false;
  }
  if (!shuffled_) shuffle_epoch();
  const std::size_t take = std::min(batch_size_, indices_.size() - cursor_.position);
  const std::span<const std::uint32_t> batch(order_.data() + cursor_.position, take);
  cursor_.position += static_cast<std::uint32_t>(take);
  return batch;
}

}  // namespace dlsim
