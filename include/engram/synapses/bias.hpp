// Bias synapse (SPEC M-02): E = −bᵀ x̂ on one layer.
#pragma once

#include "engram/synapses/synapse.hpp"

namespace engram {

/// M-02: E = −bᵀ x̂, b of shape 1 × D. ∂E/∂x̂ = −b, ∂E/∂b = −Σ_batch x̂.
template <class T>
class BiasSynapse final : public Synapse<T> {
 public:
  /// `b` is 1 × D (a row vector).
  explicit BiasSynapse(Mat<T> b);

  std::unique_ptr<Synapse<T>> clone() const override;
  std::string name() const override;
  std::vector<Index> operand_sizes() const override;
  const Mat<T>& b() const { return this->param(0); }

 private:
  void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const override;
  std::vector<Mat<T>> do_param_grad(Operands<T> xhats) const override;
  /// ∂E/∂b = −Σ_batch x̂ moves by −Σ_batch u.
  std::vector<Mat<T>> do_param_grad_directional(Operands<T> xhats,
                                                Operands<T> directions) const override;
  /// The gradient −b does not depend on x̂: adds nothing.
  void do_grad_directional(Operands<T>, Operands<T>, Gradients<T>) const override {}
};

}  // namespace engram
