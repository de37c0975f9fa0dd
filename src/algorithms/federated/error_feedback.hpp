// Error feedback on a federated link: the sender keeps what compression left
// out and adds it to its next message.
//
// Karimireddy, Rebjock, Stich, Jaggi, "Error feedback fixes SignSGD and other
// gradient compression schemes", ICML 2019 (EF-SGD, Algorithm 2): with
// residual e (0 at first) and the vector v to send,
//   p = e + v;  message = C(p);  e <- p - decode(message).
// So decode(message) + e_new = e_old + v up to the rounding of one
// subtraction per coordinate. The clients use it on the uplink (v their
// update), the server on the downlink (v its model step).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "algorithms/vector_message.hpp"

namespace dlsim {

// Encodes residual + v with `codec` (a compressor, not exact) and leaves the
// new residual in `residual`; an empty residual is zeros and is allocated
// here. Requires v.size() == d and residual empty or of size d. O(d).
std::shared_ptr<VectorMessage> encode_with_error_feedback(const VectorCodec& codec, std::uint64_t round,
                                                          std::span<const double> v, std::vector<double>& residual,
                                                          RandomStream& rng);

// EF21 (Richtarik, Sokolov, Fatkhullin, "EF21: a new, simpler, theoretically
// better, and practically faster error feedback", NeurIPS 2021, Algorithm
// 1): the sender keeps g, its last estimate of what it sends (0 at first),
// and sends only the compressed change,
//   message = C(v - g);  g <- g + decode(message).
// The receiver keeps the same g (the server: the weighted mean of its
// clients' g_i, moved by each message it receives) and uses g, not the
// message, as the value. Unlike EF-SGD nothing is added back later: g
// itself converges to v when v settles. Encodes with `codec` (exact or not);
// `estimate` empty is zeros and is allocated here. O(d).
std::shared_ptr<VectorMessage> encode_ef21(const VectorCodec& codec, std::uint64_t round, std::span<const double> v,
                                           std::vector<double>& estimate, RandomStream& rng);

}  // namespace dlsim
