// The pending-event set: a calendar queue of fixed-width time buckets
// (Brown, "Calendar queues", CACM 1988) with an overflow heap for the far
// future. Buckets are unsorted chunk lists; a bucket is sorted only when it
// becomes the current window, so inserting costs O(1) and the order of
// insertions (which depends on threads) never matters. Private to sim/.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/detail/event_record.hpp"

namespace dlsim::detail {

class EventQueue {
 public:
  // Bucket width: the largest power of two not above max(width_hint, 1) ns.
  explicit EventQueue(SimTime width_hint, int bucket_count_log2 = 10);
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  SimTime bucket_width() const { return SimTime{1} << shift_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Requires event.time >= the start of the last popped window.
  void push(const EventRecord& event);

  // Start time of the first non-empty bucket, or kNever when empty. O(buckets / 64).
  SimTime first_bucket_start() const;

  // Moves the events of the bucket starting at `bucket_start` with time < limit
  // into `out` (appended); later pushes must not precede bucket_start. With
  // target_bits > 0 (targets below 2^target_bits), a large bucket that the
  // limit does not cut arrives grouped by the top 11 of those bits (a counting
  // scatter straight from the chunks, in the copy that happens anyway): the
  // window sort's first radix pass then finds every record in place.
  void pop_bucket(SimTime bucket_start, SimTime limit, std::vector<EventRecord>& out, int target_bits = 0);

  // Calls visit(record) for every pending event (for releasing payloads).
  template <typename Visit>
  void for_each(Visit visit) const;

  // Bytes held by the queue (chunks, ring, overflow), for memory reports.
  std::size_t memory_bytes() const;

 private:
  static constexpr int kChunkRecords = 63;
  struct Chunk {
    Chunk* next;
    std::uint32_t count;
    EventRecord records[kChunkRecords];
  };
  struct Bucket {
    Chunk* head = nullptr;
    Chunk* tail = nullptr;
  };

  void push_to_ring(std::int64_t bucket_number, const EventRecord& event);
  void advance_to(std::int64_t bucket_number);
  Chunk* new_chunk();

  int shift_;
  std::int64_t mask_;
  std::int64_t current_ = 0;  // absolute bucket number (time >> shift_) of the current window
  std::vector<Bucket> ring_;
  std::vector<std::uint64_t> occupied_;  // one bit per ring slot
  std::vector<EventRecord> overflow_;    // min-heap by key: beyond the ring's horizon
  Chunk* free_chunks_ = nullptr;
  std::size_t chunks_allocated_ = 0;
  std::size_t size_ = 0;
};

template <typename Visit>
void EventQueue::for_each(Visit visit) const {
  for (const Bucket& bucket : ring_)
    for (const Chunk* chunk = bucket.head; chunk != nullptr; chunk = chunk->next)
      for (std::uint32_t i = 0; i < chunk->count; ++i) visit(chunk->records[i]);
  for (const EventRecord& event : overflow_) visit(event);
}

}  // namespace dlsim::detail
