// Internal: the elementwise pieces the RBM code shares (stable softplus, logistic, Bernoulli
// draws).
#pragma once

#include <algorithm>
#include <cmath>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"

namespace engram::detail {

/// log(1 + eˣ) without overflow: max(x, 0) + log1p(e^{−|x|}).
inline double softplus(double x) {
  return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x)));
}

/// σ(a) = 1 / (1 + e^{−a}) elementwise.
template <class T, class Derived>
Mat<T> logistic(const Eigen::MatrixBase<Derived>& a) {
  return a.unaryExpr([](T x) { return T(1) / (T(1) + std::exp(-x)); });
}

/// Independent Bernoulli draws with probabilities `p`: 1 where a uniform draw falls below p.
template <class T>
Mat<T> bernoulli(const Mat<T>& p, Rng& rng) {
  const Mat<T> u = rng.uniform<T>(p.rows(), p.cols());
  return (u.array() < p.array()).template cast<T>();
}

/// Σ_j softplus(a_rj) for each row r, in double.
template <class Derived>
Eigen::VectorXd softplus_rows(const Eigen::MatrixBase<Derived>& a) {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(a.rows());
  for (Eigen::Index r = 0; r < a.rows(); ++r)
    for (Eigen::Index j = 0; j < a.cols(); ++j) out(r) += softplus(static_cast<double>(a(r, j)));
  return out;
}

}  // namespace engram::detail
