// Per-round message lists; see round_inbox.hpp.
#include "algorithms/decentralized/round_inbox.hpp"

#include <fmt/core.h>

#include <stdexcept>
#include <utility>

namespace dlsim {

std::vector<ReceivedMessage>& RoundInbox::slot(std::uint64_t round) { return slots_[round % slots_.size()]; }

void RoundInbox::grow(std::size_t slots) {
  // Re-seat the pending rounds: their slot index depends on the ring size.
  std::vector<std::vector<ReceivedMessage>> grown(slots);
  for (std::uint64_t round = round_; round < round_ + slots_.size(); ++round)
    grown[round % slots] = std::move(slots_[round % slots_.size()]);
  slots_ = std::move(grown);
}

void RoundInbox::add(std::uint64_t round, ReceivedMessage message) {
  if (round < round_)
    throw std::logic_error(fmt::format("a round-{} message from {} arrived in round {}", round, message.from, round_));
  const std::uint64_t lead = round - round_;
  if (lead > kMaxLead)
    throw std::logic_error(fmt::format("a round-{} message from {} arrived in round {}: more than {} rounds ahead",
                                       round, message.from, round_, kMaxLead));
  if (lead >= slots_.size()) {
    std::size_t slots = slots_.size();
    while (slots <= lead) slots *= 2;
    grow(slots);
  }
  slot(round).push_back(std::move(message));
}

std::vector<ReceivedMessage>& RoundInbox::current() { return slot(round_); }
const std::vector<ReceivedMessage>& RoundInbox::current() const { return slots_[round_ % slots_.size()]; }

std::size_t RoundInbox::count(std::uint64_t round) const {
  if (round < round_ || round - round_ >= slots_.size()) return 0;
  return slots_[round % slots_.size()].size();
}

void RoundInbox::advance() {
  slot(round_).clear();  // keeps its capacity for round round_ + slots
  ++round_;
}

}  // namespace dlsim
