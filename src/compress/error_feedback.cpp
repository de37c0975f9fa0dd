#include "compress/error_feedback.hpp"

#include <algorithm>
#include <stdexcept>

namespace dlsim {

ErrorFeedback::ErrorFeedback(std::shared_ptr<const Compressor> compressor, std::size_t dim)
    : compressor_(std::move(compressor)), memory_(dim, 0.0), decoded_(dim, 0.0) {
  if (!compressor_) throw std::invalid_argument("error feedback: needs a compressor");
}

void ErrorFeedback::compress(std::span<const double> v, RandomStream& rng, CompressedMessage& out) {
  if (v.size() != memory_.size()) throw std::invalid_argument("error feedback: dimension mismatch");
  // memory_ holds p = e + v during the call, then the residual p - C(p).
  for (std::size_t i = 0; i < v.size(); ++i) memory_[i] += v[i];
  compressor_->compress(memory_, rng, out);
  compressor_->decode(out, decoded_);
  for (std::size_t i = 0; i < v.size(); ++i) memory_[i] -= decoded_[i];
}

void ErrorFeedback::reset() {
  std::fill(memory_.begin(), memory_.end(), 0.0);
  std::fill(decoded_.begin(), decoded_.end(), 0.0);
}

}  // namespace dlsim
