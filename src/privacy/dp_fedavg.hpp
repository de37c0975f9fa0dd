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
#pragma once

#include <limits>
#include <memory>

namespace dlsim {

class PrivacyLedger;

// What the server of synchronous federated rounds does under DP-FedAvg.
struct UserPrivacy {
  bool enabled = false;  // off: the plain aggregation
  double clip_norm = std::numeric_limits<double>::infinity();  // C (> 0; infinity: no clipping)
  double noise_multiplier = 0.0;  // sigma; the noise's standard deviation is sigma C
  double expected_cohort = 1.0;   // q N, the fixed denominator (> 0)
  // Where the rounds are recorded for the accountant (one entry: the
  // population); null: not accounted (no noise).
  std::shared_ptr<PrivacyLedger> ledger;
};

}  // namespace dlsim
