// Max-min fair flow sharing over uplinks and downlinks; see fair_network.hpp.
#include "sim/detail/fair_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dlsim::detail {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

}  // namespace

FairNetwork::FairNetwork(std::vector<std::int64_t> uplink_bps,
                         std::vector<std::int64_t> downlink_bps, std::uint32_t nodes,
                         KeyLayout layout)
    : uplink_bps_(std::move(uplink_bps)), downlink_bps_(std::move(downlink_bps)), layout_(layout) {
  if (uplink_bps_.empty()) uplink_bps_.assign(nodes, 0);
  if (downlink_bps_.empty()) downlink_bps_.assign(nodes, 0);
}

FairNetwork::Resource& FairNetwork::resource(std::uint64_t id) {
  auto [it, inserted] = resources_.try_emplace(id);
  if (inserted) {
    const NodeId node = static_cast<NodeId>(id / 2);
    const std::int64_t rate = (id % 2 == 0) ? uplink_bps_[node] : downlink_bps_[node];
    it->second.capacity_bps = rate > 0 ? static_cast<double>(rate) : kInfinity;
  }
  return it->second;
}

SimTime FairNetwork::next_completion() {
  auto later = [](const Completion& a, const Completion& b) {
    return a.time > b.time || (a.time == b.time && a.order > b.order);
  };
  // Drop entries made stale by a later re-solve.
  while (!completions_.empty()) {
    const Completion& top = completions_.front();
    const Flow& flow = flows_[top.flow];
    if (flow.active && flow.version == top.version) return top.time;
    std::pop_heap(completions_.begin(), completions_.end(), later);
    completions_.pop_back();
  }
  return kNever;
}

void FairNetwork::start_flow(const FlowRequest& request) {
  std::uint32_t id;
  if (!free_flows_.empty()) {
    id = free_flows_.back();
    free_flows_.pop_back();
  } else {
    id = static_cast<std::uint32_t>(flows_.size());
    flows_.emplace_back();
  }
  Flow& flow = flows_[id];
  flow.request = request;
  flow.source = layout_.origin_of(request.delivery.order);
  // The value's sign bit flags an inline word (sim/engine.cpp): not part of the size.
  flow.remaining_bits = static_cast<double>(request.delivery.value & std::numeric_limits<std::int64_t>::max());
  flow.rate_bps = 0;
  flow.last_update = request.delivery.time;
  flow.version = flow.version + 1;
  flow.active = true;
  ++active_;
  const std::uint64_t up = uplink_id(flow.source), down = downlink_id(request.delivery.target);
  resource(up).flows.push_back(id);
  resource(down).flows.push_back(id);
  resolve({up, down}, request.delivery.time);
}

void FairNetwork::complete_flow(std::uint32_t flow_id, SimTime now,
                                std::vector<EventRecord>& deliveries) {
  Flow& flow = flows_[flow_id];
  EventRecord delivery = flow.request.delivery;
  delivery.time = checked_add(now, flow.request.latency, "a message's arrival");
  deliveries.push_back(delivery);
  flow.active = false;
  ++flow.version;
  --active_;
  free_flows_.push_back(flow_id);
  const std::uint64_t up = uplink_id(flow.source), down = downlink_id(delivery.target);
  for (std::uint64_t id : {up, down}) {
    Resource& r = resources_.at(id);
    r.flows.erase(std::find(r.flows.begin(), r.flows.end(), flow_id));
    if (r.flows.empty()) resources_.erase(id);
  }
  std::vector<std::uint64_t> seeds;
  if (resources_.count(up)) seeds.push_back(up);
  if (resources_.count(down)) seeds.push_back(down);
  if (!seeds.empty()) resolve(std::move(seeds), now);
}

