// Learning-rate schedules and the local SGD step; see local_optimizer.hpp.
#include "algorithms/local_optimizer.hpp"

#include <Eigen/Core>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace dlsim {
namespace {

void require(bool ok, std::string_view field, std::string_view what, double value) {
  if (!ok)
    throw std::invalid_argument(fmt::format("local optimizer: {} {} (got {})", field, what, value));
}

}  // namespace

double LearningRateSchedule::at(std::uint64_t round) const {
  const double t = static_cast<double>(round);
  double rate = base;
  switch (kind) {
    case Kind::constant:
      break;
    case Kind::step:
      // pow rather than a loop of multiplications: O(1) at any round, and the
      // integer exponent keeps it exact up to one rounding.
      rate = base * std::pow(decay_factor, static_cast<double>(round / decay_every));
      break;
    case Kind::inverse_time:
      rate = base * offset / (t + offset);
      break;
    case Kind::inverse_sqrt:
      rate = base / std::sqrt(t + 1);
      break;
  }
  if (round < warmup_rounds) rate *= (t + 1) / static_cast<double>(warmup_rounds);
  return rate;
}

std::string_view schedule_name(LearningRateSchedule::Kind kind) {
  switch (kind) {
    case LearningRateSchedule::Kind::constant:
      return "constant";
    case LearningRateSchedule::Kind::step:
      return "step";
    case LearningRateSchedule::Kind::inverse_time:
      return "inverse-time";
    case LearningRateSchedule::Kind::inverse_sqrt:
      return "inverse-sqrt";
  }
  return "unknown";
}

LearningRateSchedule::Kind parse_schedule(std::string_view name) {
  using Kind = LearningRateSchedule::Kind;
  for (Kind kind : {Kind::constant, Kind::step, Kind::inverse_time, Kind::inverse_sqrt})
    if (name == schedule_name(kind)) return kind;
  throw std::invalid_argument(fmt::format(
      "unknown learning-rate schedule '{}' (choices: constant, step, inverse-time, inverse-sqrt)", name));
}

void validate(const LocalOptimizerConfig& config) {
  const LearningRateSchedule& s = config.schedule;
  // Comparisons are written so that NaN fails them.
  require(s.base >= 0 && std::isfinite(s.base), "schedule.base", "must be finite and >= 0", s.base);
  require(config.momentum >= 0 && config.momentum < 1, "momentum", "must be in [0, 1)",
          config.momentum);
  require(!config.nesterov || config.momentum > 0, "nesterov", "needs momentum > 0; momentum is",
          config.momentum);
  if (config.momentum_kind == MomentumKind::quasi_global) {
    require(config.momentum > 0, "momentum_kind", "quasi-global needs momentum > 0; momentum is", config.momentum);
    require(!config.nesterov, "nesterov", "must be false with quasi-global momentum", 1.0);
    require(config.quasi_global_mu < 1 && std::isfinite(config.quasi_global_mu), "quasi_global_mu",
            "must be in [0, 1) (negative: the momentum)", config.quasi_global_mu);
  }
  require(config.weight_decay >= 0 && std::isfinite(config.weight_decay), "weight_decay",
          "must be finite and >= 0", config.weight_decay);
  if (s.kind == LearningRateSchedule::Kind::step) {
    require(s.decay_every > 0, "schedule.decay_every", "must be > 0 for the step schedule",
            static_cast<double>(s.decay_every));
    require(s.decay_factor > 0 && s.decay_factor <= 1, "schedule.decay_factor", "must be in (0, 1]",
            s.decay_factor);
  }
  if (s.kind == LearningRateSchedule::Kind::inverse_time)
    require(s.offset > 0 && std::isfinite(s.offset), "schedule.offset",
            "must be finite and > 0 for the inverse-time schedule", s.offset);
}

LocalOptimizer::LocalOptimizer(const LocalOptimizerConfig* config) : config_(config) {}

double LocalOptimizer::learning_rate(std::uint64_t round) const {
  return config_->schedule.at(round);
}

std::size_t LocalOptimizer::memory_bytes() const {
  return sizeof(*this) + velocity_.capacity() * sizeof(double);
}

void LocalOptimizer::apply(std::uint64_t round, std::span<const double> x,
                           std::span<const double> gradient, std::span<double> target) {
  const std::size_t n = x.size();
  if (gradient.size() != n || target.size() != n)
    throw std::invalid_argument(
        fmt::format("local optimizer: x, gradient and target sizes differ ({}, {}, {})", n,
                    gradient.size(), target.size()));
  const double eta = config_->schedule.at(round);
  const double decay = config_->weight_decay;
  const double beta = config_->momentum;
  // Each element is read (x[k], gradient[k]) before target[k] is written, so
  // target may alias x or gradient exactly.
  if (beta == 0) {
    // Without weight decay g' is the gradient itself: no 0 * x term, so the
    // step is exactly x - eta * g and an infinite x cannot turn it into NaN.
    // Eigen's packets (GCC's -O2 leaves these loops scalar); element by
    // element the same operations. target may alias x or gradient exactly,
    // which element-wise expressions allow.
    const auto size = static_cast<Eigen::Index>(n);
    Eigen::Map<Eigen::VectorXd> step_target(target.data(), size);
    const Eigen::Map<const Eigen::VectorXd> step_gradient(gradient.data(), size);
    if (decay == 0) step_target -= eta * step_gradient;
    else step_target -= eta * (step_gradient + decay * Eigen::Map<const Eigen::VectorXd>(x.data(), size));
    return;
  }
  if (velocity_.empty()) velocity_.assign(n, 0.0);
  if (velocity_.size() != n)
    throw std::invalid_argument(
        fmt::format("local optimizer: dimension changed from {} to {}", velocity_.size(), n));
  if (config_->momentum_kind == MomentumKind::quasi_global) {
    // m_hat changes only in record_round(), from the round's model change.
    for (std::size_t k = 0; k < n; ++k) {
      const double g = decay == 0 ? gradient[k] : gradient[k] + decay * x[k];
      target[k] -= eta * (beta * velocity_[k] + g);
    }
    return;
  }
  const bool nesterov = config_->nesterov;
  for (std::size_t k = 0; k < n; ++k) {
    const double g = decay == 0 ? gradient[k] : gradient[k] + decay * x[k];
    const double v = beta * velocity_[k] + g;
    velocity_[k] = v;
    target[k] -= eta * (nesterov ? g + beta * v : v);
  }
}

void LocalOptimizer::record_round(std::uint64_t round, std::span<const double> before,
                                  std::span<const double> after) {
  if (!quasi_global()) return;
  const double eta = config_->schedule.at(round);
  if (eta == 0) return;  // no step was taken: the change says nothing about a direction
  const std::size_t n = before.size();
  if (after.size() != n || (!velocity_.empty() && velocity_.size() != n))
    throw std::invalid_argument(fmt::format("local optimizer: sizes differ in record_round ({}, {}, {})", n,
                                            after.size(), velocity_.size()));
  if (velocity_.empty()) velocity_.assign(n, 0.0);
  const double mu = config_->quasi_global_mu < 0 ? config_->momentum : config_->quasi_global_mu;
  for (std::size_t k = 0; k < n; ++k) velocity_[k] = mu * velocity_[k] + (1 - mu) * ((before[k] - after[k]) / eta);
}

}  // namespace dlsim
