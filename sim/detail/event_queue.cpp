// Calendar queue with chunked buckets; see event_queue.hpp.
#include "sim/detail/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace dlsim::detail {
namespace {

// The overflow heap is a min-heap: std heap functions build max-heaps.
bool later(const EventRecord& a, const EventRecord& b) { return key_less(b, a); }

// Appends [begin, end) to `out` with one memmove: EventBuffer's insert would
// copy record by record through its allocator.
void append(EventBuffer& out, const EventRecord* begin, const EventRecord* end) {
  const std::size_t at = out.size();
  out.resize(at + static_cast<std::size_t>(end - begin));
  std::copy(begin, end, out.data() + at);
}

}  // namespace

EventQueue::EventQueue(SimTime width_hint, int bucket_count_log2) {
  const SimTime hint = std::max<SimTime>(width_hint, 1);
  shift_ = 63 - std::countl_zero(static_cast<std::uint64_t>(hint));
  const std::int64_t bucket_count = std::int64_t{1} << bucket_count_log2;
  mask_ = bucket_count - 1;
  ring_.resize(static_cast<std::size_t>(bucket_count));
  occupied_.assign(static_cast<std::size_t>((bucket_count + 63) / 64), 0);
}

EventQueue::~EventQueue() {
  for (Bucket& bucket : ring_) {
    while (bucket.head != nullptr) {
      Chunk* next = bucket.head->next;
      delete bucket.head;
      bucket.head = next;
    }
  }
  while (free_chunks_ != nullptr) {
    Chunk* next = free_chunks_->next;
    delete free_chunks_;
    free_chunks_ = next;
  }
}

EventQueue::Chunk* EventQueue::allocate_chunk() {
  ++chunks_allocated_;
  Chunk* chunk = new Chunk;
  chunk->next = nullptr;
  chunk->count = 0;
  return chunk;
}

void EventQueue::push_to_overflow(const EventRecord& event) {
  overflow_.push_back(event);
  std::push_heap(overflow_.begin(), overflow_.end(), later);
}

SimTime EventQueue::first_bucket_start() const {
  if (size_ == 0) return kNever;
  const std::size_t slots = ring_.size();
  const std::size_t start = static_cast<std::size_t>(current_ & mask_);
  // Scan the occupancy bitmap cyclically from the current slot.
  for (std::size_t scanned = 0; scanned < slots;) {
    const std::size_t slot = (start + scanned) % slots;
    const std::uint64_t word = occupied_[slot / 64] >> (slot % 64);
    if (word != 0) {
      const std::size_t found = scanned + static_cast<std::size_t>(std::countr_zero(word));
      if (found < slots) return (current_ + static_cast<std::int64_t>(found)) << shift_;
      break;
    }
    scanned += 64 - slot % 64;
  }
  // The ring is empty: the next events are in the overflow heap.
  return (overflow_.front().time >> shift_) << shift_;
}

void EventQueue::advance_to(std::int64_t bucket_number) {
  assert(bucket_number >= current_);
  current_ = bucket_number;
  // Events that the moving horizon now covers leave the overflow heap.
  while (!overflow_.empty() && (overflow_.front().time >> shift_) <= current_ + mask_) {
    std::pop_heap(overflow_.begin(), overflow_.end(), later);
    const EventRecord event = overflow_.back();
    overflow_.pop_back();
    push_to_ring(event.time >> shift_, event);
  }
}

