// The client side of every federated algorithm.
//
// A client that receives the server's model (ModelBroadcast) runs its local
// work (local_training.hpp) as one compute task, whose simulated duration the
// engine's compute model derives from the flops of the model, the batches and
// the steps and from the client's speed factor, and then sends its update
// (ClientUpdate) to the server: y - x_t through the uplink codec (exact or
// compressed), its sample count, and SCAFFOLD's control step. A client that
// rejoins after an outage has lost what it was doing; it checks in with the
// server so that the server can select it again. Likewise a client whose
// availability (availability.hpp) ends between its selection and the moment
// it would send its update loses the update (it does not train when the
// model reaches it gone, and sends nothing when its training ends after it
// left); it checks in when it is available again (a timer at that instant).
//
// FedNova (config.rule.normalized_averaging) divides y - x_t by a_i before it
// is encoded. With error feedback the client encodes e_i + (its update) and
// keeps the new residual e_i (error_feedback.hpp), committed when it sends,
// as SCAFFOLD's c_i: an update the server then drops has still moved e_i.
// With a downlink compressor the client keeps the model it last received
// (and the round of it) and rebuilds x_t from the server's compressed updates
// (synchronous_rounds.hpp, Downlink); the rebuilt x_t is bit for bit the
// server's, since both add the same decoded vectors in the same order.
// An outage loses that model (the check-in tells the server; steps that the
// server sent before it heard of the outage are answered by another check-in).
//
// Worker momentum (config.worker_momentum = beta > 0; Karimireddy, He,
// Jaggi, ICML 2021): the client keeps m_i <- (1 - beta) u_i + beta m_i, u_i
// its update as above (after FedNova's division), m_i = 0 before its first
// update, and encodes m_i instead of u_i (with error feedback, e_i + m_i).
// It moves m_i when it sends, as c_i and e_i. The paper's form (the
// momentum is an average of the updates, so the server's step keeps its
// scale); their code's undamped m_i <- u_i + beta m_i is this times
// 1 / (1 - beta) once warm. Label-flip Byzantine clients, which train
// honestly, keep one too; the others' vectors are replaced at the server.
//
// Memory: a client's job (model copy and result) exists while it trains;
// SCAFFOLD's c_i, the error-feedback residual e_i, the worker momentum m_i
// and the downlink's last model exist from its first participation on. The
// client commits c_i^+ when it sends its update, as in the paper, so an
// update that the server drops (late, or over-committed) leaves the server's
// c behind the mean of the c_i until that client participates again.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/config.hpp"
#include "algorithms/federated/local_training.hpp"
#include "algorithms/vector_message.hpp"
#include "sim/node.hpp"

namespace dlsim {

class FederatedClients {
 public:
  // `config` and `availability` outlive this; the server is engine node `server`.
  FederatedClients(const FederatedConfig& config, const ClientAvailability& availability, NodeId server);

  void on_start(Context& ctx);
  void on_model(Context& ctx, const Message& message);
  // Power of choice with a probe: computes the client's loss at the probed
  // x_t over all of its samples (a compute task tagged kProbeTag | round,
  // costed as one forward pass over them) and then sends it (on_probed).
  void on_probe(Context& ctx, const Message& message);
  void on_probed(Context& ctx, std::uint64_t round);
  static constexpr std::uint64_t kProbeTag = std::uint64_t{1} << 62;
  // `serial`: the tag of the job's compute task.
  void on_trained(Context& ctx, std::uint64_t serial);
  // A secure aggregation round's request: the client computes, then answers.
  void on_secure_aggregation_step(Context& ctx, const Message& message);
  // The return of a client that went away (the timer's tag: the round it lost).
  void on_timer(Context& ctx, std::uint64_t round);

  const ClientTable& table() const { return table_; }
  const VectorCodec& codec() const { return codec_; }
  const VectorCodec& downlink_codec() const { return downlink_codec_; }
  // Clients whose state the algorithm remembers (SCAFFOLD's c_i, e_i, the
  // downlink's last model). Between engine calls.
  std::uint64_t remembered_clients() const;
  // The client's error-feedback residual e_i, with EF21 its estimate g_i
  // (empty before its first update or without error feedback). Between engine calls.
  std::span<const double> residual(NodeId client) const;
  // The client's worker momentum m_i (empty before its first update or
  // without worker momentum). Between engine calls.
  std::span<const double> momentum(NodeId client) const;
  // With a downlink compressor, the model the client last received or
  // rebuilt (empty: none). Between engine calls.
  std::span<const double> last_model(NodeId client) const;
  // Bytes an idle client costs here: its row, its job pointer and its memory pointer.
  static std::size_t idle_client_bytes();
  // More bytes per idle client for what this configuration remembers
  // (error feedback's residual pointer, the worker momentum's pointer, the
  // downlink's last model, secure aggregation's pending request).
  std::size_t extra_idle_client_bytes() const;

 private:
  // Compute-task tags of secure aggregation's steps (the jobs' serials stay
  // below; kProbeTag, a higher bit, marks probes).
  static constexpr std::uint64_t kSecureAggregationTask = std::uint64_t{1} << 61;
  // The client lost round `round`'s work by going away: it checks in when it is back.
  void go_away(Context& ctx, std::uint64_t round);
  // `outage_began`: when a churn outage that lost the work began; kNever otherwise.
  void check_in(Context& ctx, std::uint64_t round, SimTime outage_began = kNever);
  // The model a client last received, for the downlink's deltas.
  struct KnownModel {
    std::uint64_t round = 0;
    std::shared_ptr<const std::vector<double>> x;  // null: none (never received, or lost in an outage)
  };
  // x_t for the client's job: the broadcast's, or rebuilt from its updates;
  // null when the client no longer holds the model they start from.
  std::shared_ptr<const std::vector<double>> start_model(NodeId client, const ModelBroadcast& broadcast);

  const FederatedConfig& config_;
  NodeId server_;
  ClientTable table_;
  LocalTrainer trainer_;
  VectorCodec codec_;
  VectorCodec downlink_codec_;
  std::vector<std::shared_ptr<LocalJob>> jobs_;               // the job in progress, per client
  // Secure aggregation: the request a client computes for, per client (null: none).
  std::vector<std::shared_ptr<const SecureAggregationStep>> steps_;
  std::vector<std::unique_ptr<std::vector<double>>> control_;  // SCAFFOLD's c_i, once participated
  const ClientAvailability& availability_;
  // Time-varying availability only: 1 while the client is away with lost work
  // and has not checked in yet; written by the client's own events only.
  std::vector<std::uint8_t> away_;
  std::vector<std::unique_ptr<std::vector<double>>> residual_;  // error feedback's e_i, once participated
  std::vector<std::unique_ptr<std::vector<double>>> momentum_;  // worker momentum m_i, once participated
  std::vector<KnownModel> known_;                              // downlink compression only
  // Power of choice with a probe: the probe in progress, per client.
  struct ProbeJob {
    std::uint64_t round = 0;
    SimTime began = 0;
    double loss = 0;
  };
  std::vector<std::shared_ptr<ProbeJob>> probes_;
};

}  // namespace dlsim
