// The server side of downlink compression, shared by the synchronous and
// asynchronous servers (synchronous_rounds.hpp, Downlink, says why).
//
// Each server step s_t (round or version t) is compressed (with error
// feedback, s_t + e), the server's model moves by what it sends, x_{t+1} =
// x_t + decode(C(.)), and the message is kept. A client that was last sent
// the model of step s gets the messages of steps s..t-1 and adds them to the
// x_s it kept, bit for bit the server's x_t; one never sent a model, one that
// checked in since (forget()), or one whose messages would cost more than x_t
// itself (64 d bits) gets x_t. Only the newest messages whose sizes add up to
// at most 64 d bits are kept, and per client the step it was last sent.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "algorithms/federated/messages.hpp"
#include "algorithms/vector_message.hpp"
#include "sim/node.hpp"

namespace dlsim {

class RandomStream;

class DownlinkHistory {
 public:
  // `codec` (the downlink's) outlives this.
  DownlinkHistory(const VectorCodec& codec, std::uint32_t clients, bool error_feedback);

  // x <- x + decode(C(step [+ e])) for step `round`, as every client will add
  // it; the message is kept. `step` is the server's step s_t (O(d)).
  void apply(std::uint64_t round, std::span<const double> step, std::vector<double>& x, RandomStream& rng);
  // Records that `client` is sent the model of step `round`; when the kept
  // messages take the model it was last sent to it, sets the broadcast's
  // base_round and updates and returns true, else returns false (the
  // broadcast must carry x_t).
  bool add_missed(NodeId client, std::uint64_t round, ModelBroadcast& broadcast);
  // The client may have lost its model (it checked in after an outage).
  void forget(NodeId client) { sent_[client] = kNoModel; }
  // Per client: the step it was last sent.
  static constexpr std::size_t idle_client_bytes() { return sizeof(std::uint64_t); }

 private:
  static constexpr std::uint64_t kNoModel = ~std::uint64_t{0};
  struct Sent {
    std::uint64_t round;
    std::shared_ptr<const VectorMessage> message;
    std::int64_t bits;
  };

  const VectorCodec& codec_;
  bool error_feedback_;
  std::vector<Sent> history_;       // oldest first, complete from step start_ on
  std::uint64_t start_ = 0;
  std::int64_t bits_ = 0;           // of history_
  std::vector<std::uint64_t> sent_;  // per client (kNoModel: none)
  std::vector<double> residual_;    // error feedback's e
};

}  // namespace dlsim
