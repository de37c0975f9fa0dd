// Messages that carry one vector (a model, a compressed difference, a
// gradient-tracking pair), encoded exactly as fp64 or by a compressor, with the
// size on the wire that the encoding really needs.
//
// Wire format: a 64-bit header (round number and sender id) and then either
// 64 bits per value (exact fp64, `compression.kind = "none"`) or the
// compressor's encoding (CompressedMessage::bits(), see compress/compressor.hpp),
// followed by the encodings of any further compressed vectors the message
// carries (BEER sends two per round), each counted at its own exact size.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "compress/compressor.hpp"
#include "sim/node.hpp"

namespace dlsim {

struct VectorMessage final : MessageBody {
  std::uint64_t round = 0;
  std::vector<double> exact;     // the values, when sent exactly
  CompressedMessage compressed;  // the encoding, when a compressor is used
  // A full public copy that resynchronises the receiver's copy (CHOCO after
  // missed messages): `exact` holds it at fp64 whatever the compressor.
  bool full_copy = false;
  // More vectors of the same message, encoded by the same compressor (with
  // exact messages they are appended to `exact` instead).
  std::vector<CompressedMessage> further;
};

inline constexpr std::int64_t kVectorMessageHeaderBits = 64;

// Encodes and decodes VectorMessages with one compressor, or exactly.
// Immutable and shared by all nodes.
class VectorCodec {
 public:
  // `compressor` null: exact fp64.
  explicit VectorCodec(std::shared_ptr<const Compressor> compressor = nullptr);

  bool exact() const { return compressor_ == nullptr; }
  const Compressor* compressor() const { return compressor_.get(); }

  // A message for round `round` carrying x (drawing from `rng` if the
  // compressor is random). Compression happens here, so the message is what
  // every receiver will decode.
  std::shared_ptr<VectorMessage> encode(std::uint64_t round, std::span<const double> x, RandomStream& rng) const;
  // target += weight * (the vector the receiver reconstructs). O(k) for sparse encodings.
  void add_decoded(const VectorMessage& message, double weight, std::span<double> target) const;
  // out = the vector the receiver reconstructs.
  void decode(const VectorMessage& message, std::span<double> out) const;
  // A full copy (VectorMessage::full_copy) is read and counted as exact fp64
  // whatever the compressor.
  // Header plus payload (every compressed part), in bits.
  std::int64_t bits(const VectorMessage& message) const;

 private:
  std::shared_ptr<const Compressor> compressor_;
};

}  // namespace dlsim
