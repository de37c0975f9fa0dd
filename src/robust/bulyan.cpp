#include "robust/bulyan.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>
#include <stdexcept>

#include "robust/krum.hpp"

namespace dlsim {

std::string Bulyan::name() const { return fmt::format("bulyan(f={})", f_); }

void Bulyan::check_inputs(std::size_t n) const {
  if (n < 4 * f_ + 3)
    throw std::invalid_argument(fmt::format(
        "bulyan: needs n >= 4f + 3 (n = {}, f = {}): its Krum selection of n - 2f inputs must leave n - 4f >= 3 "
        "values per coordinate to trim around the median (El Mhamdi et al. 2018)",
        n, f_));
}

Eigen::VectorXd Bulyan::aggregate(std::span<const VectorView> inputs, const AggregationContext&) const {
  const std::size_t d = robust_detail::check_shape("bulyan", inputs);
  const std::size_t n = inputs.size();
  check_inputs(n);
  const std::size_t theta = n - 2 * f_;
  const std::size_t beta = theta - 2 * f_;
  const auto distances = robust_detail::pairwise_squared_distances(inputs);
  std::vector<std::size_t> candidates(n), selection;
  std::iota(candidates.begin(), candidates.end(), std::size_t{0});
  while (selection.size() < theta) {
    const auto scores = robust_detail::krum_scores(distances, candidates, f_);
    const auto best = std::size_t(std::min_element(scores.begin(), scores.end()) - scores.begin());
    selection.push_back(candidates[best]);
    candidates.erase(candidates.begin() + std::ptrdiff_t(best));
  }
  std::sort(selection.begin(), selection.end());
  Eigen::VectorXd out(Eigen::Index(d), 1);
  std::vector<double> column(theta);
  for (std::size_t k = 0; k < d; ++k) {
    for (std::size_t i = 0; i < theta; ++i) column[i] = inputs[selection[i]][k];
    std::sort(column.begin(), column.end());
    const double median = theta % 2 == 1 ? column[theta / 2] : 0.5 * (column[theta / 2 - 1] + column[theta / 2]);
    // The beta values closest to the median form a window of the sorted column;
    // slide it to the position of least total distance (ties: leftmost).
    std::size_t best_start = 0;
    double best_spread = INFINITY;
    for (std::size_t start = 0; start + beta <= theta; ++start) {
      double spread = 0.0;
      for (std::size_t i = start; i < start + beta; ++i) spread += std::abs(column[i] - median);
      if (spread < best_spread) best_spread = spread, best_start = start;
    }
    double sum = 0.0;
    for (std::size_t i = best_start; i < best_start + beta; ++i) sum += column[i];
    out[Eigen::Index(k)] = sum / double(beta);
  }
  return out;
}

double Bulyan::cost_flops(std::size_t n, std::size_t d) const {
  const double nd = double(n);
  const std::size_t theta = n > 2 * f_ ? n - 2 * f_ : 1;
  return 1.5 * nd * nd * double(d) + double(theta) * nd * robust_detail::n_log_n(n) +
         double(d) * (robust_detail::n_log_n(theta) + double(theta) * double(theta));
}

}  // namespace dlsim
