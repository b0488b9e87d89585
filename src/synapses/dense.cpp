#include "engram/synapses/dense.hpp"

#include <fmt/format.h>

#include <cmath>

#include "bilinear.hpp"
#include "engram/core/error.hpp"

namespace engram {

// ---- DenseSynapse ----------------------------------------------------------------------------

template <class T>
DenseSynapse<T>::DenseSynapse(Mat<T> W) : Synapse<T>("DenseSynapse") {
  ENGRAM_CHECK(W.rows() > 0 && W.cols() > 0, "DenseSynapse: W must be non-empty, got {}x{}",
               W.rows(), W.cols());
  this->add_param("W", std::move(W));
}

template <class T>
std::unique_ptr<Synapse<T>> DenseSynapse<T>::clone() const {
  return std::make_unique<DenseSynapse>(*this);
}

template <class T>
std::string DenseSynapse<T>::name() const {
  return fmt::format("dense({}x{})", W().rows(), W().cols());
}

template <class T>
std::vector<Index> DenseSynapse<T>::operand_sizes() const {
  return {W().rows(), W().cols()};
}

template <class T>
void DenseSynapse<T>::do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const {
  detail::bilinear_evaluate<T>(W(), 1.0, xhats[0], xhats[1], energy,
                               grads.empty() ? nullptr : &grads[0],
                               grads.empty() ? nullptr : &grads[1]);
}

template <class T>
std::vector<Mat<T>> DenseSynapse<T>::do_param_grad(Operands<T> xhats) const {
  return {-(xhats[0].transpose() * xhats[1])};
}

template <class T>
void DenseSynapse<T>::do_grad_directional(Operands<T>, Operands<T> u, Gradients<T> out) const {
  // The gradient is linear in the other operand: the same kernel applied to the directions.
  detail::bilinear_evaluate<T>(W(), 1.0, u[0], u[1], nullptr, &out[0], &out[1]);
}

template <class T>
std::vector<Mat<T>> DenseSynapse<T>::do_param_grad_directional(Operands<T> xhats,
                                                               Operands<T> u) const {
  // M-35: ∂E/∂W = −Σ_batch â b̂ᵀ moves by −Σ_batch (u_a b̂ᵀ + â u_bᵀ).
  Mat<T> g = -(u[0].transpose() * xhats[1]);
  g.noalias() -= xhats[0].transpose() * u[1];
  return {std::move(g)};
}

// ---- RecurrentSynapse ------------------------------------------------------------------------

template <class T>
RecurrentSynapse<T>::RecurrentSynapse(Mat<T> W) : Synapse<T>("RecurrentSynapse") {
  ENGRAM_CHECK(W.rows() > 0 && W.rows() == W.cols(),
               "RecurrentSynapse: W must be square and non-empty, got {}x{}", W.rows(), W.cols());
  check_finite(W, "RecurrentSynapse: W");
  check_param(0, W);
  this->add_param("W", std::move(W));
}

template <class T>
void RecurrentSynapse<T>::check_param(std::size_t, Mat<T>& W) const {
  // Rounding (e.g. W = ΞᵀΞ/N computed by GEMM) may leave W asymmetric by a few ulps of its
  // largest entry; anything larger is a caller's mistake, reported with its position.
  const double scale = static_cast<double>(W.cwiseAbs().maxCoeff());
  const double tol = 64.0 * static_cast<double>(Eigen::NumTraits<T>::epsilon()) * scale;
  for (Index i = 0; i < W.rows(); ++i) {
    ENGRAM_CHECK(std::abs(static_cast<double>(W(i, i))) <= tol,
                 "RecurrentSynapse: W must have a zero diagonal, but W({0}, {0}) = {1}", i,
                 static_cast<double>(W(i, i)));
    for (Index j = i + 1; j < W.cols(); ++j) {
      const double gap = std::abs(static_cast<double>(W(i, j)) - static_cast<double>(W(j, i)));
      ENGRAM_CHECK(gap <= tol,
                   "RecurrentSynapse: W must be symmetric, but |W({0}, {1}) - W({1}, {0})| = {2}",
                   i, j, gap);
    }
  }
  W = (0.5 * (W + W.transpose())).eval();
  W.diagonal().setZero();
}

template <class T>
std::unique_ptr<Synapse<T>> RecurrentSynapse<T>::clone() const {
  return std::make_unique<RecurrentSynapse>(*this);
}

template <class T>
std::string RecurrentSynapse<T>::name() const {
  return fmt::format("recurrent({}x{})", W().rows(), W().cols());
}

template <class T>
std::vector<Index> RecurrentSynapse<T>::operand_sizes() const {
  return {W().rows()};
}

template <class T>
void RecurrentSynapse<T>::do_evaluate(Operands<T> xhats, Energies* energy,
                                      Gradients<T> grads) const {
  const MatCRef<T>& x = xhats[0];
  const Mat<T> xW = x * W();  // W symmetric: x̂ W = (W x̂)ᵀ per row
  if (energy) *energy = -0.5 * detail::rowwise_dot<T>(x, xW);
  if (!grads.empty()) grads[0] -= xW;
}

template <class T>
std::vector<Mat<T>> RecurrentSynapse<T>::do_param_grad(Operands<T> xhats) const {
  Mat<T> g = T(-0.5) * (xhats[0].transpose() * xhats[0]);
  g.diagonal().setZero();
  return {std::move(g)};
}

template <class T>
void RecurrentSynapse<T>::do_grad_directional(Operands<T>, Operands<T> u, Gradients<T> out) const {
  out[0].noalias() -= u[0] * W();
}

template <class T>
std::vector<Mat<T>> RecurrentSynapse<T>::do_param_grad_directional(Operands<T> xhats,
                                                                   Operands<T> u) const {
  // M-35: ∂E/∂W = −½ Σ_batch x̂ x̂ᵀ (zero diagonal) moves by −½ Σ_batch (u x̂ᵀ + x̂ uᵀ).
  const Mat<T> ux = u[0].transpose() * xhats[0];
  Mat<T> g = T(-0.5) * (ux + ux.transpose());
  g.diagonal().setZero();
  return {std::move(g)};
}

template class DenseSynapse<float>;
template class DenseSynapse<double>;
template class RecurrentSynapse<float>;
template class RecurrentSynapse<double>;

}  // namespace engram
