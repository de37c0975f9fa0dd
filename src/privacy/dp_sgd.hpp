// Sample-level differentially private gradients: DP-SGD (Abadi, Chu,
// Fellow, McMahan, Mironov, Talwar, Zhang, "Deep learning with differential
// privacy", CCS 2016, Algorithm 1).
//
// One step: Poisson-sample a batch (each of the node's samples independently
// with probability q), clip every sample's gradient to norm C, sum, add
// N(0, sigma^2 C^2 I), and divide by the expected batch size q n (not by the
// realised size, which would leak it). The usual optimiser step follows. The
// accountant (privacy/renyi_accountant.hpp) charges each such step as one
// sampled Gaussian mechanism with rate q and noise multiplier sigma.
//
// A sample's gradient is the model's loss_and_gradient on a batch of that one
// sample, so it works for every model (the MLP's is a per-sample backprop);
// it includes the model's own L2 term, which is data-independent and is
// clipped with the rest. Noise comes from a stream the caller keys by (seed,
// node, step): the result is a pure function of it, whatever the thread.
#pragma once

#include <cstdint>
#include <algorithm>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "models/model.hpp"

namespace dlsim {

class RandomStream;

struct DpSgdParameters {
  // C; infinity: no clipping (then the gradient is the plain batched one).
  double clip_norm = std::numeric_limits<double>::infinity();
  double noise_multiplier = 0.0;  // sigma; the noise's standard deviation is sigma C
};

// v <- v min(1, C / ||v||): vectors of norm at most C are left untouched (bit
// for bit), longer ones rescaled to norm C. Returns the factor applied (1 when
// untouched). Requires C > 0 (infinity allowed). O(size).
double clip_to_norm(std::span<double> v, double clip_norm);

// v[k] += stddev * z_k with z_k ~ N(0, 1) drawn from `rng` in coordinate
// order; nothing drawn when stddev == 0. O(size).
void add_gaussian_noise(std::span<double> v, double stddev, RandomStream& rng);

// Poisson sampling: each element of `pool` kept independently with
// probability q (one uniform draw each, in pool order), into `out`
// (overwritten, in pool order). O(pool size).
void poisson_sample(std::span<const std::uint32_t> pool, double q, RandomStream& rng,
                    std::vector<std::uint32_t>& out);

// Scratch memory for private_loss_and_gradient; one per thread or task.
struct DpSgdWorkspace {
  std::vector<double> sample_gradient;
  std::vector<std::uint32_t> single;
};

// The DP-SGD gradient at x over `batch`, into `gradient` (size dimension()):
//   (1 / expected_batch_size) [sum_j clip(grad f_j(x), C) + N(0, sigma^2 C^2 I)]
// Returns the mean loss over the batch (0 for an empty batch). With C =
// infinity (and sigma = 0) this is exactly model.loss_and_gradient over the
// batch, bit for bit. Requires expected_batch_size > 0 when C is finite.
// Cost: one model call per sample plus 4 d per sample (clip and sum); see
// private_gradient_flops.
double private_loss_and_gradient(const Model& model, std::span<const double> x, const Dataset& data, Batch batch,
                                 double expected_batch_size, std::span<double> gradient,
                                 ModelWorkspace& model_workspace, DpSgdWorkspace& workspace,
                                 const DpSgdParameters& parameters, RandomStream& noise);

// Extra floating-point operations that per-sample clipping and the noise add to
// a plain minibatch gradient of `samples` samples in dimension d: a norm, a
// scale and an add per sample (4 d each), and d normal draws (about 20 flops
// each, Box-Muller). 0 when C is infinite.
double private_gradient_flops(double samples, double dimension, const DpSgdParameters& parameters);

}  // namespace dlsim

namespace dlsim {

class PrivacyLedger;

// How an algorithm's nodes compute their gradients under sample-level DP.
struct SamplePrivacy {
  bool enabled = false;  // off: plain minibatch gradients
  DpSgdParameters parameters;
  // true: each step's batch is a Poisson sample of the node's data at rate
  // q_i = min(1, batch_size / n_i) (what the accountant assumes); false: the
  // algorithm's usual fixed-size batches (no accounting then).
  bool poisson = true;
  // Where steps are recorded for the accountant; null: not accounted.
  std::shared_ptr<PrivacyLedger> ledger;
};

// q_i = min(1, batch_size / samples) for a node holding `samples` > 0 samples.
inline double poisson_sampling_rate(std::size_t batch_size, std::size_t samples) {
  return std::min(1.0, static_cast<double>(batch_size) / static_cast<double>(samples));
}

}  // namespace dlsim
