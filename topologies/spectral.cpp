// Eigenvalues of mixing matrices: dense for small W, Lanczos for large sparse W.
#include "topologies/spectral.hpp"

#include <Eigen/Dense>
#include <Eigen/SparseCholesky>
#include <Spectra/SymEigsSolver.h>
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "topologies/errors.hpp"

namespace dlsim {
namespace {

using Vector = Eigen::VectorXd;

// --- Structure of W read from its pattern ---------------------------------

// Components of the graph of W's off-diagonal non-zeros, and whether that
// graph is bipartite.
struct Pattern {
  std::size_t components = 0;
  bool bipartite = true;
  bool zero_diagonal = true;
};

Pattern read_pattern(const SparseMatrix& w) {
  const auto n = static_cast<std::size_t>(w.rows());
  Pattern pattern;
  std::vector<int> colour(n, -1);
  std::vector<Eigen::Index> stack;
  for (std::size_t start = 0; start < n; ++start) {
    if (colour[start] != -1) continue;
    ++pattern.components;
    colour[start] = 0;
    stack.assign(1, static_cast<Eigen::Index>(start));
    while (!stack.empty()) {
      const Eigen::Index j = stack.back();
      stack.pop_back();
      for (SparseMatrix::InnerIterator it(w, j); it; ++it) {
        if (it.row() == j) {
          if (it.value() != 0.0) pattern.zero_diagonal = false;
          continue;
        }
        if (it.value() == 0.0) continue;
        int& other = colour[static_cast<std::size_t>(it.row())];
        if (other == -1) {
          other = 1 - colour[static_cast<std::size_t>(j)];
          stack.push_back(it.row());
        } else if (other == colour[static_cast<std::size_t>(j)]) {
          pattern.bipartite = false;
        }
      }
    }
  }
  return pattern;
}

// Gershgorin: every eigenvalue is >= min_j (w_jj - sum_{i != j} |w_ij|).
double gershgorin_lower_bound(const SparseMatrix& w) {
  double bound = INFINITY;
  for (Eigen::Index j = 0; j < w.cols(); ++j) {
    double diagonal = 0.0, radius = 0.0;
    for (SparseMatrix::InnerIterator it(w, j); it; ++it) {
      if (it.row() == j) {
        diagonal += it.value();
      } else {
        radius += std::abs(it.value());
      }
    }
    bound = std::min(bound, diagonal - radius);
  }
  return bound;
}

// --- Operators for Spectra (y = A x on raw arrays) ------------------------

struct ProductOp {
  using Scalar = double;
  const SparseMatrix& w;
  double deflate;  // subtract deflate * (1^T x / n) 1
  std::size_t* products;
  Eigen::Index rows() const { return w.rows(); }
  Eigen::Index cols() const { return w.cols(); }
  void perform_op(const double* x_in, double* y_out) const {
    Eigen::Map<const Vector> x(x_in, w.rows());
    Eigen::Map<Vector> y(y_out, w.rows());
    y.noalias() = w * x;
    if (deflate != 0.0) y.array() -= deflate * x.mean();
    ++*products;
  }
};

// x -> P A^{-1} P x where A is (n-1) x (n-1) factored and the last node is
// grounded (its entry 0); P = I - 11^T/n when `project`, else A is n x n.
struct InverseOp {
  using Scalar = double;
  const Eigen::SimplicialLDLT<SparseMatrix, Eigen::Lower, Eigen::AMDOrdering<int>>& factor;
  Eigen::Index n;
  bool project;
  std::size_t* products;
  Eigen::Index rows() const { return n; }
  Eigen::Index cols() const { return n; }
  void perform_op(const double* x_in, double* y_out) const {
    Eigen::Map<const Vector> x(x_in, n);
    Eigen::Map<Vector> y(y_out, n);
    if (project) {
      Vector b = x.array() - x.mean();
      y.head(n - 1) = factor.solve(b.head(n - 1));
      y[n - 1] = 0.0;
      y.array() -= y.mean();
    } else {
      y = factor.solve(x);
    }
    ++*products;
  }
};

template <typename Op>
std::optional<double> extreme_eigenvalue(Op& op, Spectra::SortRule rule, int vectors, int restarts,
                                         double tolerance) {
  const Eigen::Index n = op.rows();
  const Eigen::Index ncv = std::min<Eigen::Index>(n, vectors);
  Spectra::SymEigsSolver<Op> solver(op, 1, ncv);
  solver.init();
  solver.compute(rule, restarts, tolerance, rule);
  if (solver.info() != Spectra::CompInfo::Successful) return std::nullopt;
  return solver.eigenvalues()[0];
}

// Laplacian-form matrices from W, computed entrywise so that no 1 - (1 - tiny)
// cancellation happens: L = I - W has L_ii = sum_{j != i} w_ij and L_ij = -w_ij;
// Q = I + W has Q_ii = 2 w_ii + sum_{j != i} w_ij and Q_ij = w_ij. `drop` names
// a node whose row and column are left out (grounding), or n for none.
SparseMatrix laplacian_form(const SparseMatrix& w, double sign, Eigen::Index drop) {
  const Eigen::Index n = w.rows(), size = drop < n ? n - 1 : n;
  std::vector<Eigen::Triplet<double>> entries;
  entries.reserve(static_cast<std::size_t>(w.nonZeros()));
  for (Eigen::Index j = 0; j < n; ++j) {
    if (j == drop) continue;
    double diagonal = 0.0;
    for (SparseMatrix::InnerIterator it(w, j); it; ++it) {
      if (it.row() == j) {
        if (sign > 0) diagonal += 2.0 * it.value();
        continue;
      }
      diagonal += it.value();
      if (it.row() == drop) continue;
      const Eigen::Index i = it.row() > drop ? it.row() - 1 : it.row();
      entries.emplace_back(i, j > drop ? j - 1 : j, sign * it.value());
    }
    const Eigen::Index jj = j > drop ? j - 1 : j;
    entries.emplace_back(jj, jj, diagonal);
  }
  SparseMatrix result(size, size);
  result.setFromTriplets(entries.begin(), entries.end());
  return result;
}

// The extreme Ritz values of `steps` plain Lanczos steps on W - deflate 11^T/n
// (no reorthogonalisation, O(n) memory). In exact arithmetic they lie inside
// [lambda_min, lambda_max] and approach the ends from inside; rounding only adds
// spurious copies of converged values (Paige 1976), so they are estimates from
// inside, good to the width of the cluster at each end.
struct RitzExtremes {
  double min = 0.0, max = 0.0;            // after all steps
  double half_min = 0.0, half_max = 0.0;  // after half of them: the change is an error indicator
};

RitzExtremes ritz_extremes(const SparseMatrix& w, double deflate, int steps, std::size_t& products) {
  const Eigen::Index n = w.rows();
  Vector previous = Vector::Zero(n), current(n), next(n);
  // A fixed, structure-free start: fractional parts of i * golden ratio.
  for (Eigen::Index i = 0; i < n; ++i) {
    current[i] = std::fmod(0.6180339887498949 * static_cast<double>(i + 1), 1.0) - 0.5;
  }
  current /= current.norm();
  std::vector<double> alpha, beta;
  auto extremes = [&] {
    Vector diagonal = Eigen::Map<Vector>(alpha.data(), static_cast<Eigen::Index>(alpha.size()));
    Vector sub = Eigen::Map<Vector>(beta.data(), static_cast<Eigen::Index>(alpha.size()) - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
    solver.computeFromTridiagonal(diagonal, sub, Eigen::EigenvaluesOnly);
    return std::pair{solver.eigenvalues()[0], solver.eigenvalues()[solver.eigenvalues().size() - 1]};
  };
  RitzExtremes result;
  double previous_beta = 0.0;
  for (int k = 0; k < steps; ++k) {
    next.noalias() = w * current;
    if (deflate != 0.0) next.array() -= deflate * current.mean();
    ++products;
    const double a = current.dot(next);
    next -= a * current + previous_beta * previous;
    alpha.push_back(a);
    if (k + 1 == steps / 2) std::tie(result.half_min, result.half_max) = extremes();
    const double b = next.norm();
    if (b < 1e-13 || k + 1 == steps) break;
    beta.push_back(b);
    previous.swap(current);
    current = next / b;
    previous_beta = b;
  }
  std::tie(result.min, result.max) = extremes();
  if (static_cast<int>(alpha.size()) < steps / 2) std::tie(result.half_min, result.half_max) = std::pair{result.min, result.max};
  return result;
}

// --- The two methods --------------------------------------------------------
// Both fill one_minus_lambda_2 and one_plus_lambda_min, the two numbers the gaps
// are made of, so that tiny gaps are never formed as 1 - (1 - tiny).
struct Gaps {
  double one_minus_lambda_2 = 0.0;
  double one_plus_lambda_min = 0.0;
};

Gaps dense_gaps(const SparseMatrix& w, SpectralReport& report) {
  const Eigen::MatrixXd dense = Eigen::MatrixXd(w);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(dense, Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) throw std::runtime_error("dense eigen-solver failed");
  const Vector& values = solver.eigenvalues();  // ascending
  report.method = "dense";
  report.notes.push_back("all eigenvalues from Eigen's dense self-adjoint solver");
  return {1.0 - values[values.size() - 2], 1.0 + values[0]};
}

// Below this estimated distance from +-1 after the probe, plain Lanczos would
// need thousands of restarts (its rate is ~ sqrt of the relative gap), so
// shift-invert is used straight away.
constexpr double kSlowMixing = 1e-3;
constexpr int kProbeSteps = 300;
// When restarted Lanczos stalls on a cluster at the end of the spectrum (the
// square-root edge of an expander's spectrum at 10^6 nodes), a long
// unrestarted run still converges to the edge, at about 1/k^2.
constexpr int kLongSteps = 3000;

using Factor = Eigen::SimplicialLDLT<SparseMatrix, Eigen::Lower, Eigen::AMDOrdering<int>>;

// 1 / (largest eigenvalue of the inverse of the factored matrix), or nullopt.
std::optional<double> smallest_by_shift_invert(const Factor& factor, Eigen::Index n, bool project,
                                               double tolerance, std::size_t& products) {
  if (factor.info() != Eigen::Success) return std::nullopt;
  InverseOp inverse{factor, n, project, &products};
  auto value = extreme_eigenvalue(inverse, Spectra::SortRule::LargestAlge, 20, 300, tolerance);
  if (!value || *value <= 0.0) return std::nullopt;
  return 1.0 / *value;
}

Gaps lanczos_gaps(const SparseMatrix& w, const Pattern& pattern, const SpectralOptions& options,
                  SpectralReport& report) {
  report.method = "lanczos";
  const Eigen::Index n = w.rows();
  Gaps gaps;
  // lambda_2.
  if (pattern.components == 1) {
    const double probe = ritz_extremes(w, 2.0, kProbeSteps, report.matrix_products).max;
    std::optional<double> value;
    if (1.0 - probe >= kSlowMixing) {
      ProductOp deflated{w, 2.0, &report.matrix_products};
      value = extreme_eigenvalue(deflated, Spectra::SortRule::LargestAlge, options.lanczos_vectors,
                                 options.lanczos_restarts, options.tolerance);
    }
    if (value) {
      gaps.one_minus_lambda_2 = 1.0 - *value;
      report.notes.push_back("lambda_2: Lanczos on W - 2 11^T/n");
    } else if (1.0 - probe >= kSlowMixing) {
      // Fast mixing but a clustered top (e.g. the edge of an expander's
      // spectrum): shift-invert at 1 would not separate the cluster, and the
      // sparse factorisation of an expander fills in catastrophically.
      const RitzExtremes long_run = ritz_extremes(w, 2.0, kLongSteps, report.matrix_products);
      gaps.one_minus_lambda_2 = 1.0 - long_run.max;
      report.notes.push_back(fmt::format(
          "lambda_2: restarted Lanczos did not converge in {} restarts (clustered top); reported "
          "value is a {}-step Lanczos estimate from below, which moved by {:.1e} over its second "
          "half (spectral gaps are upper bounds to about that much)",
          options.lanczos_restarts, kLongSteps, std::abs(long_run.max - long_run.half_max)));
    } else {
      const Factor factor(laplacian_form(w, -1.0, n - 1));
      auto gap = smallest_by_shift_invert(factor, n, true, options.tolerance, report.matrix_products);
      if (!gap) throw std::runtime_error("shift-invert Lanczos for lambda_2 did not converge");
      gaps.one_minus_lambda_2 = *gap;
      report.notes.push_back(fmt::format(
          "lambda_2: slow mixing (a {}-step Lanczos probe gives 1 - lambda_2 <= {:.2g}), so "
          "shift-invert Lanczos on the grounded Laplacian I - W (sparse LDL^T, {} non-zeros in "
          "the factor)",
          kProbeSteps, 1.0 - probe, factor.matrixL().nestedExpression().nonZeros()));
    }
  }
  // lambda_min.
  if (pattern.bipartite && pattern.zero_diagonal) {
    report.notes.push_back("lambda_min = -1 exactly: bipartite graph with zero self-weights");
    return gaps;  // one_plus_lambda_min = 0
  }
  const double lambda_2 = 1.0 - gaps.one_minus_lambda_2;
  const double lower = gershgorin_lower_bound(w);
  // Gershgorin proves |lambda_min| <= lambda_2: lambda_min cannot set spectral_gap,
  // so a small Lanczos budget is enough and an estimate is acceptable.
  const bool irrelevant = -lower <= lambda_2;
  const double estimate = ritz_extremes(w, 0.0, kProbeSteps, report.matrix_products).min;
  if (1.0 + estimate >= kSlowMixing || irrelevant) {
    ProductOp plain{w, 0.0, &report.matrix_products};
    if (auto value = extreme_eigenvalue(plain, Spectra::SortRule::SmallestAlge, options.lanczos_vectors,
                                        irrelevant ? std::min(5, options.lanczos_restarts) : options.lanczos_restarts,
                                        options.tolerance)) {
      gaps.one_plus_lambda_min = 1.0 + *value;
      report.notes.push_back("lambda_min: Lanczos on W");
      return gaps;
    }
  }
  if (irrelevant) {
    gaps.one_plus_lambda_min = 1.0 + estimate;
    report.notes.push_back(fmt::format(
        "lambda_min: Lanczos did not converge (clustered bottom eigenvalues); reported value is a "
        "{}-step Lanczos estimate, lambda_min lies in [{:.10g}, {:.10g}] (Gershgorin, Ritz); it "
        "cannot change spectral_gap since |lambda_min| <= lambda_2",
        kProbeSteps, lower, estimate));
    return gaps;
  }
  // Shift-invert at -1 separates lambda_min only when it is close to -1 (and
  // only then is the factorisation worth its fill-in).
  if (1.0 + estimate < kSlowMixing) {
    const Factor factor(laplacian_form(w, 1.0, n));
    if (auto value = smallest_by_shift_invert(factor, n, false, options.tolerance, report.matrix_products)) {
      gaps.one_plus_lambda_min = *value;
      report.notes.push_back("lambda_min: close to -1, so shift-invert Lanczos on I + W (sparse LDL^T)");
      return gaps;
    }
  }
  const RitzExtremes long_run = ritz_extremes(w, 0.0, kLongSteps, report.matrix_products);
  gaps.one_plus_lambda_min = 1.0 + long_run.min;
  report.notes.push_back(fmt::format(
      "lambda_min: restarted Lanczos did not converge; reported value is a {}-step Lanczos "
      "estimate from above, which moved by {:.1e} over its second half; it lies in [{:.10g}, "
      "{:.10g}] and spectral_gap is an upper bound",
      kLongSteps, std::abs(long_run.half_min - long_run.min), lower, long_run.min));
  return gaps;
}

}  // namespace

SpectralReport analyze_spectrum(const SparseMatrix& w, const SpectralOptions& options) {
  const Eigen::Index n = w.rows();
  if (w.cols() != n || n < 2) {
    throw TopologyError(fmt::format("spectral analysis needs a square W with at least 2 nodes, got {} x {}",
                                    w.rows(), w.cols()));
  }
  SpectralReport report;
  const Pattern pattern = read_pattern(w);
  report.components = pattern.components;
  report.connected = pattern.components == 1;

  bool dense = options.method == SpectralMethod::dense ||
               (options.method == SpectralMethod::automatic &&
                static_cast<std::size_t>(n) <= options.dense_limit);
  // Spectra needs a basis larger than one vector; tiny graphs are dense anyway.
  if (n < 4) dense = true;
  Gaps gaps = dense ? dense_gaps(w, report) : lanczos_gaps(w, pattern, options, report);

  // What the structure proves exactly overrides rounding.
  if (!report.connected) {
    gaps.one_minus_lambda_2 = 0.0;
    report.notes.push_back(fmt::format(
        "graph is disconnected ({} components): lambda_2 = 1 and both gaps are 0; gossip never "
        "reaches consensus", pattern.components));
  }
  if (report.connected && pattern.bipartite && pattern.zero_diagonal) gaps.one_plus_lambda_min = 0.0;
  gaps.one_minus_lambda_2 = std::clamp(gaps.one_minus_lambda_2, 0.0, 2.0);
  gaps.one_plus_lambda_min = std::clamp(gaps.one_plus_lambda_min, 0.0, 2.0);

  report.lambda_2 = 1.0 - gaps.one_minus_lambda_2;
  report.lambda_min = gaps.one_plus_lambda_min - 1.0;
  report.spectral_gap_signed = gaps.one_minus_lambda_2;
  // 1 - max(|l2|, |lmin|) = min(1 - l2, 1 + l2, 1 - lmin, 1 + lmin) = min(1 - l2, 1 + lmin),
  // because lmin <= l2.
  report.spectral_gap = std::min(gaps.one_minus_lambda_2, gaps.one_plus_lambda_min);
  return report;
}

}  // namespace dlsim
