// Latency lookups shared by the engine and its tests.
#include "sim/network.hpp"

#include <algorithm>

namespace dlsim {

SimTime LatencyModel::minimum() const {
  SimTime smallest = base;
  if (kind == Kind::table)
    for (const auto& [link, latency] : per_link) smallest = std::min(smallest, latency);
  if (hub != kNoHub) smallest = std::min(smallest, hub_latency);
  return smallest;
}

}  // namespace dlsim
