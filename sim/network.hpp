// Configuration of the simulated network: link latency, per-node NIC
// bandwidth, loss, and which sharing model applies.
//
// A transfer of B bits from node s to node r takes the link latency plus its
// serialization time. Under `fifo` the sender's uplink and the receiver's
// downlink are FIFO queues: a message occupies the uplink for B / up(s), its
// head reaches r's NIC one latency after it started, and it is delivered when
// it has also passed r's downlink (cut-through: a lone message takes
// latency + B / min(up(s), down(r))). Under `fair` every transfer is a flow and
// flows sharing an uplink or a downlink get max-min fair rates, re-solved for
// the affected flows whenever one starts or ends; delivery is at flow
// completion + latency.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "sim/time.hpp"

namespace dlsim {

enum class NetworkModel { fifo, fair };

// Latency of the link u <-> v (symmetric), plus optional per-message jitter.
struct LatencyModel {
  enum class Kind {
    constant,  // every link has `base`
    uniform,   // each link draws once, uniformly in [base, base + spread], from the seed
    table,     // `per_link` entries, `base` for links not listed
  };
  Kind kind = Kind::constant;
  SimTime base = kMillisecond;
  SimTime spread = 0;
  std::map<std::pair<std::uint32_t, std::uint32_t>, SimTime> per_link;  // keys (min, max)
  // Mean of an exponential delay added to each message independently (0 = none).
  SimTime jitter_mean = 0;
  // Links to and from node `hub` (a federated server) have `hub_latency`
  // instead, whatever the kind; kNoHub: no such node.
  static constexpr std::uint32_t kNoHub = 0xFFFFFFFFu;
  std::uint32_t hub = kNoHub;
  SimTime hub_latency = 0;

  // The smallest latency any message can see: the engine's lookahead.
  SimTime minimum() const;
};

// Bandwidth value meaning "infinitely fast": serialization takes no time.
inline constexpr std::int64_t kUnlimitedBandwidth = 0;

struct NetworkConfig {
  NetworkModel model = NetworkModel::fifo;
  LatencyModel latency;
  // Per-node NIC rates in bit/s; an empty vector means unlimited for all nodes,
  // kUnlimitedBandwidth for one node means unlimited for it.
  std::vector<std::int64_t> uplink_bps;
  std::vector<std::int64_t> downlink_bps;
  // Probability that a message is lost in transit (it still uses bandwidth;
  // the receiver counts it as dropped when it would have arrived).
  double loss_probability = 0.0;
};

}  // namespace dlsim
