// Dissensus (He, Karimireddy, Jaggi, "Byzantine-robust decentralized learning
// via ClippedGossip", arXiv:2202.01545, 2022, section 5). See attacks.hpp.
#include <fmt/format.h>
#include <stdexcept>

#include "robust/attacks.hpp"

namespace dlsim {

Eigen::VectorXd attack_dissensus(VectorView target, std::span<const VectorView> honest_neighbours,
                                 std::span<const double> honest_weights, double byzantine_weight, double epsilon) {
  if (honest_neighbours.size() != honest_weights.size())
    throw std::invalid_argument(fmt::format("dissensus: {} weights for {} honest neighbours", honest_weights.size(),
                                            honest_neighbours.size()));
  if (!(byzantine_weight > 0.0))
    throw std::invalid_argument(fmt::format("dissensus: the Byzantine weight must be > 0, got {}", byzantine_weight));
  const auto x = robust_detail::as_eigen(target);
  Eigen::VectorXd pull = Eigen::VectorXd::Zero(x.size());
  for (std::size_t j = 0; j < honest_neighbours.size(); ++j) {
    if (honest_neighbours[j].size() != target.size())
      throw std::invalid_argument(fmt::format("dissensus: neighbour {} has dimension {}, the target {}", j,
                                              honest_neighbours[j].size(), target.size()));
    pull += honest_weights[j] * (robust_detail::as_eigen(honest_neighbours[j]) - x);
  }
  return x - (epsilon / byzantine_weight) * pull;
}

}  // namespace dlsim
