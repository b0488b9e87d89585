// Every engram synapse family as a random test case (double), for the checks that run over all
// of them: second derivatives and mixed second derivatives against central differences.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <engram/synapses.hpp>

#include "engram/core/rng.hpp"

namespace engram::test {

struct Case {
  std::string label;
  std::function<SynapsePtr<double>(Rng&)> make;
};

inline void PrintTo(const Case& c, std::ostream* os) {
  *os << c.label;
}

inline SynapsePtr<double> memory(Rng& r, Interaction f, double scale = 1.0) {
  return std::make_unique<MemorySynapse<double>>(r.normal<double>(5, 4, 0.0, scale), f);
}

inline std::vector<Case> all_cases() {
  return {
      {"dense",
       [](Rng& r) { return std::make_unique<DenseSynapse<double>>(r.normal<double>(4, 3)); }},
      {"recurrent",
       [](Rng& r) {
         Mat<double> W = r.normal<double>(5, 5);
         W = (0.5 * (W + W.transpose())).eval();
         W.diagonal().setZero();
         return std::make_unique<RecurrentSynapse<double>>(W);
       }},
      {"bias",
       [](Rng& r) { return std::make_unique<BiasSynapse<double>>(r.normal<double>(1, 4)); }},
      {"l2", [](Rng& r) { return std::make_unique<L2Synapse<double>>(r.uniform<double>(6, 4)); }},
      {"label",
       [](Rng& r) { return std::make_unique<LabelSynapse<double>>(r.uniform<double>(6, 3), 2.5); }},
      {"memory_polynomial2", [](Rng& r) { return memory(r, Interaction::polynomial(2)); }},
      {"memory_polynomial3", [](Rng& r) { return memory(r, Interaction::polynomial(3)); }},
      {"memory_rectified",
       [](Rng& r) { return memory(r, Interaction::rectified_polynomial(3.5)); }},
      {"memory_exponential", [](Rng& r) { return memory(r, Interaction::exponential(0.5), 0.5); }},
      {"memory_lse", [](Rng& r) { return memory(r, Interaction::log_sum_exp(2.0), 0.5); }},
  };
}

inline std::vector<Mat<double>> random_operands(const Synapse<double>& s, Rng& rng, double scale) {
  std::vector<Mat<double>> xs;
  for (Index size : s.operand_sizes()) xs.push_back(rng.normal<double>(3, size, 0.0, scale));
  return xs;
}

inline std::vector<MatCRef<double>> views(const std::vector<Mat<double>>& xs) {
  return {xs.begin(), xs.end()};
}

}  // namespace engram::test
