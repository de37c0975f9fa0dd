#include "privacy/privacy_ledger.hpp"

#include <algorithm>
#include <stdexcept>

namespace dlsim {

PrivacyLedger::PrivacyLedger(std::vector<double> sampling_rates, double noise_multiplier, double delta)
    : rates_(std::move(sampling_rates)), steps_(rates_.size(), 0), noise_multiplier_(noise_multiplier), delta_(delta) {
  if (!(noise_multiplier > 0.0)) throw std::invalid_argument("privacy ledger: the noise multiplier must be > 0");
  if (!(delta > 0.0 && delta < 1.0)) throw std::invalid_argument("privacy ledger: delta must be in (0, 1)");
  for (double rate : rates_) {
    if (!(rate > 0.0 && rate <= 1.0)) throw std::invalid_argument("privacy ledger: sampling rates must be in (0, 1]");
    largest_rate_ = std::max(largest_rate_, rate);
  }
  for (double order : default_renyi_orders())
    step_rdp_.push_back(largest_rate_ > 0 ? sampled_gaussian_renyi_divergence(largest_rate_, noise_multiplier_, order)
                                          : 0.0);
}

std::uint64_t PrivacyLedger::max_steps() const {
  return steps_.empty() ? 0 : *std::max_element(steps_.begin(), steps_.end());
}

PrivacySpent PrivacyLedger::spent_after(std::uint64_t steps) const {
  std::vector<double> rdp(step_rdp_.size());
  for (std::size_t i = 0; i < rdp.size(); ++i) rdp[i] = double(steps) * step_rdp_[i];
  return epsilon_from_renyi(default_renyi_orders(), rdp, delta_);
}

}  // namespace dlsim
