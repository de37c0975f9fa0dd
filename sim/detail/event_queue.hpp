// The pending-event set: a calendar queue of fixed-width time buckets
// (Brown, "Calendar queues", CACM 1988) with an overflow heap for the far
// future. Buckets are unsorted chunk lists; a bucket is sorted only when it
// becomes the current window, so inserting costs O(1) and the order of
// insertions (which depends on threads) never matters. Private to sim/.
#pragma once

#include <cassert>
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
  // window sort's first radix pass then finds every record in place; and a
  // bucket of at most kSmallBucketLimit events arrives ready to run: each
  // target's events adjacent and in key order (as popped when no two
  // targets share their low 8 bits, else sorted by (target, key)), so that
  // the window needs no sort.
  enum class PoppedOrder {
    as_pushed,  // no particular order
    grouped,    // grouped by the top 11 bits of target_bits (ascending)
    each_node_in_key_order,  // each target's events adjacent, in key order: ready to run
  };
  // Returns how the popped events are arranged.
  PoppedOrder pop_bucket(SimTime bucket_start, SimTime limit, EventBuffer& out, int target_bits = 0);

  // Calls visit(record) for every pending event (for releasing payloads).
  template <typename Visit>
  void for_each(Visit visit) const;

  // Buckets up to this many events are popped ready to run (pop_bucket).
  static constexpr std::size_t kSmallBucketLimit = 16;

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
  void push_to_overflow(const EventRecord& event);
  void advance_to(std::int64_t bucket_number);
  void pop_ready_to_run(Chunk* chunk, std::size_t count, EventBuffer& out);  // count: the chunks' records
  Chunk* new_chunk();
  Chunk* allocate_chunk();

  int shift_;
  std::int64_t mask_;
  std::int64_t current_ = 0;  // absolute bucket number (time >> shift_) of the current window
  std::vector<Bucket> ring_;
  std::vector<std::uint64_t> occupied_;  // one bit per ring slot
  std::vector<EventRecord> overflow_;    // min-heap by key: beyond the ring's horizon
  std::vector<std::uint32_t> digit_starts_;  // pop_bucket's grouping counts, kept between windows
  Chunk* free_chunks_ = nullptr;
  std::size_t chunks_allocated_ = 0;
  std::size_t size_ = 0;
};

// push and what it calls on every event are inline: the engine builds an
// event and pushes it in one function, without a call per event.
inline EventQueue::Chunk* EventQueue::new_chunk() {
  Chunk* chunk = free_chunks_;
  if (chunk == nullptr) return allocate_chunk();
  free_chunks_ = chunk->next;
  chunk->next = nullptr;
  chunk->count = 0;
  return chunk;
}

inline void EventQueue::push_to_ring(std::int64_t bucket_number, const EventRecord& event) {
  const std::size_t slot = static_cast<std::size_t>(bucket_number & mask_);
  Bucket& bucket = ring_[slot];
  if (bucket.tail == nullptr) {
    bucket.head = bucket.tail = new_chunk();
    occupied_[slot / 64] |= std::uint64_t{1} << (slot % 64);
  } else if (bucket.tail->count == kChunkRecords) {
    Chunk* chunk = new_chunk();
    bucket.tail->next = chunk;
    bucket.tail = chunk;
  }
  bucket.tail->records[bucket.tail->count++] = event;
}

inline void EventQueue::push(const EventRecord& event) {
  const std::int64_t bucket_number = event.time >> shift_;
  assert(bucket_number >= current_ && "event scheduled before the current window");
  ++size_;
  if (bucket_number <= current_ + mask_) {
    push_to_ring(bucket_number, event);
  } else {
    push_to_overflow(event);
  }
}

template <typename Visit>
void EventQueue::for_each(Visit visit) const {
  for (const Bucket& bucket : ring_)
    for (const Chunk* chunk = bucket.head; chunk != nullptr; chunk = chunk->next)
      for (std::uint32_t i = 0; i < chunk->count; ++i) visit(chunk->records[i]);
  for (const EventRecord& event : overflow_) visit(event);
}

}  // namespace dlsim::detail
