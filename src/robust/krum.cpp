#include "robust/krum.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <numeric>
#include <stdexcept>

namespace dlsim {
namespace robust_detail {

Eigen::MatrixXd pairwise_squared_distances(std::span<const VectorView> inputs) {
  const auto n = Eigen::Index(inputs.size());
  Eigen::MatrixXd distances = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = i + 1; j < n; ++j)
      distances(i, j) = distances(j, i) = squared_distance(inputs[std::size_t(i)], inputs[std::size_t(j)]);
  return distances;
}

std::vector<double> krum_scores(const Eigen::MatrixXd& distances, std::span<const std::size_t> active, std::size_t f) {
  const std::size_t count = active.size();
  const std::size_t neighbours = count > f + 3 ? count - f - 2 : 1;
  std::vector<double> scores(count), row;
  for (std::size_t a = 0; a < count; ++a) {
    row.clear();
    for (std::size_t b = 0; b < count; ++b)
      if (b != a) row.push_back(distances(Eigen::Index(active[a]), Eigen::Index(active[b])));
    const std::size_t k = std::min(neighbours, row.size());
    std::partial_sort(row.begin(), row.begin() + std::ptrdiff_t(k), row.end());
    double score = 0.0;
    for (std::size_t i = 0; i < k; ++i) score += row[i];  // ascending: a fixed order
    scores[a] = score;
  }
  return scores;
}

}  // namespace robust_detail

Krum::Krum(std::size_t f, std::size_t m) : f_(f), m_(m) {}

std::string Krum::name() const {
  return m_ == 1 ? fmt::format("krum(f={})", f_) : fmt::format("multi-krum(f={}, m={})", f_, m_);
}

void Krum::check_inputs(std::size_t n) const {
  if (n <= 2 * f_ + 2)
    throw std::invalid_argument(fmt::format(
        "krum: needs n > 2f + 2 (n = {}, f = {}): otherwise an honest input's n - f - 2 nearest neighbours may be "
        "mostly attackers (Blanchard et al. 2017)",
        n, f_));
  if (m_ > n) throw std::invalid_argument(fmt::format("multi-krum: parameter 'm' = {} exceeds the n = {} inputs", m_, n));
}

std::vector<std::size_t> Krum::selected(std::span<const VectorView> inputs) const {
  robust_detail::check_shape("krum", inputs);
  const std::size_t n = inputs.size();
  check_inputs(n);
  const std::size_t m = m_ == 0 ? n - f_ : m_;
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), std::size_t{0});
  const auto scores = robust_detail::krum_scores(robust_detail::pairwise_squared_distances(inputs), all, f_);
  std::vector<std::size_t> order = all;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  order.resize(m);
  std::sort(order.begin(), order.end());
  return order;
}

Eigen::VectorXd Krum::aggregate(std::span<const VectorView> inputs, const AggregationContext&) const {
  const auto chosen = selected(inputs);
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(Eigen::Index(inputs[0].size()));
  for (std::size_t i : chosen) sum += robust_detail::as_eigen(inputs[i]);
  return sum / double(chosen.size());
}

double Krum::cost_flops(std::size_t n, std::size_t d) const {
  const double nd = double(n);
  const std::size_t m = m_ == 0 ? n : m_;
  return 1.5 * nd * nd * double(d) + nd * robust_detail::n_log_n(n) + double(std::min(m, n)) * double(d);
}

}  // namespace dlsim
