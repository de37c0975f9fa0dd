// The table of decentralized algorithms; see registry.hpp.
#include "algorithms/decentralized/registry.hpp"

#include <fmt/core.h>

#include <stdexcept>
#include <string>

#include "algorithms/decentralized/ad_psgd.hpp"
#include "algorithms/decentralized/beer.hpp"
#include "algorithms/decentralized/choco.hpp"
#include "algorithms/decentralized/compressed_psgd.hpp"
#include "algorithms/decentralized/diging.hpp"
#include "algorithms/decentralized/exact_diffusion.hpp"
#include "algorithms/decentralized/gossip_sgd.hpp"
#include "algorithms/decentralized/local_sgd.hpp"
#include "algorithms/decentralized/push_sum.hpp"
#include "algorithms/decentralized/power_gossip.hpp"
#include "algorithms/decentralized/quantized_gossip.hpp"

namespace dlsim {
namespace {

using Made = std::unique_ptr<DecentralizedAlgorithm>;

std::vector<AlgorithmKind> make_table() {
  std::vector<AlgorithmKind> kinds;
  AlgorithmKind kind;

  kind = {"gossip", "exact gossip average consensus x_i <- sum_j w_ij x_j (Boyd et al. 2006)", false};
  kind.time_varying = kind.byzantine = kind.robust_gossip = kind.relaxed_gamma = true;
  kind.rejoin_average = kind.model_messages = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<GossipSgd>(std::move(c), s, false); };
  kinds.push_back(kind);

  kind = {"d-psgd", "decentralized SGD x_i <- sum_j w_ij x_j - eta g_i (Lian et al., NeurIPS 2017)", true};
  kind.time_varying = kind.compresses = true;  // compressed: the naive baseline (e.g. identity = fp32 models)
  kind.byzantine = kind.robust_gossip = true;
  kind.rejoin_average = kind.model_messages = true;
  kind.gossip_order = kind.quasi_global_momentum = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<GossipSgd>(std::move(c), s, true); };
  kinds.push_back(kind);

