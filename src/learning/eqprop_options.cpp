// EqPropOptions checks and the cost names (SPEC M-31).
#include <fmt/format.h>

#include <cmath>

#include "engram/core/error.hpp"
#include "engram/learning/eqprop.hpp"

namespace engram {

std::string to_string(CostKind cost) {
  return cost == CostKind::squared_error ? "squared" : "cross_entropy";
}

CostKind parse_cost_kind(std::string_view name) {
  if (name == "squared" || name == "squared_error") return CostKind::squared_error;
  if (name == "cross_entropy") return CostKind::cross_entropy;
  throw std::invalid_argument(
      fmt::format("cost: unknown cost '{}' (known: squared, cross_entropy)", name));
}

void EqPropOptions::check() const {
  ENGRAM_CHECK(sizes.size() >= 2, "EqPropOptions: sizes needs at least 2 layers, got {}",
               sizes.size());
  for (std::size_t l = 0; l < sizes.size(); ++l)
    ENGRAM_CHECK(sizes[l] > 0, "EqPropOptions: sizes[{}] must be positive, got {}", l, sizes[l]);
  ENGRAM_CHECK(activation == "hard_sigmoid" || activation == "sigmoid",
               "EqPropOptions: activation must be 'hard_sigmoid' or 'sigmoid', got '{}'",
               activation);
  ENGRAM_CHECK(std::isfinite(beta) && beta != 0.0,
               "EqPropOptions: beta must be finite and non-zero, got {}", beta);
  ENGRAM_CHECK(std::isfinite(dt) && dt > 0.0 && dt <= 1.0,
               "EqPropOptions: dt must be in (0, 1], got {}", dt);
  ENGRAM_CHECK(free_steps >= 1, "EqPropOptions: free_steps must be >= 1, got {}", free_steps);
  ENGRAM_CHECK(nudged_steps >= 1, "EqPropOptions: nudged_steps must be >= 1, got {}", nudged_steps);
  ENGRAM_CHECK(learning_rates.size() == sizes.size() - 1,
               "EqPropOptions: learning_rates needs one rate per weight layer ({}), got {}",
               sizes.size() - 1, learning_rates.size());
  for (std::size_t l = 0; l < learning_rates.size(); ++l)
    ENGRAM_CHECK(std::isfinite(learning_rates[l]) && learning_rates[l] > 0.0,
                 "EqPropOptions: learning_rates[{}] must be finite and positive, got {}", l,
                 learning_rates[l]);
  ENGRAM_CHECK(batch >= 1, "EqPropOptions: batch must be >= 1, got {}", batch);
}

}  // namespace engram
