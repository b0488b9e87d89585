// Internal kernels shared by the bilinear synapses (dense, recurrent, label).
#pragma once

#include "engram/core/types.hpp"

namespace engram::detail {

/// Σ_i A(b,i)·B(b,i) for each row b, accumulated in double (SPEC M-04).
template <class T>
Energies rowwise_dot(const MatCRef<T>& A, const MatCRef<T>& B) {
  Energies out(A.rows());
  for (Index b = 0; b < A.rows(); ++b)
    out(b) = A.row(b).template cast<double>().dot(B.row(b).template cast<double>());
  return out;
}

/// E = −scale · âᵀ W b̂ per sample (a: B × D_a, b: B × D_b, W: D_a × D_b). Writes the energy and
/// adds ∂E/∂â = −scale · b̂ Wᵀ and ∂E/∂b̂ = −scale · â W into the buffers that are not null.
template <class T>
void bilinear_evaluate(const Mat<T>& W, double scale, const MatCRef<T>& a, const MatCRef<T>& b,
                       Energies* energy, MatRef<T>* grad_a, MatRef<T>* grad_b) {
  const T s = static_cast<T>(scale);
  if (energy || grad_a) {
    // Scratch kept per thread, so a dynamics loop does not allocate B × D_a every step.
    thread_local Mat<T> bWt;
    bWt.resize(b.rows(), W.rows());
    bWt.noalias() = b * W.transpose();  // B × D_a
    if (energy) *energy = -scale * rowwise_dot<T>(a, bWt);
    if (grad_a) grad_a->noalias() -= s * bWt;
  }
  if (grad_b) grad_b->noalias() -= s * (a * W);
}

}  // namespace engram::detail
