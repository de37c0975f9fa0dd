// The default receiver-side accumulation shared by the dense operators.
#include "compress/compressor.hpp"

#include <stdexcept>

namespace dlsim {

void Compressor::add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const {
  if (target.size() != message.dim)
    throw std::invalid_argument(name() + ": add_decoded target has the wrong dimension");
  std::vector<double> decoded(message.dim);
  decode(message, decoded);
  for (std::size_t k = 0; k < decoded.size(); ++k) target[k] += weight * decoded[k];
}

}  // namespace dlsim
