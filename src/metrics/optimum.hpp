// The optimal training loss f* of a convex problem, for suboptimality curves
// f(x_bar^t) - f*.
//
// Design note. f* is computed once per run, before or after the simulation,
// by a deterministic quasi-Newton method on the full training loss: L-BFGS
// with memory 10 (Nocedal & Wright, Numerical Optimization, 2nd ed., 2006,
// Algorithms 7.4 and 7.5, with the initial Hessian scaling of eq. 7.20) and a
// backtracking Armijo line search (c1 = 1e-4) that interpolates a quadratic
// and keeps each new trial within [0.1, 0.5] of the previous one (N&W §3.5).
// Near the optimum the decrease in f falls below the rounding noise of the
// sum over samples; the search then also accepts Hager & Zhang's
// approximate Armijo condition (SIAM J. Optim. 16(1), 2005), which tests the
// same inequality through directional derivatives, so that the gradient can
// be driven to 1e-10 and below.
#pragma once

#include <cstddef>
#include <vector>

#include "data/dataset.hpp"
#include "models/model.hpp"

namespace dlsim {

struct OptimumResult {
  double loss = 0;             // f(x), the estimate of f*
  double gradient_norm = 0;    // ||grad f(x)||
  std::size_t iterations = 0;  // L-BFGS iterations (accepted steps)
  bool converged = false;      // the gradient test below was met
  std::vector<double> x;       // the minimiser found
};

// Minimises the full training loss of `model` over `data` (the mean loss plus
// the model's regulariser, exactly as full_loss_and_gradient in
// metrics/evaluation.hpp computes it) from x = 0, until
// ||grad|| <= gradient_tolerance * max(1, ||grad(0)||) (converged) or
// max_iterations iterations, or until no step along the steepest descent
// direction decreases f any more (not converged).
//
// Meaningful for convex models (logistic, least squares, softmax with l2 > 0);
// on others it returns a stationary point at best, and the caller decides when
// to call it. Deterministic: the result is bit-identical for any thread count
// (the only parallelism is full_loss_and_gradient's, over fixed chunks summed
// in order). Requires data.size() > 0 (std::invalid_argument otherwise).
// Cost: one full loss-and-gradient evaluation per line-search trial (usually
// one per iteration) plus O(10 * dimension) per iteration; memory about
// 27 * dimension doubles besides full_loss_and_gradient's per-chunk sums.
OptimumResult minimize_full_loss(const Model& model, const Dataset& data,
                                 double gradient_tolerance = 1e-10,
                                 std::size_t max_iterations = 1000);

}  // namespace dlsim
