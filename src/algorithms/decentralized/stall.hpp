// Deciding that a run is stalled, and saying why, in the style of a
// simulator's deadlock report (SimGrid lists the actors still blocked and on
// what). The engine reports RunOutcome::idle when nothing but churn and crash
// events is pending; the run is then stalled unless some node that will come
// back from an outage resumes its work on rejoining. A run whose queue is
// empty before its last round is stalled outright.
#pragma once

#include <string>

#include "algorithms/learning_behaviour.hpp"
#include "sim/engine.hpp"

namespace dlsim {

// After RunOutcome::idle: true when no node that will rejoin resumes on
// rejoining, so nothing can ever happen again but churn.
bool no_progress_possible(const Engine& engine, const LearningBehaviour& algorithm);

// One line for a stalled run: the simulated time and the first few clauses of
// algorithm.waits(), e.g. "no node can make progress any more at t = 0.52 s:
// node 3 crashed in round 5; node 2 waits for round-5 messages from 3 (and 13
// more nodes)".
std::string stall_message(const Engine& engine, const LearningBehaviour& algorithm);

}  // namespace dlsim