// Progressive filling on the component reachable from `seeds`: raise all rates
// together; the resource whose fair share runs out first freezes its flows.
void FairNetwork::resolve(std::vector<std::uint64_t> seeds, SimTime now) {
  std::vector<std::uint64_t> component_resources;
  std::vector<std::uint32_t> component_flows;
  std::unordered_map<std::uint64_t, bool> seen_resources;
  for (std::uint64_t seed : seeds)
    if (seen_resources.emplace(seed, true).second) component_resources.push_back(seed);
  for (std::size_t i = 0; i < component_resources.size(); ++i) {
    for (std::uint32_t flow_id : resources_.at(component_resources[i]).flows) {
      Flow& flow = flows_[flow_id];
      if (flow.version & 0x80000000u) continue;  // already collected
      flow.version |= 0x80000000u;
      component_flows.push_back(flow_id);
      for (std::uint64_t id : {uplink_id(flow.source), downlink_id(flow.request.delivery.target)})
        if (seen_resources.emplace(id, true).second) component_resources.push_back(id);
    }
  }
  // Bring every flow's progress up to now at its old rate.
  for (std::uint32_t flow_id : component_flows) {
    Flow& flow = flows_[flow_id];
    flow.version &= 0x7fffffffu;
    if (flow.rate_bps > 0 && now > flow.last_update) {
      flow.remaining_bits = std::isinf(flow.rate_bps)
                                ? 0.0
                                : std::max(0.0, flow.remaining_bits -
                                                    flow.rate_bps * to_seconds(now - flow.last_update));
    }
    flow.last_update = now;
    flow.rate_bps = -1;  // unfrozen
  }
  struct Share {
    double capacity;
    std::uint32_t unfrozen;
  };
  std::unordered_map<std::uint64_t, Share> shares;
  for (std::uint64_t id : component_resources) {
    const Resource& r = resources_.at(id);
    shares[id] = Share{r.capacity_bps, static_cast<std::uint32_t>(r.flows.size())};
  }
  std::size_t unfrozen = component_flows.size();
  while (unfrozen > 0) {
    std::uint64_t bottleneck = 0;
    double best = kInfinity;
    bool found = false;
    for (std::uint64_t id : component_resources) {
      const Share& share = shares[id];
      if (share.unfrozen == 0) continue;
      const double fair = share.capacity / share.unfrozen;
      if (!found || fair < best) {
        best = fair;
        bottleneck = id;
        found = true;
      }
    }
    for (std::uint32_t flow_id : resources_.at(bottleneck).flows) {
      Flow& flow = flows_[flow_id];
      if (flow.rate_bps >= 0) continue;
      flow.rate_bps = best;
      --unfrozen;
      for (std::uint64_t id : {uplink_id(flow.source), downlink_id(flow.request.delivery.target)}) {
        Share& share = shares[id];
        share.capacity = std::max(0.0, share.capacity - best);
        --share.unfrozen;
      }
    }
  }
  auto later = [](const Completion& a, const Completion& b) {
    return a.time > b.time || (a.time == b.time && a.order > b.order);
  };
  for (std::uint32_t flow_id : component_flows) {
    Flow& flow = flows_[flow_id];
    ++flow.version;
    SimTime completion = now;
    if (!std::isinf(flow.rate_bps) && flow.remaining_bits > 0) {
      // A rate rounded down to 0 finishes never, until the next re-solve gives it one.
      completion = flow.rate_bps > 0
                       ? checked_add(now,
                                     checked_duration(std::max(0.0, std::ceil(flow.remaining_bits / flow.rate_bps * 1e9 - 1e-6)),
                                                      "a message's transfer"),
                                     "a message's transfer")
                       : kNever;
    }
    completions_.push_back(Completion{completion, flow.request.delivery.order, flow_id, flow.version});
    std::push_heap(completions_.begin(), completions_.end(), later);
  }
}

void FairNetwork::advance(const std::vector<FlowRequest>& starts, SimTime window_end,
                          std::vector<EventRecord>& deliveries) {
  auto later = [](const Completion& a, const Completion& b) {
    return a.time > b.time || (a.time == b.time && a.order > b.order);
  };
  std::size_t next_start = 0;
  for (;;) {
    const SimTime completion = next_completion();
    const SimTime start =
        next_start < starts.size() ? starts[next_start].delivery.time : kNever;
    // A flow that ends at the instant another starts ends first.
    if (completion < window_end && completion <= start) {
      const std::uint32_t flow_id = completions_.front().flow;
      std::pop_heap(completions_.begin(), completions_.end(), later);
      completions_.pop_back();
      complete_flow(flow_id, completion, deliveries);
    } else if (start < window_end) {
      start_flow(starts[next_start++]);
    } else {
      break;
    }
  }
}

}  // namespace dlsim::detail