EventQueue::PoppedOrder EventQueue::pop_bucket(SimTime bucket_start, SimTime limit,
                                               EventBuffer& out, int target_bits) {
  const std::int64_t bucket_number = bucket_start >> shift_;
  advance_to(bucket_number);
  const std::size_t slot = static_cast<std::size_t>(bucket_number & mask_);
  Bucket& bucket = ring_[slot];
  Chunk* chunk = bucket.head;
  bucket.head = bucket.tail = nullptr;
  occupied_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
  const std::size_t first = out.size();
  // Exactly the room the bucket needs: growing by doubling would hold the old
  // and the new buffer at once, up to three times the window.
  std::size_t records = 0;
  for (const Chunk* counted = chunk; counted != nullptr; counted = counted->next) records += counted->count;
  if (out.capacity() < first + records) {
    EventBuffer room;
    room.reserve(first + records);
    append(room, out.data(), out.data() + out.size());
    out.swap(room);
  }
  const bool whole_bucket = limit >= bucket_start + bucket_width();
  if (target_bits > 0 && records <= kSmallBucketLimit && whole_bucket) {
    pop_ready_to_run(chunk, records, out);
    size_ -= records;
    return PoppedOrder::each_node_in_key_order;
  }
  if (target_bits > 0 && records >= 256 && whole_bucket) {
    constexpr int kBits = 11;
    const int low = std::max(0, target_bits - kBits);
    const std::uint32_t mask = (1u << (target_bits - low)) - 1;
    std::vector<std::uint32_t>& starts = digit_starts_;
    starts.assign(std::size_t{mask} + 2, 0);
    for (const Chunk* counted = chunk; counted != nullptr; counted = counted->next)
      for (std::uint32_t i = 0; i < counted->count; ++i) ++starts[((counted->records[i].target >> low) & mask) + 1];
    for (std::size_t digit = 0; digit + 1 < starts.size(); ++digit) starts[digit + 1] += starts[digit];
    out.resize(first + records);
    EventRecord* base = out.data() + first;
    while (chunk != nullptr) {
      for (std::uint32_t i = 0; i < chunk->count; ++i)
        base[starts[(chunk->records[i].target >> low) & mask]++] = chunk->records[i];
      Chunk* next = chunk->next;
      chunk->next = free_chunks_;
      free_chunks_ = chunk;
      chunk = next;
    }
    size_ -= records;
    return PoppedOrder::grouped;
  }
  while (chunk != nullptr) {
    append(out, chunk->records, chunk->records + chunk->count);
    Chunk* next = chunk->next;
    chunk->next = free_chunks_;
    free_chunks_ = chunk;
    chunk = next;
  }
  size_ -= out.size() - first;
  if (limit < bucket_start + bucket_width()) {
    // The caller's horizon cuts the bucket: put back what lies beyond it.
    auto beyond = std::partition(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                                 [limit](const EventRecord& event) { return event.time < limit; });
    for (auto it = beyond; it != out.end(); ++it) {
      push_to_ring(bucket_number, *it);
      ++size_;
    }
    out.erase(beyond, out.end());
  }
  return PoppedOrder::as_pushed;
}

void EventQueue::pop_ready_to_run(Chunk* chunk, std::size_t count, EventBuffer& out) {
  // At 10^2 pending PHOLD events a bucket holds about six events, mostly for
  // six different nodes: the order of different nodes' events within a
  // window does not matter (no event of one reaches another inside it), so
  // such a window runs as popped. Only when a node has several events does
  // it need them in key order: then an insertion sort by (target, key),
  // whose compares on random targets are mispredicted branches (sorting
  // every small window took 13% of PHOLD's time at 10^2 pending events,
  // this pop 8%).
  const std::size_t first = out.size();
  out.resize(first + count);
  EventRecord* window = out.data() + first;
  // Record by record: a few records, where a memmove call per chunk costs more.
  EventRecord* to = window;
  for (const Chunk* from = chunk; from != nullptr; from = from->next)
    for (std::uint32_t i = 0; i < from->count; ++i) *to++ = from->records[i];
  // Whether the targets differ, by a set of their low 8 bits (256 bits in
  // four words, no branch per event): the pairwise check cost up to 120
  // compares. Two targets alike in those bits only (possible above 256
  // nodes) take the sort, which gives a valid order too.
  std::uint64_t seen[4] = {0, 0, 0, 0};
  std::uint64_t repeated = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t low_bits = window[i].target & 255u;
    const std::uint64_t bit = std::uint64_t{1} << (low_bits % 64);
    repeated |= seen[low_bits / 64] & bit;
    seen[low_bits / 64] |= bit;
  }
  if (repeated != 0) {
    for (std::size_t next = 1; next < count; ++next) {
      const EventRecord event = window[next];
      std::size_t hole = next;
      for (; hole > 0 && target_then_key_less(event, window[hole - 1]); --hole) window[hole] = window[hole - 1];
      window[hole] = event;
    }
  }
  while (chunk != nullptr) {
    Chunk* next = chunk->next;
    chunk->next = free_chunks_;
    free_chunks_ = chunk;
    chunk = next;
  }
}

std::size_t EventQueue::memory_bytes() const {
  return chunks_allocated_ * sizeof(Chunk) + ring_.capacity() * sizeof(Bucket) +
         occupied_.capacity() * sizeof(std::uint64_t) +
         overflow_.capacity() * sizeof(EventRecord) + digit_starts_.capacity() * sizeof(std::uint32_t);
}

}  // namespace dlsim::detail
