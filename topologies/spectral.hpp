// Spectral analysis of a mixing matrix W (symmetric, doubly stochastic).
//
// Names, each meaning exactly one thing (papers differ; see DESIGN.md, 6):
//   lambda_2             the second largest eigenvalue of W (1 is the largest)
//   lambda_min           the smallest eigenvalue of W (>= -1)
//   spectral_gap         1 - max(|lambda_2|, |lambda_min|): CHOCO-SGD's delta
//                        (Koloskova, Stich, Jaggi, ICML 2019), the contraction
//                        of one gossip step on the disagreement
//   spectral_gap_signed  1 - lambda_2: the Laplacian's algebraic connectivity
//                        (Fiedler value of I - W); what lazy chains and
//                        continuous-time gossip depend on
// (Lian et al. 2017 use rho = |lambda_2|^2; it is (1 - spectral_gap)^2 here.)
// A disconnected graph has lambda_2 = 1 and both gaps 0.
//
// Two methods:
//   dense    Eigen's self-adjoint solver on the dense W: all eigenvalues,
//            O(n^3) time and 8 n^2 bytes; the default up to `dense_limit` nodes.
//   lanczos  implicitly restarted Lanczos (Spectra, after ARPACK: Lehoucq and
//            Sorensen 1996) on the sparse W, O(nnz) per product:
//            lambda_2 from W - 2 11^T/n (moves eigenvalue 1 to -1, below the
//            rest); if that does not converge within the restart budget (slow
//            mixing: rings, paths, tori, whose gap is ~ 1/n^2), lambda_2 comes
//            from shift-invert: Lanczos on the pseudo-inverse of the Laplacian
//            L = I - W, applied by a sparse LDL^T factorisation of L with one
//            node grounded. Its largest eigenvalue 1/(1 - lambda_2) is well
//            separated, and 1 - lambda_2 comes out to full relative precision
//            even when it is 1e-11. lambda_min likewise: plain Lanczos, then
//            shift-invert on I + W; when neither converges (a cluster of
//            eigenvalues at the bottom, e.g. even rings) but Gershgorin's bound
//            proves |lambda_min| <= lambda_2, lambda_min is reported as an
//            estimate with its bracket and the gaps are still exact. Each
//            report says what was done in `notes`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "topologies/mixing.hpp"

namespace dlsim {

enum class SpectralMethod { automatic, dense, lanczos };

struct SpectralOptions {
  SpectralMethod method = SpectralMethod::automatic;
  std::size_t dense_limit = 2000;  // automatic: dense up to this many nodes
  double tolerance = 1e-10;        // Lanczos: residual <= tolerance * |eigenvalue|
  int lanczos_vectors = 40;        // Lanczos basis size (Spectra's ncv)
  int lanczos_restarts = 40;       // plain Lanczos budget before shift-invert
};

struct SpectralReport {
  double lambda_2 = 0.0;
  double lambda_min = 0.0;
  double spectral_gap = 0.0;
  double spectral_gap_signed = 0.0;
  bool connected = false;
  std::size_t components = 0;
  std::string method;               // "dense" or "lanczos"
  std::size_t matrix_products = 0;  // products with W or solves (Lanczos)
  std::vector<std::string> notes;   // how each value was obtained, caveats
};

// Analyses W. Requires W square, symmetric, with rows summing to 1 (as every
// mixing_matrix is) and n >= 2. Throws std::runtime_error if Lanczos fails.
SpectralReport analyze_spectrum(const SparseMatrix& w, const SpectralOptions& options = {});

}  // namespace dlsim
