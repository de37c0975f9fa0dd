// The registered clients of a federated run as flat tables.
//
// Design note. A run may register 10^6 clients of which only a cohort trains
// at a time, so an idle client is a row: where its samples lie in one flat
// index array, how many it has, and where its minibatch cursor stands (24
// bytes), beside the engine's per-node NIC rates and speed factor. Model
// buffers exist only while a client trains (LocalJob), and what an algorithm
// remembers across rounds (SCAFFOLD's control variate) only once the client
// has participated. A client visits its samples without replacement, epoch
// by epoch, in an order that is a pure function of (seed, client, epoch):
// nothing is shuffled in place, so no two tasks of one client ever write the
// same memory, and the order needs O(n_i) only while the client trains.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/node.hpp"

namespace dlsim {

// Where a client stands in its passes over its data.
struct MinibatchCursor {
  std::uint32_t epoch = 0;     // passes started
  std::uint32_t position = 0;  // samples of the current pass already used
};

class ClientTable {
 public:
  // One row per part of `partition` (each part a client's sample indices).
  explicit ClientTable(const std::vector<std::vector<std::uint32_t>>& partition);
  // `clients` rows without stored samples (samples generated on demand);
  // each counts as one sample for weighting.
  static ClientTable generated(std::uint32_t clients);

  std::uint32_t size() const { return static_cast<std::uint32_t>(rows_.size()); }
  std::uint32_t samples(NodeId client) const { return rows_[client].samples; }
  // The client's sample indices (empty for generated samples).
  std::span<const std::uint32_t> indices(NodeId client) const;
  // Written only by the client's own events.
  MinibatchCursor& cursor(NodeId client) { return rows_[client].cursor; }
  const MinibatchCursor& cursor(NodeId client) const { return rows_[client].cursor; }
  // Jobs the client has started (it names each job's compute task); written
  // only by the client's own events.
  std::uint32_t& jobs_started(NodeId client) { return rows_[client].jobs; }
  // Bytes of one row (what an idle client costs here).
  static constexpr std::size_t row_bytes() { return sizeof(Row); }

 private:
  ClientTable() = default;
  struct Row {
    std::uint64_t offset = 0;  // into indices_
    std::uint32_t samples = 0;
    MinibatchCursor cursor;
    std::uint32_t jobs = 0;  // in what would be padding
  };
  std::vector<Row> rows_;
  std::vector<std::uint32_t> indices_;
};

// The client's minibatches from a cursor on: batches of `batch_size`
// consecutive samples of the current epoch's order, the last batch of an
// epoch shorter when batch_size does not divide n_i (as MinibatchSampler).
// Epoch e's order is a Fisher-Yates permutation of the indices drawn from the
// stream (seed, client, "fed.sampler", e). Not thread-safe; O(n_i) memory.
class MinibatchWalk {
 public:
  MinibatchWalk(std::uint64_t seed, NodeId client, std::span<const std::uint32_t> indices, std::size_t batch_size,
                MinibatchCursor cursor);
  // The next batch; valid until the following call.
  std::span<const std::uint32_t> next();
  MinibatchCursor cursor() const { return cursor_; }
  // Batches per epoch: ceil(n_i / batch_size).
  static std::uint64_t batches_per_epoch(std::size_t samples, std::size_t batch_size);

 private:
  void shuffle_epoch();

  std::uint64_t seed_;
  NodeId client_;
  std::span<const std::uint32_t> indices_;
  std::size_t batch_size_;
  MinibatchCursor cursor_;
  std::vector<std::uint32_t> order_;
  bool shuffled_ = false;
};

}  // namespace dlsim
