// Errors: ENGRAM_CHECK for caller mistakes (std::invalid_argument with a message naming the
// argument, the expectation and what was found), engram::Error for runtime failures such as I/O.
#pragma once

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engram/core/types.hpp"

namespace engram {

/// A runtime failure that is not the caller's mistake (a file that cannot be read, ...).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] inline void throw_invalid(const std::string& message) {
  throw std::invalid_argument(message);
}
}  // namespace detail

/// Throws std::invalid_argument with a formatted message when `cond` is false.
#define ENGRAM_CHECK(cond, ...)                                             \
  do {                                                                      \
    if (!(cond)) ::engram::detail::throw_invalid(fmt::format(__VA_ARGS__)); \
  } while (false)

/// Internal invariant: checked in debug builds only.
#define ENGRAM_ASSERT(cond) assert(cond)

/// Throws unless `value` is finite and strictly positive; `what` names the parameter.
void check_positive(double value, const std::string& what);

/// Throws unless `m` has `rows` × `cols`; `what` names the argument in the message.
template <class Derived>
void check_shape(const Eigen::DenseBase<Derived>& m, Index rows, Index cols,
                 const std::string& what) {
  ENGRAM_CHECK(m.rows() == rows && m.cols() == cols, "{}: expected shape {}x{}, got {}x{}", what,
               rows, cols, m.rows(), m.cols());
}

/// Throws if `m` holds NaN or Inf, naming the first offending entry.
template <class Derived>
void check_finite(const Eigen::DenseBase<Derived>& m, const std::string& what) {
  if (m.allFinite()) return;
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j) {
      const double v = static_cast<double>(m(i, j));
      ENGRAM_CHECK(std::isfinite(v), "{} contains {} at ({}, {})", what,
                   std::isnan(v) ? "NaN" : "Inf", i, j);
    }
}

}  // namespace engram
