// algorithm.gamma = "auto": the consensus step size of CHOCO and the Q-gossip
// baselines, chosen by short trial runs. The best gamma depends on the
// compressor's delta and the graph's spectral gap in ways the theory bounds
// only loosely (Koloskova, Stich, Jaggi, ICML 2019, Theorem 2 gives
// gamma ~ delta^2 rho / 82), so the CHOCO papers tune it on a grid; this does
// the same, on a prefix of the run, with the scenario's own seed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "scenario/experiment_builder.hpp"

namespace dlsim {

struct GammaTrial {
  double gamma = 0;
  double figure = 0;  // the criterion after the trial's rounds (infinity if it diverged or stalled)
};

struct GammaChoice {
  double gamma = 1;
  std::uint64_t rounds = 0;
  std::string criterion;  // what was compared: "consensus_distance"
  std::vector<GammaTrial> trials;
  bool interrupted = false;  // the wall-clock deadline passed: the choice is incomplete
};

// The candidates, largest first.
const std::vector<double>& gamma_candidates();

// Runs `rounds` rounds of the experiment with each candidate and returns the
// one with the smallest consensus distance among those whose loss stayed
// finite (ties: the larger gamma). gamma only sets how fast the nodes agree,
// so that is what is compared, for learning algorithms too: their loss after
// a short prefix mostly reflects the optimisation so far and is too noisy to
// rank gammas. A trial that stalls (see algorithms/decentralized/stall.hpp)
// scores infinity. Deterministic; costs candidates x rounds rounds. Stops
// early, `interrupted`, once `wall_deadline` has passed.
GammaChoice tune_gamma(const Experiment& experiment, std::uint64_t rounds,
                       std::chrono::steady_clock::time_point wall_deadline = std::chrono::steady_clock::time_point::max());

}  // namespace dlsim
