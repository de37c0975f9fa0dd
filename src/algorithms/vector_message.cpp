#include "algorithms/vector_message.hpp"

#include <Eigen/Core>

#include <algorithm>

namespace dlsim {

VectorCodec::VectorCodec(std::shared_ptr<const Compressor> compressor) : compressor_(std::move(compressor)) {}

std::shared_ptr<VectorMessage> VectorCodec::encode(std::uint64_t round, std::span<const double> x,
                                                   RandomStream& rng) const {
  auto message = std::make_shared<VectorMessage>();
  message->round = round;
  if (compressor_) {
    compressor_->compress(x, rng, message->compressed);
    // Scratch buffers are the sender's, not part of what is kept in flight.
    message->compressed.scratch = {};
    message->compressed.scratch_words = {};
  } else {
    message->exact.assign(x.begin(), x.end());
  }
  return message;
}

void VectorCodec::add_decoded(const VectorMessage& message, double weight, std::span<double> target) const {
  if (compressor_ && !message.full_copy) {
    compressor_->add_decoded(message.compressed, weight, target);
    return;
  }
  // Eigen's packets: GCC's -O2 leaves a loop of unknown length scalar. Element
  // by element the same multiply and add.
  const auto n = static_cast<Eigen::Index>(target.size());
  Eigen::Map<Eigen::VectorXd>(target.data(), n) += weight * Eigen::Map<const Eigen::VectorXd>(message.exact.data(), n);
}

void VectorCodec::decode(const VectorMessage& message, std::span<double> out) const {
  if (compressor_ && !message.full_copy) {
    compressor_->decode(message.compressed, out);
    return;
  }
  std::copy(message.exact.begin(), message.exact.end(), out.begin());
}

std::int64_t VectorCodec::bits(const VectorMessage& message) const {
  const bool compressed = compressor_ && !message.full_copy;
  std::int64_t payload = compressed ? static_cast<std::int64_t>(message.compressed.bits())
                                    : 64 * static_cast<std::int64_t>(message.exact.size());
  if (compressed)
    for (const CompressedMessage& part : message.further) payload += static_cast<std::int64_t>(part.bits());
  return kVectorMessageHeaderBits + payload;
}

}  // namespace dlsim
