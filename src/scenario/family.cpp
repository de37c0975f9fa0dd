// The family table; see family.hpp.
#include "scenario/family.hpp"

namespace dlsim {

const std::vector<const AlgorithmFamily*>& algorithm_families() {
  static const std::vector<const AlgorithmFamily*> families{&decentralized_family(), &federated_family()};
  return families;
}

const AlgorithmFamily* family_of(std::string_view kind) {
  for (const AlgorithmFamily* family : algorithm_families())
    for (const auto& [name, help] : family->kinds)
      if (name == kind) return family;
  return nullptr;
}

}  // namespace dlsim
