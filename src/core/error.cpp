#include "engram/core/error.hpp"

#include <cmath>

namespace engram {

void check_positive(double value, const std::string& what) {
  ENGRAM_CHECK(std::isfinite(value) && value > 0, "{} must be positive and finite, got {}", what,
               value);
}

}  // namespace engram
