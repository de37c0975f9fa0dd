// Error feedback (Karimireddy, Rebjock, Stich, Jaggi, "Error feedback fixes
// SignSGD and other gradient compression schemes", ICML 2019; Stich, Cordonnier,
// Jaggi, "Sparsified SGD with memory", NeurIPS 2018).
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "compress/compressor.hpp"

namespace dlsim {

// Wraps any compressor with a memory e (initially 0) of what it has not yet
// transmitted:  p = e + v;  message = C(p);  e = p - decode(message).
// The caller passes the scaled update v (e.g. gamma * gradient), applies
// decoded() locally and sends the message. With a delta-contraction C, the
// memory stays bounded and the iterates converge as for the uncompressed method.
// State: one vector of the dimension (plus the decoded update); one wrapper per
// sender and stream of updates.
class ErrorFeedback {
 public:
  ErrorFeedback(std::shared_ptr<const Compressor> compressor, std::size_t dim);

  // Compresses e + v into `out` and keeps the residual. Requires v.size() == dim().
  void compress(std::span<const double> v, RandomStream& rng, CompressedMessage& out);
  // What the receiver reconstructs from the last message (C(e + v)).
  std::span<const double> decoded() const { return decoded_; }
  // The memory e after the last call.
  std::span<const double> memory() const { return memory_; }
  void reset();
  std::size_t dim() const { return memory_.size(); }
  const Compressor& compressor() const { return *compressor_; }

 private:
  std::shared_ptr<const Compressor> compressor_;
  std::vector<double> memory_;
  std::vector<double> decoded_;
};

}  // namespace dlsim
