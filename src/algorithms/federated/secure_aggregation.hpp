// Secure aggregation in synchronous federated rounds, modelled by what it
// costs (messages, their sizes, compute, dropouts), not as cryptography:
// Bonawitz, Ivanov, Kreuter, Marcedone, McMahan, Patel, Ramage, Segal,
// Seth, "Practical secure aggregation for privacy-preserving machine
// learning", CCS 2017 (protocol "secagg": every client masks with every
// other), and SecAgg+ of Bell, Bonawitz, Gascon, Lepoint, Raykova, "Secure
// single-server aggregation with (poly)logarithmic overhead", CCS 2020
// (protocol "secagg+": each client masks with k = O(log n) neighbours of a
// Harary graph over the cohort).
//
// The rounds of the honest-but-curious protocol, on the simulated network:
//   0 advertise  server -> client: 64 (round: "you are in");
//                client -> server: 2 public keys (c_pk, s_pk), 2 key_bits.
//   1 share      server -> client: its m neighbours' keys, 64 + 2 m key_bits;
//                client -> server: m encrypted shares (of s_sk and b_u) for
//                its neighbours, each 2 share_bits + 64 (the two 32-bit
//                ids) + 128 (authenticated encryption's tag).
//   2 masked     server -> client: the model, plus the m encrypted shares
//                addressed to it (same size); client -> server: the update
//                with its payload masked in the ring Z_{2^ring_bits}:
//                ring_bits per value instead of the codec's 64 (fp64);
//                header, sample count and steps as before.
//   3 unmask     server -> survivor: 64 + a bitmap of the n clients of round
//                1 (who survived); survivor -> server: one share (share_bits
//                + 32 id) per neighbour that took part in round 1.
// m = n - 1 (secagg) or k (secagg+), n the clients that answered round 0.
// The round is abandoned (counted) when fewer than t clients answer a round
// (t: threshold, a count, or a fraction of the selected clients rounded up).
// The model does not change: the server gets the exact sum of the
// survivors' updates (fixed-point encoding with enough headroom assumed;
// the fp64 arithmetic of the plain mean is kept, so a run without drops is
// bit for bit the plain one).
//
// Compute, in flops (constants stated in secure_aggregation.cpp): a client
// generates its 2 key pairs in round 0, agrees m keys and Shamir-shares 2
// secrets into m shares (degree t - 1) in round 1, and before its upload
// agrees m keys and expands m + 1 masks of d values with a PRG; the server,
// before aggregating, reconstructs one secret per round-1 client from t
// shares (Lagrange, t^2 field multiplications), expands the self mask of
// each survivor and, for each dropped client v, agrees a key with and
// expands the pairwise mask of each surviving neighbour of v:
// O(n d + dropped n d) for secagg, O(n d + dropped k d) for secagg+.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/node.hpp"

namespace dlsim {

enum class SecureAggregationProtocol { none, secagg, secagg_plus };

struct SecureAggregationConfig {
  SecureAggregationProtocol protocol = SecureAggregationProtocol::none;
  double threshold = 0.5;          // t: >= 1 a whole count, in (0, 1) a fraction of the selected clients
  std::uint32_t key_bits = 256;    // a public key (X25519-sized, as in Bonawitz et al.)
  std::uint32_t share_bits = 256;  // a Shamir share: an element of a 256-bit field
  std::uint32_t ring_bits = 32;    // b: masked values live in Z_{2^b}
  // secagg+: k neighbours; 0: the smallest even k >= neighbourhood_factor log2 n.
  std::uint32_t neighbours = 0;
  double neighbourhood_factor = 3.0;
  bool active() const { return protocol != SecureAggregationProtocol::none; }
};

std::string_view protocol_name(SecureAggregationProtocol protocol);
// "none", "secagg", "secagg+"; std::invalid_argument listing them otherwise.
SecureAggregationProtocol parse_protocol(std::string_view name);
// std::invalid_argument naming the field for a bad value.
void validate(const SecureAggregationConfig& config);

enum class SecureAggregationPhase : std::uint32_t { advertise = 0, share = 1, unmask = 3 };

// The sizes and costs of one round, for n clients in round 0.
class SecureAggregationPlan {
 public:
  SecureAggregationPlan(const SecureAggregationConfig& config, std::uint32_t selected, std::uint32_t n,
                        std::size_t dimension);

  // m: the neighbours of every client (n - 1, or k < n - 1 for secagg+).
  std::uint32_t neighbours() const { return neighbours_; }
  // t, the survivors every round needs (at least 1).
  std::uint32_t threshold() const { return threshold_; }
  // Whether clients at positions a and b (of the n, in client-id order) mask with each other.
  bool adjacent(std::uint32_t a, std::uint32_t b) const;

  std::int64_t advertise_request_bits() const { return 64; }
  std::int64_t advertise_reply_bits() const;
  std::int64_t share_request_bits() const;
  std::int64_t share_reply_bits() const;
  // Added to the model message: the shares addressed to the client.
  std::int64_t forwarded_share_bits() const { return share_reply_bits(); }
  // The upload's payload (d values, and SCAFFOLD's control delta when `control`).
  std::int64_t masked_payload_bits(bool control) const;
  std::int64_t unmask_request_bits() const { return 64 + static_cast<std::int64_t>(n_); }
  // A survivor with `participating` neighbours among the round-1 clients.
  std::int64_t unmask_reply_bits(std::uint32_t participating) const;

  ComputeCost advertise_cost() const;
  ComputeCost share_cost() const;
  ComputeCost masking_cost(bool control) const;
  // `members`: positions (among the n) of the round-1 clients; `survived`:
  // whether each member's masked input was kept.
  ComputeCost reconstruction_cost(const std::vector<std::uint32_t>& members, const std::vector<bool>& survived,
                                  bool control) const;

 private:
  SecureAggregationConfig config_;
  std::uint32_t n_ = 0;
  std::size_t d_ = 0;
  std::uint32_t neighbours_ = 0;
  std::uint32_t threshold_ = 1;
  std::uint32_t share_threshold_ = 1;  // shares needed per secret
};

// t for a cohort of `selected`, from the threshold key (at least 1).
std::uint32_t survivors_needed(double threshold, std::uint32_t selected);

}  // namespace dlsim
