// Error feedback on federated links; see error_feedback.hpp.
#include "algorithms/federated/error_feedback.hpp"

#include <stdexcept>

namespace dlsim {

std::shared_ptr<VectorMessage> encode_with_error_feedback(const VectorCodec& codec, std::uint64_t round,
                                                          std::span<const double> v, std::vector<double>& residual,
                                                          RandomStream& rng) {
  if (codec.exact()) throw std::invalid_argument("error feedback needs a compressor");
  if (residual.empty()) residual.assign(v.size(), 0.0);
  if (residual.size() != v.size()) throw std::invalid_argument("error feedback: the residual has the wrong dimension");
  // p = e + v; the residual buffer then takes what the receiver decodes, then p - decoded.
  std::vector<double> corrected(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) corrected[k] = residual[k] + v[k];
  std::shared_ptr<VectorMessage> message = codec.encode(round, corrected, rng);
  codec.decode(*message, residual);
  for (std::size_t k = 0; k < v.size(); ++k) residual[k] = corrected[k] - residual[k];
  return message;
}

std::shared_ptr<VectorMessage> encode_ef21(const VectorCodec& codec, std::uint64_t round, std::span<const double> v,
                                           std::vector<double>& estimate, RandomStream& rng) {
  if (estimate.empty()) estimate.assign(v.size(), 0.0);
  if (estimate.size() != v.size()) throw std::invalid_argument("EF21: the estimate has the wrong dimension");
  std::vector<double> change(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) change[k] = v[k] - estimate[k];
  std::shared_ptr<VectorMessage> message = codec.encode(round, change, rng);
  // As the server will: g + decode(message), by the same additions.
  codec.add_decoded(*message, 1.0, estimate);
  return message;
}

}  // namespace dlsim
