#include "engram/learning/hebbian.hpp"

#include <Eigen/QR>

#include "engram/core/error.hpp"

namespace engram {
namespace {

template <class T>
void check_patterns(const MatCRef<T>& patterns, const char* who) {
  ENGRAM_CHECK(patterns.rows() > 0 && patterns.cols() > 0,
               "{}: patterns must be P x N with P, N > 0, got {}x{}", who, patterns.rows(),
               patterns.cols());
  check_finite(patterns, fmt::format("{}: patterns", who));
}

/// Makes W exactly symmetric (rounding of GEMMs may leave it off by an ulp) with a zero diagonal.
template <class T>
void symmetrize_zero_diagonal(Mat<T>& W) {
  W = (T(0.5) * (W + W.transpose())).eval();
  W.diagonal().setZero();
}

}  // namespace

std::string to_string(LearningRule rule) {
  switch (rule) {
    case LearningRule::hebbian:
      return "hebbian";
    case LearningRule::storkey:
      return "storkey";
    case LearningRule::pseudo_inverse:
      return "pseudo_inverse";
  }
  return "unknown";
}

LearningRule parse_learning_rule(std::string_view name) {
  for (LearningRule r :
       {LearningRule::hebbian, LearningRule::storkey, LearningRule::pseudo_inverse})
    if (name == to_string(r)) return r;
  detail::throw_invalid(
      fmt::format("learning rule must be one of hebbian, storkey, pseudo_inverse, got '{}'", name));
}

template <class T>
Mat<T> hebbian(const MatCRef<T>& patterns) {
  check_patterns(patterns, "hebbian");
  // M-10: W = ΞᵀΞ / N, zero diagonal.
  Mat<T> W = patterns.transpose() * patterns;
  W /= static_cast<T>(patterns.cols());
  symmetrize_zero_diagonal(W);
  return W;
}

template <class T>
Mat<T> storkey(const MatCRef<T>& patterns) {
  check_patterns(patterns, "storkey");
  const Index N = patterns.cols();
  const T inv_n = T(1) / static_cast<T>(N);
  Mat<T> W = Mat<T>::Zero(N, N);
  Vec<T> h(N), sq(N);
  for (Index mu = 0; mu < patterns.rows(); ++mu) {
    const Vec<T> xi = patterns.row(mu).transpose();
    h.noalias() = W * xi;  // h_i = Σ_{k≠i} W_ik ξ_k (zero diagonal)
    sq = xi.cwiseAbs2();
    // M-10 (Storkey): N ΔW_ij = ξ_iξ_j − ξ_i h_j − h_i ξ_j + W_ij (ξ_i² + ξ_j²), i ≠ j.
    Mat<T> delta = xi * xi.transpose() - xi * h.transpose() - h * xi.transpose();
    delta += sq.asDiagonal() * W + W * sq.asDiagonal();
    W.noalias() += inv_n * delta;
    symmetrize_zero_diagonal(W);
  }
  return W;
}

template <class T>
Mat<T> pseudo_inverse(const MatCRef<T>& patterns) {
  check_patterns(patterns, "pseudo_inverse");
  // M-10: the projector Ξ⁺Ξ onto the row space of Ξ is Q_r Q_rᵀ for Ξᵀ = QR (rank r); no normal
  // equations (ΞΞᵀ squares the condition number).
  const Eigen::MatrixXd Xt = patterns.transpose().template cast<double>();
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(Xt);
  const Index N = Xt.rows(), r = qr.rank();
  const Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(N, r);
  Mat<T> W = (Q * Q.transpose()).template cast<T>();
  symmetrize_zero_diagonal(W);
  return W;
}

template <class T>
Mat<T> learn(const MatCRef<T>& patterns, LearningRule rule) {
  switch (rule) {
    case LearningRule::hebbian:
      return hebbian<T>(patterns);
    case LearningRule::storkey:
      return storkey<T>(patterns);
    case LearningRule::pseudo_inverse:
      return pseudo_inverse<T>(patterns);
  }
  detail::throw_invalid(fmt::format("learn: unknown learning rule {}", static_cast<int>(rule)));
}

#define ENGRAM_INSTANTIATE_RULES(T)                     \
  template Mat<T> hebbian<T>(const MatCRef<T>&);        \
  template Mat<T> storkey<T>(const MatCRef<T>&);        \
  template Mat<T> pseudo_inverse<T>(const MatCRef<T>&); \
  template Mat<T> learn<T>(const MatCRef<T>&, LearningRule);

ENGRAM_INSTANTIATE_RULES(float)
ENGRAM_INSTANTIATE_RULES(double)

#undef ENGRAM_INSTANTIATE_RULES

}  // namespace engram
