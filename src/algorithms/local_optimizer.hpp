// The local step of decentralized SGD algorithms: a learning-rate schedule
// and SGD with optional heavy-ball or Nesterov momentum and weight decay.
//
// Design note. The configuration is immutable and shared by every node; each
// node owns one LocalOptimizer holding only a pointer to it and, when
// momentum is on, its momentum buffer. The buffer is allocated on the first
// apply(), so a node that never steps (an idle federated client) or runs
// without momentum costs a pointer and an empty vector. The update follows
// the PyTorch SGD convention (dampening 0), which is also how Koloskova, Lin,
// Stich, Jaggi, "Decentralized deep learning with arbitrary communication
// compression", ICLR 2020, apply local momentum.
//
// Quasi-global momentum (Lin, Karimireddy, Stich, Jaggi, "Quasi-global
// momentum: accelerating decentralized deep learning on heterogeneous data",
// ICML 2021, Algorithm 1) builds the buffer from the node's model change over
// a whole round, gossip included, instead of from its own gradients:
//   step:   m = beta m_hat + g';  x^{t+1/2} = x^t - eta_t m
//   gossip: x^{t+1} (the algorithm's)
//   buffer: m_hat <- mu m_hat + (1 - mu) (x^t - x^{t+1}) / eta_t
// On non-iid data a local buffer keeps pointing at the node's own optimum;
// the model change carries the neighbours' pull as well, an estimate of the
// global direction. The algorithm calls record_round() after its gossip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace dlsim {

// The learning rate eta_t for round t = 0, 1, ...
struct LearningRateSchedule {
  enum class Kind { constant, step, inverse_time, inverse_sqrt };
  Kind kind = Kind::constant;
  double base = 0.1;                // eta_0
  double decay_factor = 0.1;        // step: multiply by this every `decay_every` rounds
  std::uint64_t decay_every = 100;  // step
  // inverse_time: eta_t = base * offset / (t + offset), i.e. a / (t + b) with
  // b = offset and a = base * b (Koloskova, Stich, Jaggi, "Decentralized
  // stochastic optimization and gossip algorithms with compressed
  // communication", ICML 2019, convex experiments).
  double offset = 100;
  // Linear warm-up: eta_t is scaled by (t + 1) / warmup_rounds while
  // t < warmup_rounds (Goyal et al., "Accurate, large minibatch SGD", 2017).
  // The warm-up multiplies the schedule; it does not delay it (step decay
  // still counts rounds from 0).
  std::uint64_t warmup_rounds = 0;

  // eta_t:
  //   constant:      base
  //   step:          base * decay_factor^floor(t / decay_every)
  //   inverse_time:  base * offset / (t + offset)
  //   inverse_sqrt:  base / sqrt(t + 1)  (the O(1/sqrt(T)) rate of the convex
  //                  and nonconvex SGD analyses, e.g. Lian et al., NeurIPS 2017)
  // times the warm-up factor. O(1); requires a configuration that validate() accepts.
  double at(std::uint64_t round) const;
};

// "constant", "step", "inverse-time", "inverse-sqrt".
std::string_view schedule_name(LearningRateSchedule::Kind kind);
// The inverse of schedule_name; throws std::invalid_argument listing the choices.
LearningRateSchedule::Kind parse_schedule(std::string_view name);

// Where the momentum buffer comes from (see the design note).
enum class MomentumKind { heavy_ball, quasi_global };

struct LocalOptimizerConfig {
  LearningRateSchedule schedule;
  double momentum = 0;    // heavy ball when > 0 (beta)
  MomentumKind momentum_kind = MomentumKind::heavy_ball;
  // quasi_global: mu, the averaging factor of the buffer; negative: mu = momentum
  // (the paper's choice). mu = 0 with W = I is heavy ball exactly.
  double quasi_global_mu = -1;
  bool nesterov = false;  // Nesterov momentum (needs momentum > 0)
  // Adds weight_decay * x to the gradient, on top of (and independent of) the
  // model's own L2 term, which is part of the gradient already.
  double weight_decay = 0;
};

// Throws std::invalid_argument naming the field ("schedule.base", "momentum",
// ...) for a bad configuration: a negative or non-finite base rate or weight
// decay, momentum outside [0, 1), nesterov without momentum, quasi-global
// momentum without momentum, with nesterov or with mu >= 1, and, for the
// schedule kind that reads them, decay_every = 0 or decay_factor outside
// (0, 1] (step) and offset <= 0 (inverse_time). Fields that the chosen kind
// ignores are not checked.
void validate(const LocalOptimizerConfig& config);

// One node's local optimiser state.
class LocalOptimizer {
 public:
  // `config` outlives the optimiser and is shared by all nodes; it should have
  // passed validate().
  explicit LocalOptimizer(const LocalOptimizerConfig* config);

  // target -= eta_t * d, where g' = gradient + weight_decay * x and
  //   plain:       d = g'
  //   heavy ball:  v = momentum * v + g';  d = v
  //   Nesterov:    v = momentum * v + g';  d = g' + momentum * v
  //   quasi-global: d = momentum * m_hat + g' (m_hat: record_round's buffer)
  // with v = m_hat = 0 before the first call. `x` is the point where the gradient was
  // evaluated; `target` may be x itself or another vector (D-PSGD applies the
  // step to the mixed model); `gradient` may also be `target`. Partially
  // overlapping spans are not allowed. Requires x, gradient and target of one
  // size, the same on every call (std::invalid_argument otherwise). O(size);
  // allocates the momentum buffer on the first call when momentum > 0, nothing after.
  void apply(std::uint64_t round, std::span<const double> x, std::span<const double> gradient,
             std::span<double> target);

  // Quasi-global momentum only (a no-op otherwise): the round-`round` model
  // change, from `before` (x^t, where apply() stepped from) to `after`
  // (x^{t+1}, after the gossip), enters the buffer:
  // m_hat <- mu m_hat + (1 - mu) (before - after) / eta_t. Nothing when eta_t = 0.
  void record_round(std::uint64_t round, std::span<const double> before, std::span<const double> after);
  bool quasi_global() const {
    return config_->momentum > 0 && config_->momentum_kind == MomentumKind::quasi_global;
  }

  // eta_t of the shared schedule.
  double learning_rate(std::uint64_t round) const;
  // Bytes this node's optimiser holds: the object plus its momentum buffer.
  std::size_t memory_bytes() const;

 private:
  const LocalOptimizerConfig* config_;
  std::vector<double> velocity_;  // v (quasi-global: m_hat); empty until the first apply() with momentum
};

}  // namespace dlsim
