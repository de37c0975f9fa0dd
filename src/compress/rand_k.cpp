// Rand-k: Floyd's sampling (Bentley and Floyd, CACM 1987) into a bitset, then
// the set bits in order: k draws and d/64 word scans instead of a d-long shuffle.
#include "compress/rand_k.hpp"

#include <fmt/format.h>

#include "compress/detail/util.hpp"

namespace dlsim {

RandK::RandK(std::size_t count, double ratio, bool scaled, bool shared_seed, IndexCoding coding)
    : count_(count), ratio_(ratio), scaled_(scaled), shared_seed_(shared_seed), coding_(coding) {
  if (count == 0 && !(ratio > 0.0 && ratio <= 1.0))
    throw std::invalid_argument("rand-k: ratio must be in (0, 1] when k is not given");
}

std::string RandK::name() const {
  return fmt::format("rand-k({}={}, scaled={}, shared_seed={}, index={})", count_ ? "k" : "ratio",
                     count_ ? double(count_) : ratio_, scaled_, shared_seed_, to_string(coding_));
}

CompressorTraits RandK::traits(std::size_t d) const {
  const double q = d ? double(detail::resolve_k(count_, ratio_, d)) / double(d) : 1.0;
  return {scaled_ ? 2.0 - 1.0 / q : q, scaled_, false};
}

void RandK::compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const {
  const std::size_t d = x.size();
  const std::size_t k = detail::resolve_k(count_, ratio_, d);
  detail::reset(out, d);
  out.scratch_words.assign((d + 63) / 64, 0);
  std::uint64_t* chosen = out.scratch_words.data();
  for (std::size_t j = d - k; j < d; ++j) {
    std::size_t t = static_cast<std::size_t>(rng.uniform_int(j + 1));
    if (chosen[t / 64] >> (t % 64) & 1) t = j;
    chosen[t / 64] |= std::uint64_t{1} << (t % 64);
  }
  out.indices.reserve(k);
  out.values.reserve(k);
  for (std::size_t w = 0; w < out.scratch_words.size(); ++w)
    for (std::uint64_t bits = chosen[w]; bits; bits &= bits - 1) {
      const std::size_t i = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
      out.indices.push_back(static_cast<std::uint32_t>(i));
      out.values.push_back(static_cast<float>(x[i]));
    }
  out.wire_bits = 32ull * k + (shared_seed_ ? 0 : index_bits(coding_, out.indices, d));
}

double RandK::decode_factor(const CompressedMessage& message) const {
  return scaled_ && !message.indices.empty() ? double(message.dim) / double(message.indices.size()) : 1.0;
}

void RandK::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "rand-k");
  detail::scatter(message, decode_factor(message), out);
}

void RandK::add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const {
  detail::check_decode(message, target, "rand-k");
  detail::scatter_add(message, decode_factor(message), weight, target);
}

}  // namespace dlsim
