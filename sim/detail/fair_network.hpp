// The `fair` network model: every transfer is a flow from the sender's uplink
// to the receiver's downlink, and flows get max-min fair rates (progressive
// filling, Bertsekas and Gallager, "Data Networks", 1992, section 6.5.2).
// Rates are re-solved only on the connected component (flows linked through
// shared NICs) of a flow that starts or ends. Private to sim/; the engine runs
// it sequentially after each window, which keeps it deterministic.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sim/detail/event_record.hpp"

namespace dlsim::detail {

// A send under the fair model: the delivery record it will become (its time
// is the send time) and the latency added after the flow completes.
struct FlowRequest {
  EventRecord delivery;
  SimTime latency;
};

class FairNetwork {
 public:
  // Rates in bit/s per node; 0 (kUnlimitedBandwidth) means unlimited.
  FairNetwork(std::vector<std::int64_t> uplink_bps, std::vector<std::int64_t> downlink_bps,
              std::uint32_t nodes, KeyLayout layout);

  // Time of the next flow completion, or kNever.
  SimTime next_completion();
  std::size_t active_flows() const { return active_; }

  // Calls visit(delivery record) for every flow still in flight (to release payloads).
  template <typename Visit>
  void for_each_delivery(Visit visit) const {
    for (const Flow& flow : flows_)
      if (flow.active) visit(flow.request.delivery);
  }

  // Handles, in time order, the flow starts in `starts` (sorted by key, all
  // before window_end) and the completions before window_end; appends the
  // deliveries of completed flows (at completion + latency) to `deliveries`.
  void advance(const std::vector<FlowRequest>& starts, SimTime window_end,
               std::vector<EventRecord>& deliveries);

 private:
  struct Flow {
    FlowRequest request;
    NodeId source;
    double remaining_bits;
    double rate_bps;
    SimTime last_update;
    std::uint32_t version;
    bool active;
  };
  struct Completion {
    SimTime time;
    std::uint64_t order;  // the flow's message key: a deterministic tie-break
    std::uint32_t flow;
    std::uint32_t version;
  };
  struct Resource {
    double capacity_bps;  // infinity when unlimited
    std::vector<std::uint32_t> flows;
  };

  std::uint64_t uplink_id(NodeId node) const { return std::uint64_t{node} * 2; }
  std::uint64_t downlink_id(NodeId node) const { return std::uint64_t{node} * 2 + 1; }
  Resource& resource(std::uint64_t id);
  void start_flow(const FlowRequest& request);
  void complete_flow(std::uint32_t flow_id, SimTime now, std::vector<EventRecord>& deliveries);
  void resolve(std::vector<std::uint64_t> seeds, SimTime now);

  std::vector<std::int64_t> uplink_bps_;
  std::vector<std::int64_t> downlink_bps_;
  KeyLayout layout_;
  std::vector<Flow> flows_;
  std::vector<std::uint32_t> free_flows_;
  std::unordered_map<std::uint64_t, Resource> resources_;  // looked up, never iterated
  std::vector<Completion> completions_;                    // min-heap by (time, order)
  std::size_t active_ = 0;
};

}  // namespace dlsim::detail
