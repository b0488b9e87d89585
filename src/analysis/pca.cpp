#include "engram/analysis/pca.hpp"

#include <Eigen/Eigenvalues>

#include "engram/core/error.hpp"

namespace engram {

template <class T>
Eigen::MatrixXd PrincipalComponents::project(const MatCRef<T>& states) const {
  ENGRAM_CHECK(states.cols() == mean.size(),
               "PrincipalComponents::project: states must have {} columns, got {}", mean.size(),
               states.cols());
  const Eigen::MatrixXd centred = states.template cast<double>().rowwise() - mean.transpose();
  return centred * components.transpose();
}

template <class T>
PrincipalComponents principal_components(const MatCRef<T>& data, Index k) {
  const Index N = data.rows(), D = data.cols();
  ENGRAM_CHECK(N >= 2 && D >= 1, "principal_components: data must be N x D with N >= 2, got {}x{}",
               N, D);
  ENGRAM_CHECK(k >= 1 && k <= std::min(N - 1, D),
               "principal_components: k must be in [1, min(N - 1, D)] = [1, {}], got {}",
               std::min(N - 1, D), k);
  check_finite(data, "principal_components: data");
  PrincipalComponents pc;
  pc.mean = data.template cast<double>().colwise().mean().transpose();
  const Eigen::MatrixXd X = data.template cast<double>().rowwise() - pc.mean.transpose();
  pc.total_variance = X.squaredNorm() / static_cast<double>(N - 1);
  // C = XᵀX/(N−1) = V Λ Vᵀ. When N < D the Gram matrix XXᵀ = U Λ Uᵀ has the same non-zero
  // eigenvalues, and the components are v = Xᵀu / ‖Xᵀu‖.
  const bool gram = N < D;
  const Eigen::MatrixXd S =
      gram ? Eigen::MatrixXd(X * X.transpose()) : Eigen::MatrixXd(X.transpose() * X);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(S);  // ascending eigenvalues
  ENGRAM_CHECK(eig.info() == Eigen::Success, "principal_components: eigensolver failed");
  const Index n = S.rows();
  pc.components.resize(k, D);
  pc.variance.resize(k);
  for (Index j = 0; j < k; ++j) {
    Eigen::VectorXd v = eig.eigenvectors().col(n - 1 - j);
    if (gram) {
      v = X.transpose() * v;
      const double norm = v.norm();
      v = norm > 0 ? Eigen::VectorXd(v / norm) : Eigen::VectorXd::Unit(D, j);
    }
    Index at;
    v.cwiseAbs().maxCoeff(&at);
    if (v(at) < 0) v = -v;
    pc.components.row(j) = v.transpose();
    pc.variance(j) = std::max(0.0, eig.eigenvalues()(n - 1 - j)) / static_cast<double>(N - 1);
  }
  return pc;
}

template Eigen::MatrixXd PrincipalComponents::project<float>(const MatCRef<float>&) const;
template Eigen::MatrixXd PrincipalComponents::project<double>(const MatCRef<double>&) const;
template PrincipalComponents principal_components<float>(const MatCRef<float>&, Index);
template PrincipalComponents principal_components<double>(const MatCRef<double>&, Index);

}  // namespace engram
