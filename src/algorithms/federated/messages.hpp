// The messages of federated algorithms and their exact sizes on the wire.
//
// Wire formats (sizes in bits; the model dimension d, the compressor and its
// parameters are fixed by the scenario and known to both ends):
//   model     server -> client: 64 (round) + 64 d (x, fp64) [+ 64 d: SCAFFOLD's c]
//             with a downlink compressor: 64 (round) + 32 (m, the count of
//             server updates that follow) + either (m = 0) 64 d (x, fp64) or
//             the m updates, each the downlink codec's message (its 64-bit
//             header and the compressed update) [+ 64 d: SCAFFOLD's c]
//   update    client -> server: the uplink codec's message (its 64-bit header
//             and y - x, fp64 or compressed) + 64 (sample count and local
//             steps, 32 bits each) [+ 32: its mean local loss, fp32, for
//             power-of-choice sampling] [+ 64 d: SCAFFOLD's c_i^+ - c_i, fp64]
//   probe     server -> client (power-of-choice with probe): the model, as
//             above without a downlink compressor
//   loss      client -> server: 32 (its local loss at the probed x_t, fp32)
//   start     server -> a probed client chosen for the cohort: 64 (the
//             round; the client trains from the x_t of the probe)
//   secure aggregation: see secure_aggregation.hpp (the masked update: the
//             codec's 64-bit header, the masked payload, then as above
//             without the fp64 control delta, which the payload carries)
//   check-in  client -> server: 64 (the client is back after an outage or
//             after it went away: the round whose work it lost, all ones
//             when it does not know)
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/vector_message.hpp"
#include "sim/node.hpp"
#include "sim/time.hpp"

namespace dlsim {

enum FederatedTag : std::uint32_t {
  kFederatedModelTag = 1,
  kFederatedUpdateTag = 2,
  kFederatedCheckInTag = 3,
  kFederatedProbeTag = 4,  // a ModelBroadcast: compute your loss at x_t
  kFederatedLossTag = 5,   // a LossReport
  kFederatedSecureAggregationTag = 6,  // a SecureAggregationStep
};

// The round's model: x_t itself (one body shared by every client that needs
// it), or, with a downlink compressor, the server updates that take the
// model the client holds (that of round `base_round`) to x_t.
struct ModelBroadcast final : MessageBody {
  std::uint64_t round = 0;
  SimTime began = 0;            // when the round began (the simulator's bookkeeping, not on the wire)
  std::shared_ptr<const std::vector<double>> model;  // x_t; null when `updates` carry it
  std::uint64_t base_round = 0;                      // updates: the round of the client's model
  std::vector<std::shared_ptr<const VectorMessage>> updates;  // in round order
  std::shared_ptr<const std::vector<double>> control;  // SCAFFOLD's server control variate c; null otherwise
  bool held = false;  // a start message: the client holds x_t from the probe (64 bits on the wire)
  // Secure aggregation: the client's masking compute before its upload, and
  // the masked payload's size (-1: no secure aggregation). Bookkeeping.
  ComputeCost masking;
  std::int64_t masked_payload_bits = -1;

  // `downlink`: the downlink codec, null when the model travels exactly.
  std::int64_t bits(const VectorCodec* downlink, std::size_t dimension) const;
};

struct ClientUpdate final : MessageBody {
  std::uint64_t round = 0;
  std::uint32_t samples = 0;      // n_i, for weighting by sample count (parameter server: the batch's samples)
  std::uint32_t local_steps = 0;  // steps taken
  std::shared_ptr<const VectorMessage> delta;  // y - x_t (parameter server: the gradient) as the uplink codec encodes it
  std::vector<double> control_delta;           // SCAFFOLD: c_i^+ - c_i; empty otherwise
  bool reports_loss = false;                   // whether `loss` is sent
  float loss = 0;                              // mean loss of the local steps, as sent (fp32)
  std::int64_t masked_payload_bits = -1;       // secure aggregation: the masked payload; -1: none

  std::int64_t bits(const VectorCodec& codec) const;
};

// A secure aggregation round's request from the server (its size is the
// message's) and the client's answer after `cost` of compute.
struct SecureAggregationStep final : MessageBody {
  std::uint64_t round = 0;
  std::uint32_t phase = 0;      // SecureAggregationPhase
  SimTime began = 0;            // when the server round began (bookkeeping)
  std::int64_t reply_bits = 0;  // the answer's size
  ComputeCost cost;
};

inline constexpr std::int64_t kCheckInBits = 64;
inline constexpr std::int64_t kLossReportBits = 32;

// A probed client's local loss at x_t of `round`, over all of its samples.
struct LossReport final : MessageBody {
  std::uint64_t round = 0;  // the simulator's bookkeeping (the server probes one round at a time)
  float loss = 0;
};
inline constexpr std::uint64_t kNoRound = ~std::uint64_t{0};

struct CheckIn final : MessageBody {
  std::uint64_t round = kNoRound;  // the round whose work the client lost
  // After a churn outage: when it began; kNever otherwise. Simulator
  // bookkeeping for the drop counts (synchronous_rounds.hpp), not part of
  // the message's size: the server never acts on it.
  SimTime outage_began = kNever;
};

}  // namespace dlsim
