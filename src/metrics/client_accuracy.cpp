// Per-client accuracy of one model; see client_accuracy.hpp.
#include "metrics/client_accuracy.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

#include "sim/detail/tsan_annotations.hpp"
#include "sim/random.hpp"

namespace dlsim {

double nearest_rank_percentile(std::vector<double> values, double q) {
  if (values.empty() || !(q > 0) || q > 1)
    throw std::invalid_argument("nearest_rank_percentile: no values or q outside (0, 1]");
  // ceil(q n) computed so that q n = 3 exactly (q = 0.1, n = 30) is not rounded up to 4.
  const double rank = std::ceil(q * static_cast<double>(values.size()) * (1 - 1e-12));
  const std::size_t index = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return values[index];
}

AccuracyDistribution accuracy_distribution(std::span<const double> accuracies) {
  AccuracyDistribution result;
  for (double accuracy : accuracies) result.mean += accuracy;
  result.mean /= static_cast<double>(accuracies.size());
  result.p10 =
      nearest_rank_percentile(std::vector<double>(accuracies.begin(), accuracies.end()), 0.1);
  return result;
}

std::vector<NodeId> evaluated_clients(std::uint32_t clients, std::uint32_t sample,
                                      std::uint64_t seed) {
  std::vector<NodeId> chosen;
  if (clients <= sample) {
    chosen.resize(clients);
    for (NodeId client = 0; client < clients; ++client) chosen[client] = client;
    return chosen;
  }
  // Floyd: for j = N - k .. N - 1, take a uniform t in [0, j], or j itself
  // when t is already taken; every k-subset is equally likely, k draws.
  RandomStream rng(seed, 0, purpose_id("metrics.client_sample"));
  std::unordered_set<NodeId> taken;
  taken.reserve(sample);
  for (std::uint32_t j = clients - sample; j < clients; ++j) {
    const auto t = static_cast<NodeId>(rng.uniform_int(static_cast<std::uint64_t>(j) + 1));
    taken.insert(taken.count(t) ? j : t);
  }
  chosen.assign(taken.begin(), taken.end());
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

ClientAccuracy::ClientAccuracy(std::shared_ptr<const Model> model, SharedDataset data,
                               const std::vector<std::vector<std::uint32_t>>& partition,
                               std::uint32_t sample, std::uint64_t seed)
    : model_(std::move(model)), data_(std::move(data)) {
  if (!model_ || !model_->has_accuracy() || !data_ || sample == 0)
    throw std::invalid_argument(
        "client accuracy needs a classifier, its data and a sample of at least one client");
  offsets_.push_back(0);
  for (NodeId client :
       evaluated_clients(static_cast<std::uint32_t>(partition.size()), sample, seed)) {
    if (partition[client].empty()) continue;
    clients_.push_back(client);
    indices_.insert(indices_.end(), partition[client].begin(), partition[client].end());
    offsets_.push_back(indices_.size());
  }
}

std::vector<double> ClientAccuracy::accuracies(std::span<const double> x) const {
  std::vector<double> result(clients_.size());
  DLSIM_HAPPENS_BEFORE(&result);
  tbb::parallel_for(std::size_t{0}, clients_.size(), [&](std::size_t i) {
    DLSIM_HAPPENS_AFTER(&result);
    // A workspace per client: nothing a task computes depends on which thread ran it before.
    const auto workspace = model_->make_workspace();
    const std::span<const std::uint32_t> rows(indices_.data() + offsets_[i],
                                              offsets_[i + 1] - offsets_[i]);
    result[i] = model_->accuracy(x, *data_, rows, *workspace);
    DLSIM_HAPPENS_BEFORE(&result[0]);
  });
  DLSIM_HAPPENS_AFTER(&result[0]);
  return result;
}

}  // namespace dlsim
