// Byzantine attacks as plain functions: each produces what a Byzantine node
// sends from what it may see (its own honest update; when omniscient, the honest
// vectors of the round). The node behaviour that calls them (later) decides
// when, in simulated time, it has seen those vectors. Randomised attacks draw
// from a counter-based stream handed in, never from a global generator.
// Each function's source file cites its paper.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <span>

#include "robust/aggregator.hpp"
#include "sim/random.hpp"

namespace dlsim {

// Honest statistics the omniscient attacks use: per-coordinate mean and
// population standard deviation (1/n), summed in input order.
Eigen::VectorXd honest_mean(std::span<const VectorView> honest);
Eigen::VectorXd honest_std(std::span<const VectorView> honest);

// --- attack_basic.cpp ---
// Gaussian noise: each coordinate N(mean, stddev^2).
Eigen::VectorXd attack_gaussian(std::size_t d, double mean, double stddev, RandomStream& rng);
// Sign flip: -s * own (s = 1 is the plain flip).
Eigen::VectorXd attack_sign_flip(VectorView own, double s);
// Scaled negative mean: -c * honest mean.
Eigen::VectorXd attack_negative_mean(std::span<const VectorView> honest, double c);
// IPM, inner-product manipulation (Xie, Koyejo, Gupta, "Fall of empires:
// breaking Byzantine-tolerant SGD by inner product manipulation", UAI 2020):
// -epsilon * honest mean. Small epsilon (0.1) defeats the median and Krum;
// large epsilon (> 1) reverses the mean's direction.
Eigen::VectorXd attack_ipm(std::span<const VectorView> honest, double epsilon);
// Label flipping (data poisoning): a Byzantine node trains honestly on
// label -> classes - 1 - label. Requires 0 <= label < classes.
std::int64_t flip_label(std::int64_t label, std::int64_t classes);

// --- attack_bit_flip.cpp ---
// Flips each of the 64 bits of every fp64 value independently with probability
// p, in place (a faulty or malicious link). Draws the gaps between flipped bits
// (geometric), so the cost is proportional to the flips; p = 0 draws nothing.
void flip_bits(std::span<double> payload, double p, RandomStream& rng);

// --- attack_alie.cpp ---
// ALIE, "a little is enough" (Baruch, Baruch, Goldberg, NeurIPS 2019):
// mean - z * std per coordinate with z = Phi^{-1}((n - s) / n),
// s = floor(n/2 + 1) - f: the largest shift that s honest workers still "outvote".
double alie_z(std::size_t n, std::size_t f);
Eigen::VectorXd attack_alie(std::span<const VectorView> honest, double z);
// The standard normal quantile Phi^{-1}(p), 0 < p < 1 (Acklam's approximation
// refined by one Halley step: about 1e-15 relative error).
double normal_quantile(double p);

// --- attack_min_max.cpp ---
// Min-max and min-sum (Shejwalkar & Houmansadr, "Manipulating the Byzantine:
// optimizing model poisoning attacks and defenses for federated learning",
// NDSS 2021): mean + gamma * p with p a perturbation direction and gamma the
// largest value (binary search from gamma_init down to `tolerance`) such that
//   min-max: max_i ||m - x_i|| <= max_{i,j} ||x_i - x_j||,
//   min-sum: sum_i ||m - x_i||^2 <= max_j sum_i ||x_j - x_i||^2.
// gamma = 0 (the mean) always satisfies both, so the result always does.
enum class PerturbationDirection { inverse_std, inverse_unit_mean, inverse_sign };
enum class MinMaxObjective { min_max, min_sum };
struct MinMaxResult {
  Eigen::VectorXd vector;
  double gamma;
};
MinMaxResult attack_min_max(std::span<const VectorView> honest, MinMaxObjective objective,
                            PerturbationDirection direction, double gamma_init = 10.0, double tolerance = 1e-5);

// --- attack_mimic.cpp ---
// Mimic (Karimireddy, He, Jaggi, "Byzantine-robust learning on heterogeneous
// datasets via bucketing", ICLR 2022, section 4): every attacker copies one
// honest worker, the one with the largest |projection| of its centred vector on
// the top principal direction of the honest vectors (power iteration from the
// centred vector of largest norm). Returns the index of that worker; ties: lowest.
std::size_t mimic_target(std::span<const VectorView> honest, std::size_t iterations = 100);
Eigen::VectorXd attack_mimic(std::span<const VectorView> honest, std::size_t iterations = 100);

// --- attack_dissensus.cpp ---
// Dissensus (He, Karimireddy, Jaggi, "Byzantine-robust decentralized learning
// via ClippedGossip", 2022, eq. (6)): what the Byzantine neighbours of honest
// node i send it so that gossip pushes i away from its honest neighbours:
//   x_i - epsilon * sum_{j honest} w_ij (x_j - x_i) / sum_{k Byzantine} w_ik,
// target = x_i, neighbours = the x_j with their weights w_ij, byzantine_weight =
// the total gossip weight of i's Byzantine neighbours (> 0).
Eigen::VectorXd attack_dissensus(VectorView target, std::span<const VectorView> honest_neighbours,
                                 std::span<const double> honest_weights, double byzantine_weight, double epsilon);

}  // namespace dlsim
