#include "compress/threshold.hpp"

#include <cmath>
#include <fmt/format.h>

#include "compress/detail/util.hpp"

namespace dlsim {

ThresholdSparsifier::ThresholdSparsifier(double threshold, IndexCoding coding)
    : threshold_(threshold), coding_(coding) {
  if (!(threshold >= 0.0)) throw std::invalid_argument("threshold: must be >= 0");
}

std::string ThresholdSparsifier::name() const {
  return fmt::format("threshold(threshold={}, index={})", threshold_, to_string(coding_));
}

void ThresholdSparsifier::compress(std::span<const double> x, RandomStream&, CompressedMessage& out) const {
  detail::reset(out, x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::abs(x[i]) >= threshold_) {
      out.indices.push_back(static_cast<std::uint32_t>(i));
      out.values.push_back(static_cast<float>(x[i]));
    }
  out.wire_bits = 32 + 32ull * out.indices.size() + index_bits(coding_, out.indices, x.size());
}

void ThresholdSparsifier::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "threshold");
  detail::scatter(message, 1.0, out);
}

void ThresholdSparsifier::add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const {
  detail::check_decode(message, target, "threshold");
  detail::scatter_add(message, 1.0, weight, target);
}

}  // namespace dlsim
