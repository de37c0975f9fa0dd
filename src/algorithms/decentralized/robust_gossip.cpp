// Robust gossip (BRIDGE, ClippedGossip); see robust_gossip.hpp.
#include "algorithms/decentralized/robust_gossip.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "robust/coordinate_wise.hpp"

namespace dlsim {

RobustGossipKind parse_robust_gossip(std::string_view name) {
  if (name == "none") return RobustGossipKind::none;
  if (name == "trimmed-mean") return RobustGossipKind::trimmed_mean;
  if (name == "median") return RobustGossipKind::median;
  if (name == "clipped") return RobustGossipKind::clipped;
  throw std::invalid_argument(
      fmt::format("unknown robust gossip \"{}\" (one of: none, trimmed-mean, median, clipped)", name));
}

std::string_view robust_gossip_name(RobustGossipKind kind) {
  switch (kind) {
    case RobustGossipKind::none: return "none";
    case RobustGossipKind::trimmed_mean: return "trimmed-mean";
    case RobustGossipKind::median: return "median";
    case RobustGossipKind::clipped: return "clipped";
  }
  return "none";
}

double adaptive_clip_radius(std::span<const double> own, std::span<const VectorView> neighbours,
                            std::span<const double> weights, std::size_t trim) {
  if (trim == 0) return std::numeric_limits<double>::infinity();
  const std::size_t deg = neighbours.size();
  std::vector<double> distance(deg);
  for (std::size_t j = 0; j < deg; ++j) distance[j] = robust_detail::squared_distance(neighbours[j], own);
  // Keep all but the `trim` farthest (ties: the higher index is dropped first).
  std::vector<std::size_t> order(deg);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return distance[a] < distance[b]; });
  const std::size_t kept = deg > trim ? deg - trim : 0;
  double sum = 0;
  for (std::size_t k = 0; k < kept; ++k) sum += weights[order[k]] * distance[order[k]];
  std::vector<double> largest(weights.begin(), weights.end());
  std::sort(largest.begin(), largest.end(), std::greater<>());
  double delta = 0;
  for (std::size_t k = 0; k < std::min(trim, deg); ++k) delta += largest[k];
  if (!(delta > 0)) return std::numeric_limits<double>::infinity();
  return std::sqrt(sum / delta);
}

void robust_combine(const RobustGossipConfig& config, double self_weight, std::span<const double> own,
                    std::span<const VectorView> neighbours, std::span<const double> weights, std::span<double> out) {
  const std::size_t d = own.size();
  switch (config.kind) {
    case RobustGossipKind::trimmed_mean:
    case RobustGossipKind::median: {
      std::vector<VectorView> inputs;
      inputs.reserve(neighbours.size() + 1);
      inputs.push_back(own);
      inputs.insert(inputs.end(), neighbours.begin(), neighbours.end());
      Eigen::VectorXd combined;
      if (config.kind == RobustGossipKind::median) {
        combined = CoordinateMedian().aggregate(inputs);
      } else {
        const TrimmedMean trimmed(static_cast<std::int64_t>(config.trim), 0.0);
        trimmed.check_inputs(inputs.size());
        combined = trimmed.aggregate(inputs);
      }
      std::copy(combined.data(), combined.data() + d, out.begin());
      return;
    }
    case RobustGossipKind::clipped: {
      const double tau = config.clip_radius > 0 ? config.clip_radius
                                                : adaptive_clip_radius(own, neighbours, weights, config.trim);
      std::copy(own.begin(), own.end(), out.begin());
      std::vector<double> difference(d);
      for (std::size_t j = 0; j < neighbours.size(); ++j) {
        double norm2 = 0;
        for (std::size_t k = 0; k < d; ++k) {
          difference[k] = neighbours[j][k] - own[k];
          norm2 += difference[k] * difference[k];
        }
        const double norm = std::sqrt(norm2);
        // min(1, tau / ||v||); a NaN or infinite neighbour is clipped to nothing.
        double factor = 1.0;
        if (!std::isfinite(norm)) factor = 0.0;
        else if (norm > tau) factor = tau / norm;
        if (factor == 0.0) continue;  // 0 * NaN would still be NaN
        const double scale = weights[j] * factor;
        for (std::size_t k = 0; k < d; ++k) out[k] += scale * difference[k];
      }
      (void)self_weight;  // implied: w_ii = 1 - sum_j w_ij
      return;
    }
    case RobustGossipKind::none: break;
  }
  throw std::logic_error("robust_combine: no robust gossip chosen");
}

ComputeCost robust_combine_cost(const RobustGossipConfig& config, std::size_t neighbours, std::size_t d) {
  const double n = static_cast<double>(neighbours + 1), deg = static_cast<double>(neighbours);
  const double dim = static_cast<double>(d);
  double flops = 0;
  switch (config.kind) {
    case RobustGossipKind::none: return {};
    case RobustGossipKind::median: flops = CoordinateMedian().cost_flops(neighbours + 1, d); break;
    case RobustGossipKind::trimmed_mean:
      flops = dim * (robust_detail::n_log_n(neighbours + 1) + n);
      break;
    case RobustGossipKind::clipped:
      flops = 8.0 * deg * dim + robust_detail::n_log_n(std::max<std::size_t>(neighbours, 1));
      break;
  }
  return ComputeCost{flops, 8.0 * n * dim};
}

}  // namespace dlsim
