#include "engram/core/types.hpp"

#include <limits>

#include "engram/core/error.hpp"

namespace engram {

Index shape_size(const Shape& shape, const std::string& what) {
  Index size = 1;
  for (Index d : shape) {
    ENGRAM_CHECK(d > 0, "{}: every dimension must be positive, got shape {}", what,
                 shape_string(shape));
    ENGRAM_CHECK(size <= std::numeric_limits<int>::max() / d, "{}: shape {} has more than {} units",
                 what, shape_string(shape), std::numeric_limits<int>::max());
    size *= d;
  }
  return size;
}

std::string shape_string(const Shape& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

}  // namespace engram
