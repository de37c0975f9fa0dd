#include "robust/bucketing.hpp"

#include <fmt/format.h>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace dlsim {

Bucketing::Bucketing(std::size_t bucket_size, std::unique_ptr<RobustAggregator> inner)
    : s_(bucket_size), inner_(std::move(inner)) {
  if (s_ == 0) throw std::invalid_argument("bucketing: parameter 's' must be >= 1");
  if (!inner_) throw std::invalid_argument("bucketing: no inner aggregator");
}

std::string Bucketing::name() const { return fmt::format("bucketing(s={}, {})", s_, inner_->name()); }

void Bucketing::check_inputs(std::size_t n) const {
  if (n == 0) throw std::invalid_argument("bucketing: no inputs to aggregate");
  try {
    inner_->check_inputs(buckets(n));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("bucketing(s={}) makes {} buckets of {} inputs: {}", s_, buckets(n), n, e.what()));
  }
}

Eigen::VectorXd Bucketing::aggregate(std::span<const VectorView> inputs, const AggregationContext& context) const {
  robust_detail::check_shape("bucketing", inputs);
  const std::size_t n = inputs.size();
  check_inputs(n);
  AggregationContext inner_context{{}, context.centre, context.rng};
  if (s_ == 1) return inner_->aggregate(inputs, inner_context);
  if (context.rng == nullptr) throw std::invalid_argument("bucketing: needs a random stream for its permutation");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  context.rng->shuffle(std::span<std::size_t>(order));
  std::vector<Eigen::VectorXd> means;
  for (std::size_t start = 0; start < n; start += s_) {
    const std::size_t end = std::min(n, start + s_);
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(Eigen::Index(inputs[0].size()));
    for (std::size_t i = start; i < end; ++i) sum += robust_detail::as_eigen(inputs[order[i]]);
    means.push_back(sum / double(end - start));
  }
  std::vector<VectorView> views;
  for (const auto& m : means) views.emplace_back(m.data(), std::size_t(m.size()));
  return inner_->aggregate(views, inner_context);
}

double Bucketing::cost_flops(std::size_t n, std::size_t d) const {
  return double(n) * double(d) + inner_->cost_flops(buckets(n), d);
}

}  // namespace dlsim
