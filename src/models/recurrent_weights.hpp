// Internal: the checks every recurrent-weight model applies to its W (square, finite, symmetric,
// optionally zero diagonal), with the same rounding allowance as RecurrentSynapse.
#pragma once

#include <cmath>

#include "engram/core/error.hpp"

namespace engram::detail {

/// Throws, naming `who` and the offending entry, unless W is square, non-empty, finite and
/// symmetric (and, if `zero_diagonal`, with W_ii = 0) up to 64 ε max|W|; then makes W exactly so.
template <class T>
void check_recurrent_weights(Mat<T>& W, const char* who, bool zero_diagonal) {
  ENGRAM_CHECK(W.rows() > 0 && W.rows() == W.cols(),
               "{}: W must be square and non-empty, got {}x{}", who, W.rows(), W.cols());
  check_finite(W, fmt::format("{}: W", who));
  const double scale = static_cast<double>(W.cwiseAbs().maxCoeff());
  const double tol = 64.0 * static_cast<double>(Eigen::NumTraits<T>::epsilon()) * scale;
  for (Index i = 0; i < W.rows(); ++i) {
    if (zero_diagonal)
      ENGRAM_CHECK(std::abs(static_cast<double>(W(i, i))) <= tol,
                   "{0}: W must have a zero diagonal, but W({2}, {2}) = {1}", who,
                   static_cast<double>(W(i, i)), i);
    for (Index j = i + 1; j < W.cols(); ++j) {
      const double gap = std::abs(static_cast<double>(W(i, j)) - static_cast<double>(W(j, i)));
      ENGRAM_CHECK(gap <= tol, "{}: W must be symmetric, but |W({}, {}) - W({}, {})| = {}", who, i,
                   j, j, i, gap);
    }
  }
  W = (T(0.5) * (W + W.transpose())).eval();
  if (zero_diagonal) W.diagonal().setZero();
}

}  // namespace engram::detail
