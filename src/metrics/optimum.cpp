// L-BFGS on the full training loss; see optimum.hpp.
#include "metrics/optimum.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "metrics/evaluation.hpp"

namespace dlsim {
namespace {

constexpr std::size_t kMemory = 10;
constexpr double kArmijo = 1e-4;  // c1 (N&W §3.1 suggest 1e-4)
constexpr int kMaxTrials = 50;    // halving at least 50 times reaches steps of 1e-15

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t k = 0; k < a.size(); ++k) sum += a[k] * b[k];
  return sum;
}

// The last (at most kMemory) pairs s = x_{k+1} - x_k, y = g_{k+1} - g_k,
// kept in a ring so that no vector is reallocated after the first round.
class History {
 public:
  explicit History(std::size_t n) : n_(n) {}

  void clear() { count_ = 0; }
  bool empty() const { return count_ == 0; }

  // Stores the pair unless s'y is not clearly positive: with an Armijo-only
  // search the curvature condition is not enforced, and a pair with s'y <= 0
  // would make the implicit Hessian indefinite (convex but flat problems,
  // rounding at the optimum).
  void push(const std::vector<double>& s, const std::vector<double>& y) {
    const double sy = dot(s, y), yy = dot(y, y);
    if (!(sy > 1e-12 * std::sqrt(dot(s, s) * yy))) return;
    // Grow only while every slot is in use, so the ring never wraps while growing.
    if (count_ == s_.size() && s_.size() < kMemory) {
      s_.emplace_back(n_);
      y_.emplace_back(n_);
      rho_.push_back(0);
    }
    newest_ = (count_ == 0) ? 0 : (newest_ + 1) % s_.size();
    count_ = std::min(count_ + 1, s_.size());
    s_[newest_] = s;
    y_[newest_] = y;
    rho_[newest_] = 1 / sy;
    gamma_ = sy / yy;  // H_0 = gamma I (N&W eq. 7.20)
  }

  // d = -H g by the two-loop recursion (N&W Algorithm 7.4).
  void direction(const std::vector<double>& g, std::vector<double>& d) {
    for (std::size_t k = 0; k < n_; ++k) d[k] = -g[k];
    alpha_.resize(count_);
    const std::size_t size = s_.size();
    for (std::size_t i = 0; i < count_; ++i) {  // newest to oldest
      const std::size_t j = (newest_ + size - i) % size;
      alpha_[i] = rho_[j] * dot(s_[j], d);
      for (std::size_t k = 0; k < n_; ++k) d[k] -= alpha_[i] * y_[j][k];
    }
    for (double& value : d) value *= gamma_;
    for (std::size_t i = count_; i-- > 0;) {  // oldest to newest
      const std::size_t j = (newest_ + size - i) % size;
      const double beta = rho_[j] * dot(y_[j], d);
      for (std::size_t k = 0; k < n_; ++k) d[k] += (alpha_[i] - beta) * s_[j][k];
    }
  }

 private:
  std::size_t n_;
  std::vector<std::vector<double>> s_, y_;
  std::vector<double> rho_, alpha_;
  std::size_t count_ = 0, newest_ = 0;
  double gamma_ = 1;
};

}  // namespace

OptimumResult minimize_full_loss(const Model& model, const Dataset& data, double gradient_tolerance,
                                 std::size_t max_iterations) {
  if (data.size() == 0) throw std::invalid_argument("minimize_full_loss: the data set is empty");
  const std::size_t n = model.dimension();
  OptimumResult result;
  std::vector<double>& x = result.x;
  x.assign(n, 0.0);
  std::vector<double> g(n), d(n), x_new(n), g_new(n), s(n), y(n);
  double f = full_loss_and_gradient(model, x, data, g);
  double g_norm = std::sqrt(dot(g, g));
  const double threshold = gradient_tolerance * std::max(1.0, g_norm);
  History history(n);

  while (!(g_norm <= threshold) && result.iterations < max_iterations) {
    if (history.empty()) {
      for (std::size_t k = 0; k < n; ++k) d[k] = -g[k];
    } else {
      history.direction(g, d);
    }
    double slope = dot(g, d);
    if (!(slope < 0)) {  // not a descent direction (rounding): restart from steepest descent
      history.clear();
      for (std::size_t k = 0; k < n; ++k) d[k] = -g[k];
      slope = -g_norm * g_norm;
    }
    // The quasi-Newton step has a natural length of 1; a steepest-descent
    // step has none, so its first trial moves x by at most 1 (N&W §3.5).
    double step = history.empty() ? std::min(1.0, 1.0 / g_norm) : 1.0;
    // Slack within which f counts as unchanged: well above the rounding of a
    // mean over the samples, far below any decrease that matters for f*.
    const double noise = 1e-12 * (1 + std::abs(f));
    bool accepted = false;
    double f_new = f;
    for (int trial = 0; trial < kMaxTrials; ++trial) {
      for (std::size_t k = 0; k < n; ++k) x_new[k] = x[k] + step * d[k];
      f_new = full_loss_and_gradient(model, x_new, data, g_new);
      const bool armijo = f_new <= f + kArmijo * step * slope;
      // Hager-Zhang: for a quadratic along d, phi'(step) <= (2 c1 - 1) phi'(0)
      // is the Armijo condition; derivatives keep their relative accuracy
      // where the difference f_new - f has none.
      const bool approximate = f_new <= f + noise && dot(g_new, d) <= (2 * kArmijo - 1) * slope;
      accepted = std::isfinite(f_new) && (armijo || approximate);
      if (accepted) break;
      // Minimiser of the quadratic through f, slope and f_new, kept within [0.1, 0.5] step.
      double next = 0.5 * step;
      if (std::isfinite(f_new)) {
        const double curvature = f_new - f - slope * step;
        if (curvature > 0) next = -slope * step * step / (2 * curvature);
      }
      step = std::clamp(next, 0.1 * step, 0.5 * step);
    }
    if (!accepted) {
      if (history.empty()) break;  // even steepest descent makes no progress
      history.clear();
      continue;
    }
    for (std::size_t k = 0; k < n; ++k) {
      s[k] = x_new[k] - x[k];
      y[k] = g_new[k] - g[k];
    }
    history.push(s, y);
    std::swap(x, x_new);
    std::swap(g, g_new);
    f = f_new;
    g_norm = std::sqrt(dot(g, g));
    ++result.iterations;
  }
  result.loss = f;
  result.gradient_norm = g_norm;
  result.converged = g_norm <= threshold;
  return result;
}

}  // namespace dlsim
