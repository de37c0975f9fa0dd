// The client side of every federated algorithm.
//
// A client that receives the server's model (ModelBroadcast) runs its local
// work (local_training.hpp) as one compute task, whose simulated duration the
// engine's compute model derives from the flops of the model, the batches and
// the steps and from the client's speed factor, and then sends its update
// (ClientUpdate) to the server: y - x_t through the uplink codec (exact or
// compressed), its sample count, and SCAFFOLD's control step. A client that
// rejoins after an outage has lost what it was doing; it checks in with the
// server so that the server can select it again.
//
// Memory: a client's job (model copy and result) exists while it trains;
// SCAFFOLD's c_i exists from its first participation on. The client commits
// c_i^+ when it sends its update, as in the paper, so an update that the
// server drops (late, or over-committed) leaves the server's c behind the
// mean of the c_i until that client participates again.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/config.hpp"
#include "algorithms/federated/local_training.hpp"
#include "algorithms/vector_message.hpp"
#include "sim/node.hpp"

namespace dlsim {

class FederatedClients {
 public:
  // `config` outlives this; the server is engine node `server`.
  FederatedClients(const FederatedConfig& config, NodeId server);

  void on_start(Context& ctx);
  void on_model(Context& ctx, const Message& message);
  // `serial`: the tag of the job's compute task.
  void on_trained(Context& ctx, std::uint64_t serial);

  const ClientTable& table() const { return table_; }
  const VectorCodec& codec() const { return codec_; }
  // Clients whose state the algorithm remembers (SCAFFOLD's c_i). Between engine calls.
  std::uint64_t remembered_clients() const;
  // Bytes an idle client costs here: its row, its job pointer and its memory pointer.
  static std::size_t idle_client_bytes();

 private:
  const FederatedConfig& config_;
  NodeId server_;
  ClientTable table_;
  LocalTrainer trainer_;
  VectorCodec codec_;
  std::vector<std::shared_ptr<LocalJob>> jobs_;               // the job in progress, per client
  std::vector<std::unique_ptr<std::vector<double>>> control_;  // SCAFFOLD's c_i, once participated
};

}  // namespace dlsim
