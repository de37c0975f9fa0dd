// Robust gossip: how an honest node combines its neighbours' models when some
// of them may be Byzantine. Used by gossip and d-psgd (gossip_sgd.hpp) in
// place of the plain average sum_j w_ij x_j.
//
//  - trimmed-mean, median: BRIDGE (Yang & Bajwa, "BRIDGE: Byzantine-resilient
//    decentralized gradient descent", arXiv:1908.08098, 2019; IEEE Trans.
//    Signal Inf. Process. over Networks 2022): per coordinate, the trimmed mean (the b largest and b
//    smallest values dropped) or the median of the neighbourhood's values,
//    the node's own included, unweighted; d-psgd then takes its gradient step.
//  - clipped: ClippedGossip, self-centred clipping (He, Karimireddy, Jaggi,
//    "Byzantine-robust decentralized learning via ClippedGossip", arXiv
//    2202.01545, 2022): x_i <- x_i + sum_j w_ij clip(x_j - x_i, tau_i),
//    clip(v, tau) = v min(1, tau / ||v||). tau_i is clip_radius when it is
//    positive; with clip_radius = 0 it is adaptive, the paper's Theorem-1 radius
//    tau_i = sqrt((1 / delta_i) sum_{j good} w_ij ||x_j - x_i||^2) with the good
//    neighbours (unknown to the node) estimated as all but the b farthest, and
//    delta_i = the sum of the b largest weights w_ij (the most weight b
//    Byzantine neighbours can hold). b = 0 gives tau = infinity: plain gossip.
//    (Our reading of the paper's rule; the authors' code tunes it per run.)
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "robust/aggregator.hpp"
#include "sim/node.hpp"

namespace dlsim {

enum class RobustGossipKind { none, trimmed_mean, median, clipped };

struct RobustGossipConfig {
  RobustGossipKind kind = RobustGossipKind::none;
  std::size_t trim = 0;      // b: trimmed per side; clipped: Byzantine neighbours assumed by the adaptive radius
  double clip_radius = 0.0;  // clipped: fixed tau (> 0), or 0 for the adaptive radius
};

// "none", "trimmed-mean", "median", "clipped"; std::invalid_argument otherwise.
RobustGossipKind parse_robust_gossip(std::string_view name);
std::string_view robust_gossip_name(RobustGossipKind kind);

// out = the robust combination of `own` (x_i, weight self_weight) and the
// neighbours' vectors (weights w_ij, same order). Requires kind != none, and
// for trimmed-mean neighbours.size() + 1 > 2 trim (std::invalid_argument).
void robust_combine(const RobustGossipConfig& config, double self_weight, std::span<const double> own,
                    std::span<const VectorView> neighbours, std::span<const double> weights, std::span<double> out);

// The adaptive radius of ClippedGossip described above; +infinity when trim = 0.
double adaptive_clip_radius(std::span<const double> own, std::span<const VectorView> neighbours,
                            std::span<const double> weights, std::size_t trim);

// The cost of one robust_combine over `neighbours` neighbours in dimension d,
// charged as a compute task: (deg + 1) d log2(deg + 1) for the sorts of the
// median and trimmed mean, about 8 deg d + deg log2 deg for clipping; every
// vector read once.
ComputeCost robust_combine_cost(const RobustGossipConfig& config, std::size_t neighbours, std::size_t d);

}  // namespace dlsim
