// Compression operators with exact wire sizes.
//
// Design note. A compressor turns a vector x (the sender's doubles) into a
// CompressedMessage: what would travel on the wire, held in structured form (indices,
// fp32 values, packed sign bits, quantisation levels, 16-bit words, one scale).
// decode() rebuilds exactly what the receiver would reconstruct from those
// fields, and CompressedMessage::bits() is the length of the bit string that encodes
// them. The bit string itself is never materialised: its length is counted
// from the fields (e.g. Elias-gamma code lengths from the index gaps), which is
// exact and much cheaper than packing.
//
// Wire conventions, common to all operators:
//   - The dimension d and the operator's parameters (k, s, rank, coding, ...)
//     are fixed by the scenario and known to both ends: they are not sent.
//   - Real numbers travel as IEEE fp32 (32 bits): decode() returns the values
//     rounded to float, exactly what the receiver gets.
//   - Any per-message header is listed with each operator (e.g. one fp32 norm,
//     or a 32-bit count when the number of entries varies).
//
// Contraction (Koloskova, Stich, Jaggi, "Decentralized stochastic optimization
// and gossip algorithms with compressed communication", ICML 2019, CHOCO-SGD):
// E ||C(x) - x||^2 <= (1 - delta) ||x||^2 for all x. traits() states delta for
// the operator as configured; delta <= 0 means it is not a contraction as it
// is (an unbiased operator with variance omega has 1 - delta = omega; divide it
// by (1 + omega) to get a contraction with delta = 1 / (1 + omega)).
//
// Threads: a Compressor is immutable and shared; a CompressedMessage belongs to one
// sender at a time. Reusing a CompressedMessage makes compress() allocation-free once its
// buffers have grown (scratch space lives in the CompressedMessage too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dlsim {

class RandomStream;

struct CompressedMessage {
  std::size_t dim = 0;                 // d, known to the receiver (not sent)
  std::vector<std::uint32_t> indices;  // sparse operators: ascending coordinates
  std::vector<float> values;           // fp32 payload (sparse values, dense values, P and Q)
  std::vector<std::uint64_t> signs;    // packed sign bits, bit i % 64 of word i / 64 (1 = negative)
  std::vector<std::int32_t> levels;    // signed quantisation levels (QSGD, int8)
  std::vector<std::uint16_t> words;    // 16-bit payloads (fp16, bf16, natural compression)
  float scale = 0.0f;                  // the one fp32 header value (norm or scale), where used
  std::uint64_t seed = 0;              // rand-k with a shared seed: regenerates the indices
  std::uint64_t wire_bits = 0;         // exact encoded size

  // Exact size of the encoding on the wire, in bits.
  std::uint64_t bits() const { return wire_bits; }

  // Scratch for compress(); not part of the message, never counted.
  std::vector<float> scratch;
  std::vector<std::uint64_t> scratch_words;
};

struct CompressorTraits {
  double delta = 1.0;          // E||C(x) - x||^2 <= (1 - delta) ||x||^2; may be <= 0
  bool unbiased = false;       // E C(x) = x
  bool deterministic = true;   // draws nothing from the stream
};

class Compressor {
 public:
  virtual ~Compressor() = default;

  // Kind and parameters, e.g. "top-k(ratio=0.01, index=log2d)".
  virtual std::string name() const = 0;
  // Encodes x into `out` (fields overwritten, buffers reused). Draws from `rng`
  // only if !traits().deterministic.
  virtual void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const = 0;
  // The receiver's reconstruction: writes message.dim values into `out`
  // (requires out.size() == message.dim).
  virtual void decode(const CompressedMessage& message, std::span<double> out) const = 0;
  // Contraction and bias for vectors of dimension d.
  virtual CompressorTraits traits(std::size_t d) const = 0;
  // target += weight * decode(message), the receiver's side of a gossip step.
  // Requires target.size() == message.dim. Sparse operators override it to
  // touch only the sent coordinates (O(k)); the default decodes into a
  // temporary (O(d), one allocation). Same values as decode() then an axpy.
  virtual void add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const;

  // Convenience: a fresh message (allocates).
  CompressedMessage compress(std::span<const double> x, RandomStream& rng) const {
    CompressedMessage out;
    compress(x, rng, out);
    return out;
  }
  std::vector<double> decode(const CompressedMessage& message) const {
    std::vector<double> out(message.dim);
    decode(message, out);
    return out;
  }
};

}  // namespace dlsim
