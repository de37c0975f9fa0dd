// DP-FedAvg's server aggregation (McMahan, Ramage, Talwar, Zhang, ICLR 2018):
// the clipped, noised sum of the kept updates over the expected cohort. See
// privacy/dp_fedavg.hpp for the mechanism and what the accountant charges.
//
// The server clips each update as it decodes it, so the bound C holds for
// what enters the sum whatever the uplink codec, error feedback or worker
// momentum made of it (a compressed update's decoded norm can exceed its
// client's). The noise comes from the stream (seed, round, "fed.dp_noise"),
// drawn in coordinate order: the result is a pure function of the round.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "algorithms/federated/aggregation.hpp"
#include "privacy/dp_fedavg.hpp"
#include "sim/engine.hpp"

namespace dlsim {

class RandomStream;

// out = (sum_i clip(Delta_i, C) + N(0, sigma^2 C^2 I)) / expected_cohort,
// the Delta_i decoded by `codec` and summed in the order of `updates` (the
// caller sorts them by client id; their KeptUpdate weights are ignored:
// every client counts once), or with privacy.client_weights, (sum_i w_i
// clip(Delta_i, C) + N(0, sigma^2 w_max^2 C^2 I)) / weighted_denominator. `updates` may be empty (a round whose Poisson cohort was
// empty still releases its noise). `scratch` is resized to out.size().
// Returns the number of updates that were clipped (norm above C). O(n d).
std::size_t private_aggregate(std::span<const KeptUpdate> updates, const VectorCodec& codec,
                              const UserPrivacy& privacy, RandomStream& noise, std::span<double> out,
                              std::vector<double>& scratch);

// Its simulated cost on the server: per update a decode, a norm, a scale and
// an add (4 d flops, reading the update and the sum), and d normal draws
// (about 20 flops each) when sigma > 0.
// Adaptive clipping's next C (privacy/dp_fedavg.hpp): `within` of
// `received` updates had norm at most `clip_norm`; the count noise is
// sigma_b N(0, 1), one draw from `noise`. O(1).
double next_clip_norm(double clip_norm, std::size_t within, std::size_t received, const UserPrivacy& privacy,
                      RandomStream& noise);

ComputeCost private_aggregation_cost(std::size_t updates, std::size_t dimension, const UserPrivacy& privacy);

}  // namespace dlsim
