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
//            Sorensen 1996) on the sparse W, O(nnz + n ncv) per product.
//            A 300-step Lanczos probe first estimates 1 - lambda_2.
//            Fast mixing (>= 1e-3): lambda_2 from Lanczos on W - 2 11^T/n
//            (which moves eigenvalue 1 to -1, below the rest). When the
//            restarted solver stalls on a cluster at the spectrum's edge (a
//            random regular graph at 10^6 nodes), a 3000-step unrestarted
//            Lanczos run, whose extreme Ritz value still converges to the
//            edge, gives the value; the note says how much it moved over its
//            second half.
//            Slow mixing (rings, paths, tori: gap ~ 1/n^2, where plain Lanczos
//            would need ~ 1/sqrt(gap) products): shift-invert, i.e. Lanczos on
//            the pseudo-inverse of the Laplacian L = I - W, applied through a
//            sparse LDL^T factorisation of L with one node grounded. Its top
//            eigenvalue 1/(1 - lambda_2) is well separated, and 1 - lambda_2
//            comes out to full relative precision even at 1e-11. The
//            factorisation is cheap for low-dimensional graphs; for a large
//            slow-mixing expander-like graph its fill-in can exhaust memory.
//            lambda_min: exactly -1 for a bipartite W with zero diagonal;
//            else Lanczos on W, or shift-invert on I + W when a probe puts it
//            within 1e-3 of -1. When Lanczos stalls on a cluster of bottom
//            eigenvalues (e.g. even rings) but Gershgorin's bound proves
//            |lambda_min| <= lambda_2, lambda_min is reported as an estimate
//            with its bracket; the gaps are unaffected. Every report says in
//            `notes` how each value was obtained and what did not converge.
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
  // Lanczos: stop when the residual <= tolerance * |eigenvalue|. The eigenvalue
  // error is at most the residual, and usually its square over the separation.
  double tolerance = 1e-8;
  int lanczos_vectors = 20;    // Lanczos basis size (Spectra's ncv); the
                               // orthogonalisation costs O(n ncv) per product
  int lanczos_restarts = 20;   // restarted Lanczos budget per eigenvalue, then
                               // a long unrestarted run (see above)
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
