// Principal component analysis: the directions of largest variance of a set of states, used to
// draw high-dimensional dynamics in a plane (the demo's PCA view, SPEC M-07).
#pragma once

#include <Eigen/Core>

#include "engram/core/types.hpp"

namespace engram {

/// The leading principal components of N samples of dimension D.
struct PrincipalComponents {
  Eigen::VectorXd mean;        ///< D: the sample mean
  Eigen::MatrixXd components;  ///< k × D, orthonormal rows, by decreasing variance
  Eigen::VectorXd variance;    ///< k: the variance along each component (divisor N − 1)
  double total_variance = 0;   ///< trace of the covariance: the variance in all directions

  /// Coordinates of each row of `states` (B × D) along the components: B × k.
  template <class T>
  Eigen::MatrixXd project(const MatCRef<T>& states) const;
};

/// The first `k` principal components of the rows of `data` (N × D, N ≥ 2, finite), from the
/// eigenvectors of the covariance (or of the Gram matrix when N < D, the same subspace). Each
/// component's sign is fixed so that its entry of largest magnitude is positive. Throws
/// std::invalid_argument for k outside [1, min(N − 1, D)], fewer than two rows, or non-finite data.
template <class T>
PrincipalComponents principal_components(const MatCRef<T>& data, Index k);

}  // namespace engram
