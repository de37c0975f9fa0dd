#include "scenario/privacy_section.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "privacy/noise_calibration.hpp"
#include "scenario/experiment_builder.hpp"

namespace dlsim {

std::vector<KeySpec> privacy_keys() {
  KeySpec clip_norm =
      key_spec("clip_norm", ValueType::real, "1.0", "C, the norm bound of each sample's gradient (dp-sgd) or client's update (dp-fedavg) (> 0; inf: no "
                   "clipping)");
  clip_norm.infinity_allowed = true;
  return {
      choice_spec("mechanism", {"none", "dp-sgd", "dp-fedavg", "local-dp"}, "none",
                  "none; dp-sgd: sample-level DP-SGD (Abadi et al., CCS 2016) for every gradient the nodes or clients "
                  "compute: per-sample gradients clipped to clip_norm, Gaussian noise noise_multiplier * clip_norm "
                  "added to their sum, divided by the expected batch size; dp-fedavg: user-level DP-FedAvg "
                  "(McMahan et al., ICLR 2018) for fedavg and fedprox: the server clips each client update to "
                  "clip_norm, adds the noise to their sum and divides by clients_per_round (needs algorithm.sampling "
                  "= \"poisson\"); local-dp: local DP on messages: every sender clips what it sends (a federated "
                  "client's update, a gossiping node's change since its previous message) to clip_norm and adds the "
                  "noise itself; accounted per node over its messages (sensitivity 2 clip_norm, q = 1)"),
      clip_norm,
      key_spec("noise_multiplier", ValueType::real_or_auto, "1.0",
               "sigma, the noise standard deviation over C (>= 0); \"auto\": the smallest that makes the whole run "
               "spend target_epsilon"),
      key_spec("target_epsilon", ValueType::real, "0.0",
               "with noise_multiplier = \"auto\": the epsilon the whole run may spend (> 0)", 0),
      key_spec("delta", ValueType::real_or_auto, "\"auto\"",
               "the delta of the reported (epsilon, delta), in (0, 1); \"auto\": 1 / n^1.1 with n the smallest "
               "node's (or client's) sample count; dp-fedavg: n the number of clients"),
      choice_spec("clipping", {"fixed", "adaptive"}, "fixed",
                  "dp-fedavg: fixed C = clip_norm, or adaptive (Andrew et al., NeurIPS 2021): C starts at clip_norm "
                  "and moves geometrically toward the target_quantile of the update norms, from a noised count"),
      key_spec("target_quantile", ValueType::real, "0.5",
               "clipping = \"adaptive\": gamma, the fraction of updates C should leave unclipped", 0, 1),
      key_spec("clip_learning_rate", ValueType::real, "0.2",
               "clipping = \"adaptive\": eta_C in C <- C exp(-eta_C (b - gamma)) (> 0)", 1e-300),
      key_spec("count_noise", ValueType::real_or_auto, "\"auto\"",
               "clipping = \"adaptive\": sigma_b, the noise on the count of unclipped updates (> noise_multiplier "
               "/ 2); \"auto\": clients_per_round / 20 (the paper's choice)"),
      key_spec("weight_cap", ValueType::real_or_auto, "\"auto\"",
               "dp-fedavg with algorithm.weighting = \"samples\": w_hat in the bounded weight w_k = min(n_k / "
               "w_hat, 1) (McMahan et al.'s weighted estimator; > 0); \"auto\": the largest client's sample count"),
      choice_spec("sampling", {"poisson", "fixed-size"}, "poisson",
                  "poisson: each step's batch takes every sample of the node independently with probability "
                  "batch_size / n_i (what the accountant assumes); fixed-size: the usual shuffled batches, only "
                  "without noise (no (epsilon, delta) can be claimed for them here)"),
  };
}

namespace {

constexpr const char* kAccountantText =
    "Renyi DP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019), composed over steps, "
    "converted to (epsilon, delta) at the best order (1.1 to 10.9 by 0.1, 1.25, 1.75, 11 to 64, 128, 256, 512, "
    "1024) by Balle et al. 2020 (as Opacus's get_privacy_spent)";

// privacy.delta: given, or 1 / n^1.1 for "auto" (`what` names n).
void read_delta(const Scenario& scenario, std::size_t n, const std::string& what, PrivacyChoice& choice) {
  if (scenario.is_auto("privacy.delta")) {
    choice.delta = 1.0 / std::pow(static_cast<double>(n), 1.1);
    choice.delta_rule = fmt::format("1 / n^1.1, n = {} ({})", n, what);
  } else {
    choice.delta = scenario.real("privacy.delta");
    choice.delta_rule = "given";
  }
  if (!(choice.delta > 0.0 && choice.delta < 1.0))
    fail_at_key(scenario, "privacy.delta", fmt::format("must be in (0, 1), got {}", choice.delta));
}

// privacy.noise_multiplier, given or calibrated so that `planned_steps`
// steps at sampling rate `rate` spend target_epsilon ("auto"; then
// choice.target_epsilon is set). `poisson`: whether the accountant's
// sampling assumption holds (else "auto" is refused).
double read_noise_multiplier(const Scenario& scenario, double clip_norm, double rate, std::uint64_t planned_steps,
                             bool poisson, const std::string& who, PrivacyChoice& choice) {
  const double target = scenario.real("privacy.target_epsilon");
  double sigma = 0;
  if (scenario.is_auto("privacy.noise_multiplier")) {
    if (!(target > 0.0))
      fail_at_key(scenario, "privacy.target_epsilon", "noise_multiplier = \"auto\" needs a target_epsilon > 0");
    if (!poisson)
      fail_at_key(scenario, "privacy.sampling", "a target epsilon is accounted for Poisson sampling only");
    if (std::isinf(clip_norm)) fail_at_key(scenario, "privacy.clip_norm", "noise needs a finite clip norm");
    if (planned_steps == 0)
      fail_at_key(scenario, "privacy.target_epsilon",
                  fmt::format("{} does not fix its number of steps before the run (e.g. local_time_budget)", who));
    const auto found = find_noise_multiplier(target, choice.delta, rate, planned_steps);
    if (!found)
      fail_at_key(scenario, "privacy.target_epsilon",
                  fmt::format("{} at delta {:.3g} is out of reach: even noise multiplier {:g} spends more in {} steps "
                              "at sampling rate {:.4g}",
                              target, choice.delta, kMaxNoiseMultiplier, planned_steps, rate));
    sigma = *found;
    choice.target_epsilon = target;
  } else {
    if (target != 0.0)
      fail_at_key(scenario, "privacy.target_epsilon", "set noise_multiplier = \"auto\" to calibrate for a target epsilon");
    sigma = scenario.real("privacy.noise_multiplier");
    if (!(sigma >= 0.0)) fail_at_key(scenario, "privacy.noise_multiplier", fmt::format("must be >= 0, got {}", sigma));
  }
  if (sigma > 0.0 && std::isinf(clip_norm))
    fail_at_key(scenario, "privacy.clip_norm", "noise needs a finite clip norm (the noise is noise_multiplier * clip_norm)");
  return sigma;
}

double read_clip_norm(const Scenario& scenario) {
  const double clip_norm = scenario.real("privacy.clip_norm");
  if (!(clip_norm > 0.0)) fail_at_key(scenario, "privacy.clip_norm", fmt::format("must be > 0, got {}", clip_norm));
  return clip_norm;
}

}  // namespace

PrivacyChoice read_privacy(const Scenario& scenario, const std::vector<std::vector<std::uint32_t>>& partition,
                           std::size_t batch_size, std::uint64_t planned_steps, bool computes_gradients,
                           bool generated_samples, const std::string& who) {
  PrivacyChoice choice;
  choice.mechanism = scenario.text("privacy.mechanism");
  if (choice.mechanism == "dp-fedavg")
    fail_at_key(scenario, "privacy.mechanism",
                fmt::format("dp-fedavg is user-level DP for the synchronous federated kinds fedavg and fedprox, not {}",
                            who));
  if (choice.mechanism == "local-dp")
    throw std::logic_error("read_privacy: local-dp is read by read_message_privacy");
  if (!choice.active()) {
    if (scenario.has("stop.privacy_budget"))
      fail_at_key(scenario, "stop.privacy_budget", "there is no privacy budget to spend: privacy.mechanism is \"none\"");
    return choice;
  }
  if (!computes_gradients)
    fail_at_key(scenario, "privacy.mechanism", fmt::format("{} computes no gradients to make private", who));
  if (generated_samples)
    fail_at_key(scenario, "privacy.mechanism",
                "DP-SGD samples from each node's stored data; samples generated on demand have no data set to protect");
  if (scenario.text("privacy.clipping") != "fixed")
    fail_at_key(scenario, "privacy.clipping", "adaptive clipping is for dp-fedavg; dp-sgd clips to a fixed clip_norm");
  DpSgdParameters& parameters = choice.sample.parameters;
  parameters.clip_norm = read_clip_norm(scenario);
  choice.sample.enabled = true;
  choice.sample.poisson = scenario.text("privacy.sampling") == "poisson";

  std::size_t smallest = std::numeric_limits<std::size_t>::max();
  double largest_rate = 0;
  std::vector<double> rates;
  for (const auto& indices : partition) {
    smallest = std::min(smallest, indices.size());
    rates.push_back(indices.empty() ? 1.0 : poisson_sampling_rate(batch_size, indices.size()));
    largest_rate = std::max(largest_rate, rates.back());
  }
  if (partition.empty() || smallest == 0)
    fail_at_key(scenario, "privacy.mechanism", "every node needs training samples of its own");
  read_delta(scenario, smallest, "the smallest node's samples", choice);
  parameters.noise_multiplier = read_noise_multiplier(scenario, parameters.clip_norm, largest_rate, planned_steps,
                                                      choice.sample.poisson, who, choice);
  if (parameters.noise_multiplier > 0.0 && !choice.sample.poisson)
    fail_at_key(scenario, "privacy.sampling",
                "the accountant covers Poisson sampling only; fixed-size batches are allowed without noise");
  choice.planned_steps = planned_steps;
  if (parameters.noise_multiplier > 0.0)
    choice.sample.ledger = std::make_shared<PrivacyLedger>(rates, parameters.noise_multiplier, choice.delta);
  if (scenario.has("stop.privacy_budget") && !choice.sample.ledger)
    fail_at_key(scenario, "stop.privacy_budget", "without noise (noise_multiplier = 0) no epsilon is ever within budget");
  return choice;
}

namespace {

nlohmann::json user_privacy_summary(const PrivacyChoice& choice) {
  const UserPrivacy& user = choice.user;
  nlohmann::json block = {
      {"mechanism", choice.mechanism},
      {"level", "user"},
      {"clip_norm", std::isinf(user.clip_norm) ? nlohmann::json("inf") : nlohmann::json(user.clip_norm)},
      {"noise_multiplier", user.noise_multiplier},
      {"sampling", "poisson (clients)"},
      {"expected_cohort", user.expected_cohort},
      {"clipping", user.adaptive ? "adaptive" : "fixed"},
      {"weighting", user.client_weights.empty() ? "uniform (every clipped update once, over q N)"
                                                : "samples (w_k = min(n_k / weight_cap, 1), over q W)"},
      {"delta", choice.delta},
      {"delta_rule", choice.delta_rule},
      {"planned_steps", choice.planned_steps}};
  if (choice.target_epsilon > 0) block["target_epsilon"] = choice.target_epsilon;
  if (!user.client_weights.empty()) {
    block["weight_cap"] = user.weight_cap;
    block["weighted_denominator"] = user.weighted_denominator;
    block["largest_weight"] = user.largest_weight;
  }
  if (user.adaptive) {
    block["target_quantile"] = user.target_quantile;
    block["clip_learning_rate"] = user.clip_learning_rate;
    block["count_noise"] = user.count_noise;
    block["update_noise_multiplier"] = user.update_noise_multiplier;
  }
  if (!user.ledger) {
    block["epsilon"] = nullptr;
    block["accountant"] = "none: without noise no (epsilon, delta) is claimed";
    return block;
  }
  const PrivacySpent spent = user.ledger->spent();
  block["epsilon"] = spent.epsilon;
  block["renyi_order"] = spent.order;
  block["steps"] = user.ledger->max_steps();
  block["sampling_rate"] = user.ledger->largest_sampling_rate();
  block["accountant"] = kAccountantText;
  block["assumptions"] =
      "add/remove-one-client adjacency (all of a client's data); every round's cohort Poisson-sampled, each client "
      "independently at rate q = clients_per_round / nodes (a busy, unavailable or crashed client is left out: its "
      "inclusion probability is q or 0, which the bound covers); each released model one step of sensitivity "
      "clip_norm (the server clips every decoded update, waits for its whole cohort and never abandons a round; "
      "failures only remove updates); a trusted server (central DP): the released models are protected, not the "
      "updates it sees";
  return block;
}

}  // namespace

PrivacyChoice read_user_privacy(const Scenario& scenario, std::uint32_t clients, std::uint32_t clients_per_round,
                                std::uint64_t rounds) {
  PrivacyChoice choice;
  choice.mechanism = scenario.text("privacy.mechanism");
  UserPrivacy& user = choice.user;
  user.enabled = true;
  user.clip_norm = read_clip_norm(scenario);
  if (scenario.text("privacy.sampling") != "poisson")
    fail_at_key(scenario, "privacy.sampling",
                "dp-fedavg samples clients, not data: the cohort's sampling is algorithm.sampling = \"poisson\"");
  const double rate = static_cast<double>(clients_per_round) / static_cast<double>(clients);
  user.expected_cohort = static_cast<double>(clients_per_round);
  read_delta(scenario, clients, "the clients", choice);
  user.noise_multiplier = read_noise_multiplier(scenario, user.clip_norm, rate, rounds, true, "dp-fedavg", choice);
  user.update_noise_multiplier = user.noise_multiplier;
  user.adaptive = scenario.text("privacy.clipping") == "adaptive";
  if (user.adaptive) {
    if (std::isinf(user.clip_norm))
      fail_at_key(scenario, "privacy.clip_norm", "adaptive clipping starts from a finite clip_norm");
    user.target_quantile = scenario.real("privacy.target_quantile");
    user.clip_learning_rate = scenario.real("privacy.clip_learning_rate");
    user.count_noise = scenario.is_auto("privacy.count_noise") ? user.expected_cohort / 20.0
                                                                : scenario.real("privacy.count_noise");
    if (!(user.count_noise >= 0.0))
      fail_at_key(scenario, "privacy.count_noise", fmt::format("must be >= 0, got {}", user.count_noise));
    const auto update_noise = adaptive_update_noise(user.noise_multiplier, user.count_noise);
    if (!update_noise)
      fail_at_key(scenario, "privacy.count_noise",
                  fmt::format("{:.4g} is too small for noise multiplier {:.4g}: the count's noise alone would have to "
                              "spend the whole budget; it must exceed noise_multiplier / 2 (or set fewer noise)",
                              user.count_noise, user.noise_multiplier));
    user.update_noise_multiplier = *update_noise;
  }
  choice.planned_steps = rounds;
  if (user.noise_multiplier > 0.0)
    user.ledger = std::make_shared<PrivacyLedger>(std::vector<double>{rate}, user.noise_multiplier, choice.delta);
  if (scenario.has("stop.privacy_budget") && !user.ledger)
    fail_at_key(scenario, "stop.privacy_budget", "without noise (noise_multiplier = 0) no epsilon is ever within budget");
  return choice;
}

PrivacyChoice read_message_privacy(const Scenario& scenario, std::uint32_t nodes, std::uint64_t planned_messages,
                                   const std::string& who, const std::string& what_is_sent) {
  PrivacyChoice choice;
  choice.mechanism = scenario.text("privacy.mechanism");
  MessagePrivacy& message = choice.message;
  message.enabled = true;
  message.clip_norm = read_clip_norm(scenario);
  if (scenario.text("privacy.clipping") != "fixed")
    fail_at_key(scenario, "privacy.clipping", "adaptive clipping is for dp-fedavg; local-dp clips to a fixed clip_norm");
  if (nodes == 0) fail_at_key(scenario, "privacy.mechanism", "local-dp needs nodes that send");
  read_delta(scenario, nodes, "the nodes", choice);
  // Each message is a Gaussian mechanism (q = 1) of multiplier sigma / 2: calibrate that, report sigma.
  const double sigma = read_noise_multiplier(scenario, message.clip_norm / 2.0, 1.0, planned_messages, true, who, choice);
  message.noise_multiplier = scenario.is_auto("privacy.noise_multiplier") ? 2.0 * sigma : sigma;
  if (message.noise_multiplier > 0.0 && std::isinf(message.clip_norm))
    fail_at_key(scenario, "privacy.clip_norm", "noise needs a finite clip norm (the noise is noise_multiplier * clip_norm)");
  choice.planned_steps = planned_messages;
  choice.delta_rule += "; sent: " + what_is_sent;
  if (message.noise_multiplier > 0.0)
    message.ledger = std::make_shared<PrivacyLedger>(std::vector<double>(nodes, 1.0),
                                                     local_dp_accounted_noise_multiplier(message.noise_multiplier),
                                                     choice.delta);
  if (scenario.has("stop.privacy_budget") && !message.ledger)
    fail_at_key(scenario, "stop.privacy_budget", "without noise (noise_multiplier = 0) no epsilon is ever within budget");
  return choice;
}

namespace {

nlohmann::json message_privacy_summary(const PrivacyChoice& choice) {
  const MessagePrivacy& message = choice.message;
  nlohmann::json block = {
      {"mechanism", choice.mechanism},
      {"level", "node (local)"},
      {"clip_norm", std::isinf(message.clip_norm) ? nlohmann::json("inf") : nlohmann::json(message.clip_norm)},
      {"noise_multiplier", message.noise_multiplier},
      {"sampling", "none (q = 1: every message)"},
      {"delta", choice.delta},
      {"delta_rule", choice.delta_rule},
      {"planned_steps", choice.planned_steps}};
  if (choice.target_epsilon > 0) block["target_epsilon"] = choice.target_epsilon;
  if (!message.ledger) {
    block["epsilon"] = nullptr;
    block["accountant"] = "none: without noise no (epsilon, delta) is claimed";
    return block;
  }
  const PrivacySpent spent = message.ledger->spent();
  block["epsilon"] = spent.epsilon;
  block["renyi_order"] = spent.order;
  block["steps"] = message.ledger->max_steps();
  block["accounted_noise_multiplier"] = message.ledger->noise_multiplier();
  block["accountant"] =
      "Renyi DP of the Gaussian mechanism, alpha / (2 s^2) per message with s = noise_multiplier / 2, composed "
      "over the messages of the node that sent the most, converted to (epsilon, delta) at the best order by Balle "
      "et al. 2020";
  block["assumptions"] =
      "local DP: any two data sets of one node (replace its whole data), so the sensitivity of a message clipped "
      "to clip_norm is 2 clip_norm; each message one Gaussian mechanism with noise noise_multiplier * clip_norm "
      "added by the sender, whoever receives it; the same message to several neighbours counts once; message "
      "sizes, times, sample counts and the number of messages are public";
  return block;
}

}  // namespace

void weigh_user_privacy(const Scenario& scenario, const std::vector<std::size_t>& samples,
                        std::uint32_t clients_per_round, PrivacyChoice& choice) {
  UserPrivacy& user = choice.user;
  double cap = 0;
  if (scenario.is_auto("privacy.weight_cap")) {
    for (std::size_t n : samples) cap = std::max(cap, static_cast<double>(n));
  } else {
    cap = scenario.real("privacy.weight_cap");
  }
  if (!(cap > 0.0 && std::isfinite(cap)))
    fail_at_key(scenario, "privacy.weight_cap", fmt::format("must be a finite number > 0, got {}", cap));
  double total = 0;
  user.client_weights.clear();
  user.largest_weight = 0;
  for (std::size_t n : samples) {
    user.client_weights.push_back(std::min(static_cast<double>(n) / cap, 1.0));
    total += user.client_weights.back();
    user.largest_weight = std::max(user.largest_weight, user.client_weights.back());
  }
  if (!(total > 0.0)) fail_at_key(scenario, "algorithm.weighting", "no client holds a sample to weigh by");
  user.weight_cap = cap;
  // q W = K W / N, written so that equal weights of 1 give K exactly.
  user.weighted_denominator = static_cast<double>(clients_per_round) * total / static_cast<double>(samples.size());
}

nlohmann::json privacy_summary(const PrivacyChoice& choice) {
  if (choice.user.enabled) return user_privacy_summary(choice);
  if (choice.message.enabled) return message_privacy_summary(choice);
  const DpSgdParameters& parameters = choice.sample.parameters;
  nlohmann::json block = {
      {"mechanism", choice.mechanism},
      {"level", "sample"},
      {"clip_norm", std::isinf(parameters.clip_norm) ? nlohmann::json("inf") : nlohmann::json(parameters.clip_norm)},
      {"noise_multiplier", parameters.noise_multiplier},
      {"sampling", choice.sample.poisson ? "poisson" : "fixed-size"},
      {"delta", choice.delta},
      {"delta_rule", choice.delta_rule},
      {"planned_steps", choice.planned_steps}};
  if (choice.target_epsilon > 0) block["target_epsilon"] = choice.target_epsilon;
  if (!choice.sample.ledger) {
    block["epsilon"] = nullptr;
    block["accountant"] = "none: without noise no (epsilon, delta) is claimed";
    return block;
  }
  const PrivacyLedger& ledger = *choice.sample.ledger;
  const PrivacySpent spent = ledger.spent();
  block["epsilon"] = spent.epsilon;
  block["renyi_order"] = spent.order;
  block["steps"] = ledger.max_steps();
  block["sampling_rate"] = ledger.largest_sampling_rate();
  block["accountant"] = kAccountantText;
  block["assumptions"] =
      "add/remove-one-sample adjacency within each node's own data set; every step's batch Poisson-sampled at rate "
      "q_i = batch_size / n_i; sensitivity clip_norm; the worst node's bound (largest q_i, most steps started); "
      "messages, models and the number of steps are public";
  return block;
}

}  // namespace dlsim
