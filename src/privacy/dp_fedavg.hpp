// User-level differential privacy for federated rounds: DP-FedAvg (McMahan,
// Ramage, Talwar, Zhang, "Learning differentially private recurrent language
// models", ICLR 2018, Algorithm 1 with the fixed-denominator estimator f~_f).
//
// Round t: the cohort is a Poisson sample of the N clients (each
// independently with probability q); the trusted server clips every update
// it received to L2 norm C, sums them in client-id order, adds N(0, sigma^2
// C^2 I) and divides by the expected cohort q N (not by the realised size,
// which would leak it), then its optimiser steps. Adding or removing one
// client changes the sum by at most C, so each round is one sampled Gaussian
// mechanism of rate q and noise multiplier sigma for the accountant
// (renyi_accountant.hpp), composed over the rounds.
//
// Adaptive clipping (Andrew, Thakkar, McMahan, Ramaswamy, "Differentially
// private learning with adaptive clipping", NeurIPS 2021, Algorithm 1): the
// server also releases the noised fraction of updates within C, b =
// (sum_i (b_i - 1/2) + N(0, sigma_b^2)) / (q N) + 1/2 with b_i = [||Delta_i||
// <= C], and moves C geometrically toward the target quantile gamma: C <- C
// exp(-eta_C (b - gamma)). The count has sensitivity 1/2, so the two
// releases together are one Gaussian mechanism of multiplier z = (z_Delta^-2
// + (2 sigma_b)^-2)^-1/2 (their Theorem 1): the accountant charges z, and the
// update's noise is z_Delta = (z^-2 - (2 sigma_b)^-2)^-1/2, which needs
// 2 sigma_b > z.
#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace dlsim {

class PrivacyLedger;

// What the server of synchronous federated rounds does under DP-FedAvg.
struct UserPrivacy {
  bool enabled = false;  // off: the plain aggregation
  double clip_norm = std::numeric_limits<double>::infinity();  // C (> 0; infinity: no clipping)
  double noise_multiplier = 0.0;  // sigma; the noise's standard deviation is sigma C
  double expected_cohort = 1.0;   // q N, the fixed denominator (> 0)
  // Sample weighting (McMahan et al.'s weighted estimator f~_f): client k's
  // clipped update enters the sum times w_k = min(n_k / w_hat, 1), and the sum
  // is divided by q W, W = sum_k w_k over all N clients. Adding or removing a
  // client moves the sum by at most w_max C (w_max = max_k w_k <= 1), so the
  // noise is sigma w_max C and the accountant is unchanged. Empty: every w_k
  // = 1 (W = N, q W = expected_cohort).
  std::vector<double> client_weights;
  double weighted_denominator = 0.0;  // q W with weights (> 0), unused without
  double weight_cap = 0.0;            // w_hat, for summary.json
  double largest_weight = 1.0;        // w_max: the sensitivity is w_max C
  // Adaptive clipping: clip_norm is C_0; noise_multiplier is the z the
  // accountant charges, the update's noise z_Delta (update_noise_multiplier).
  bool adaptive = false;
  double target_quantile = 0.5;     // gamma in [0, 1]
  double clip_learning_rate = 0.2;  // eta_C > 0
  double count_noise = 0.0;         // sigma_b
  double update_noise_multiplier = 0.0;  // z_Delta (= noise_multiplier without adaptive clipping)
  // Where the rounds are recorded for the accountant (one entry: the
  // population); null: not accounted (no noise).
  std::shared_ptr<PrivacyLedger> ledger;
};

// z_Delta = (z^-2 - (2 sigma_b)^-2)^-1/2, the update noise that leaves
// the total at z with count noise sigma_b; 0 when z = 0; nothing when 2
// sigma_b <= z (no update noise would do).
std::optional<double> adaptive_update_noise(double z, double count_noise);

}  // namespace dlsim
