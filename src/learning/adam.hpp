// Adam (Kingma & Ba 2015) for a matrix parameter: the moments and the bias-corrected step.
#pragma once

#include <cmath>

#include "engram/core/types.hpp"

namespace engram::detail {

/// θ ← θ − lr · m̂ / (√v̂ + ε) with m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ),
/// v̂ = v/(1 − β₂ᵗ); `step` is t ≥ 1, shared by every parameter of a model.
template <class T>
void adam_update(Mat<T>& theta, const Mat<T>& grad, Mat<T>& m, Mat<T>& v, long step, double lr,
                 double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) {
  m = static_cast<T>(beta1) * m + static_cast<T>(1 - beta1) * grad;
  v = static_cast<T>(beta2) * v + static_cast<T>(1 - beta2) * grad.cwiseAbs2();
  const double c1 = 1 - std::pow(beta1, static_cast<double>(step));
  const double c2 = 1 - std::pow(beta2, static_cast<double>(step));
  theta.array() -= static_cast<T>(lr / c1) * m.array() /
                   ((v.array() / static_cast<T>(c2)).sqrt() + static_cast<T>(eps));
}

}  // namespace engram::detail
