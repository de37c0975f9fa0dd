// Top-k by selection: nth_element finds the k-th largest magnitude (expected
// linear time) and one ordered pass collects the coordinates above it, so the
// indices come out ascending, as delta coding needs, without sorting.
#include "compress/top_k.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <functional>

#include "compress/detail/util.hpp"

namespace dlsim {

TopK::TopK(std::size_t count, double ratio, IndexCoding coding) : count_(count), ratio_(ratio), coding_(coding) {
  if (count == 0 && !(ratio > 0.0 && ratio <= 1.0))
    throw std::invalid_argument("top-k: ratio must be in (0, 1] when k is not given");
}

std::string TopK::name() const {
  return count_ ? fmt::format("top-k(k={}, index={})", count_, to_string(coding_))
                : fmt::format("top-k(ratio={}, index={})", ratio_, to_string(coding_));
}

CompressorTraits TopK::traits(std::size_t d) const {
  return {d ? double(detail::resolve_k(count_, ratio_, d)) / double(d) : 1.0, false, true};
}

void TopK::compress(std::span<const double> x, RandomStream&, CompressedMessage& out) const {
  const std::size_t d = x.size();
  const std::size_t k = detail::resolve_k(count_, ratio_, d);
  detail::reset(out, d);
  if (k == 0) return;
  out.indices.reserve(k);
  out.values.reserve(k);
  // Magnitudes compared as float: the threshold and the pass below use the same values.
  out.scratch.resize(d);
  float* magnitude = out.scratch.data();
  for (std::size_t i = 0; i < d; ++i) magnitude[i] = std::abs(static_cast<float>(x[i]));
  std::nth_element(magnitude, magnitude + (k - 1), magnitude + d, std::greater<float>());
  const float threshold = magnitude[k - 1];
  // Everything strictly above the threshold is kept (fewer than k of those);
  // ties at the threshold fill the remaining places in index order.
  std::size_t above = 0;
  for (std::size_t i = 0; i < d; ++i) above += std::abs(static_cast<float>(x[i])) > threshold;
  std::size_t ties = k - above;
  for (std::size_t i = 0; i < d; ++i) {
    const float v = static_cast<float>(x[i]);
    const float m = std::abs(v);
    if (m > threshold || (m == threshold && ties > 0)) {
      if (m == threshold) --ties;
      out.indices.push_back(static_cast<std::uint32_t>(i));
      out.values.push_back(v);
    }
  }
  out.wire_bits = 32ull * k + index_bits(coding_, out.indices, d);
}

void TopK::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "top-k");
  detail::scatter(message, 1.0, out);
}

void TopK::add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const {
  detail::check_decode(message, target, "top-k");
  detail::scatter_add(message, 1.0, weight, target);
}

}  // namespace dlsim
