// Bounds a run must fit, checked before it starts where the scenario implies
// them (bad input: a ScenarioError naming the key, exit status 2).
//
// The simulated clock is int64 nanoseconds (about 292 years). A gradient at
// the slowest node must fit it, and without stop.time so must the run's
// gradients one after the other at that node, a lower bound on its length
// (both before compute jitter). Evaluations by simulated time
// (metrics.every_time) each cost a pass over the training set, so at most
// kMaxTimedEvaluations of them are allowed: refused up front when stop.time,
// or the lower bound on the run's length (those gradients, or one link
// latency per communication round), implies more; a run that gets there
// anyway fails with too_many_evaluations_message.
#pragma once

#include <cstddef>
#include <string>

#include "scenario/experiment_builder.hpp"
#include "sim/time.hpp"

namespace dlsim {

inline constexpr std::size_t kMaxTimedEvaluations = 1'000'000;

// Throws ScenarioError (naming compute.flops_per_second, compute.bytes_per_second
// or metrics.every_time) for a run that cannot fit.
void check_run_bounds(const Scenario& scenario, const Experiment& experiment);

// Why a run stopped after kMaxTimedEvaluations evaluations, `at` being the next one's time.
std::string too_many_evaluations_message(SimTime every_time, SimTime at);

}  // namespace dlsim
