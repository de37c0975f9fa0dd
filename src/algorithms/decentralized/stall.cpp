// Stalled runs; see stall.hpp.
#include "algorithms/decentralized/stall.hpp"

#include <fmt/core.h>

#include <vector>

namespace dlsim {

bool no_progress_possible(const Engine& engine, const LearningBehaviour& algorithm) {
  for (NodeId node = 0; node < engine.node_count(); ++node)
    if (engine.will_rejoin(node) && algorithm.resumes_on_rejoin(node)) return false;
  return true;
}

std::string stall_message(const Engine& engine, const LearningBehaviour& algorithm) {
  // A handful of clauses keeps the message one readable line at any scale;
  // the blocking nodes come first, so the cause is among them.
  constexpr std::size_t kClauses = 4;
  const std::vector<std::string> waits = algorithm.waits(engine);
  std::string text = fmt::format("no node can make progress any more at t = {:.6g} s", to_seconds(engine.stats().last_event_time));
  for (std::size_t i = 0; i < std::min(waits.size(), kClauses); ++i) text += (i == 0 ? ": " : "; ") + waits[i];
  if (waits.size() > kClauses) text += fmt::format(" (and {} more nodes)", waits.size() - kClauses);
  return text;
}

}  // namespace dlsim