  kind = {"choco-gossip", "compressed consensus with public copies x_hat (Koloskova, Stich, Jaggi, ICML 2019)", false};
  kind.compresses = kind.uses_gamma = kind.relaxed_gamma = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<Choco>(std::move(c), s, false); };
  kinds.push_back(kind);

  kind = {"choco-sgd", "SGD with CHOCO-Gossip on compressed differences (Koloskova et al., ICML 2019 / ICLR 2020)", true};
  kind.compresses = kind.uses_gamma = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<Choco>(std::move(c), s, true); };
  kinds.push_back(kind);

  kind = {"q1-gossip", "naive compressed gossip x_i += gamma sum_j w_ij (Q(x_j) - x_i) (baseline, Koloskova et al. 2019)", false};
  kind.compresses = kind.uses_gamma = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made {
    return std::make_unique<QuantizedGossip>(std::move(c), s, QuantizedGossipKind::q1);
  };
  kinds.push_back(kind);

  kind = {"q2-gossip", "naive compressed gossip x_i += gamma sum_j w_ij (Q(x_j) - Q(x_i)) (baseline, Koloskova et al. 2019)", false};
  kind.compresses = kind.uses_gamma = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made {
    return std::make_unique<QuantizedGossip>(std::move(c), s, QuantizedGossipKind::q2);
  };
  kinds.push_back(kind);

  kind = {"power-gossip",
          "consensus on rank-1 power-iteration approximations of the model differences, warm-started per edge "
          "(Vogels, Karimireddy, Jaggi, NeurIPS 2020)",
          false};
  kind.uses_gamma = kind.lockstep_edges = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<PowerGossip>(std::move(c), s); };
  kinds.push_back(kind);

  kind = {"dcd-psgd", "D-PSGD with compressed model differences (Tang et al., NeurIPS 2018); unbiased compressors", true};
  kind.compresses = kind.unbiased_only = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made {
    return std::make_unique<CompressedPsgd>(std::move(c), s, CompressedPsgdKind::dcd);
  };
  kinds.push_back(kind);

  kind = {"ecd-psgd", "D-PSGD with compressed extrapolations (Tang et al., NeurIPS 2018); unbiased compressors", true};
  kind.compresses = kind.unbiased_only = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made {
    return std::make_unique<CompressedPsgd>(std::move(c), s, CompressedPsgdKind::ecd);
  };
  kinds.push_back(kind);

  kind = {"diging", "gradient tracking: exact convergence on non-iid data (Nedic, Olshevsky, Shi, SIAM J. Optim. 2017)", true};
  kind.time_varying = true;
  kind.rejoin_average = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<Diging>(std::move(c), s); };
  kinds.push_back(kind);

  kind = {"exact-diffusion",
          "adapt-correct-combine with (I + W) / 2: exact on non-iid data, one model per message (Yuan, Ying, Zhao, "
          "Sayed, IEEE TSP 2019)",
          true};
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made {
    return std::make_unique<ExactDiffusion>(std::move(c), s, true);
  };
  kinds.push_back(kind);

  kind = {"d2",
          "D^2: x <- W (2 x - x_prev - eta (g - g_prev)), exact on non-iid data; needs lambda_min(W) > -1/3 (Tang, "
          "Lian, Yan, Zhang, Liu, ICML 2018)",
          true};
  kind.needs_lambda_min_above_minus_third = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made {
    return std::make_unique<ExactDiffusion>(std::move(c), s, false);
  };
  kinds.push_back(kind);

  kind = {"beer",
          "gradient tracking with compressed model and tracker differences, exact on non-iid data (Zhao, Li, "
          "Richtarik, Chi, NeurIPS 2022)",
          true};
  kind.compresses = kind.uses_gamma = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<Beer>(std::move(c), s); };
  kinds.push_back(kind);

  kind = {"local-sgd", "local_steps SGD steps per gossip step (Koloskova et al., ICML 2020)", true};
  kind.time_varying = kind.uses_local_steps = true;
  kind.rejoin_average = kind.model_messages = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<LocalSgd>(std::move(c), s); };
  kinds.push_back(kind);

  kind = {"ad-psgd", "asynchronous: average with one random neighbour per gradient (Lian et al., ICML 2018)", true};
  kind.synchronous = false;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<AdPsgd>(std::move(c), s); };
  kinds.push_back(kind);

  kind = {"push-sum", "push-sum consensus (x, w) <- W (x, w), estimate x/w, on a digraph (Kempe, Dobra, Gehrke, FOCS 2003)",
          false};
  kind.directed = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<PushSum>(std::move(c), s, false); };
  kinds.push_back(kind);

  kind = {"sgp", "Stochastic Gradient Push on a digraph, overlap = tau for OSGP (Assran et al., ICML 2019)", true};
  kind.directed = true;
  kind.make = [](DecentralizedConfig c, RoundSnapshots* s) -> Made { return std::make_unique<PushSum>(std::move(c), s, true); };
  kinds.push_back(kind);
  return kinds;
}

}  // namespace

const std::vector<AlgorithmKind>& decentralized_algorithms() {
  static const std::vector<AlgorithmKind> kinds = make_table();
  return kinds;
}

const AlgorithmKind& find_decentralized_algorithm(std::string_view name) {
  std::string names;
  for (const AlgorithmKind& kind : decentralized_algorithms()) {
    if (kind.name == name) return kind;
    names += (names.empty() ? "" : ", ") + std::string(kind.name);
  }
  throw std::invalid_argument(fmt::format("unknown algorithm \"{}\" (one of: {})", name, names));
}

GossipOrder parse_gossip_order(std::string_view name) {
  if (name == "overlapped") return GossipOrder::overlapped;
  if (name == "gradient-then-gossip") return GossipOrder::gradient_then_gossip;
  throw std::invalid_argument(
      fmt::format("unknown d-psgd order \"{}\" (overlapped or gradient-then-gossip)", name));
}

ChocoVariant parse_choco_variant(std::string_view name) {
  if (name == "icml2019") return ChocoVariant::icml2019;
  if (name == "iclr2020") return ChocoVariant::iclr2020;
  throw std::invalid_argument(fmt::format("unknown CHOCO variant \"{}\" (icml2019 or iclr2020)", name));
}

}  // namespace dlsim
