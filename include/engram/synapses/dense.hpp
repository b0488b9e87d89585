// Dense synapses (SPEC M-02): bipartite E = −âᵀ W b̂ between two layers, and recurrent
// E = −½ x̂ᵀ W x̂ within one layer (W symmetric with zero diagonal).
#pragma once

#include "engram/synapses/synapse.hpp"

namespace engram {

/// M-02: E = −â ᵀ W b̂ for operands (a, b), W of shape D_a × D_b.
/// ∂E/∂â = −W b̂, ∂E/∂b̂ = −Wᵀ â, ∂E/∂W = −Σ_batch â b̂ᵀ; along (u_a, u_b) the gradients move by
/// (−W u_b, −Wᵀ u_a) and ∂E/∂W by −Σ_batch (u_a b̂ᵀ + â u_bᵀ) (param_grad_directional).
/// Seed 001's E_S = −m̂ᵀ Ξ v̂ is DenseSynapse(Ξ) connecting (m, v).
template <class T>
class DenseSynapse final : public Synapse<T> {
 public:
  explicit DenseSynapse(Mat<T> W);

  std::unique_ptr<Synapse<T>> clone() const override;
  std::string name() const override;
  std::vector<Index> operand_sizes() const override;
  const Mat<T>& W() const { return this->param(0); }

 private:
  void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const override;
  std::vector<Mat<T>> do_param_grad(Operands<T> xhats) const override;
  std::vector<Mat<T>> do_param_grad_directional(Operands<T> xhats,
                                                Operands<T> directions) const override;
  void do_grad_directional(Operands<T> xhats, Operands<T> directions,
                           Gradients<T> out) const override;
};

/// M-02: E = −½ x̂ᵀ W x̂ on one layer, W symmetric with zero diagonal (D × D).
/// ∂E/∂x̂ = −W x̂ (along u: −W u). ∂E/∂W = −½ Σ_batch x̂ x̂ᵀ with its diagonal set to 0 (the diagonal
/// is not free); along u it moves by −½ Σ_batch (u x̂ᵀ + x̂ uᵀ), diagonal 0. W is accepted when
/// asymmetric or off-diagonal by rounding only, then made exactly symmetric.
template <class T>
class RecurrentSynapse final : public Synapse<T> {
 public:
  explicit RecurrentSynapse(Mat<T> W);

  std::unique_ptr<Synapse<T>> clone() const override;
  std::string name() const override;
  std::vector<Index> operand_sizes() const override;
  const Mat<T>& W() const { return this->param(0); }

 private:
  void check_param(std::size_t k, Mat<T>& value) const override;
  void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const override;
  std::vector<Mat<T>> do_param_grad(Operands<T> xhats) const override;
  std::vector<Mat<T>> do_param_grad_directional(Operands<T> xhats,
                                                Operands<T> directions) const override;
  void do_grad_directional(Operands<T> xhats, Operands<T> directions,
                           Gradients<T> out) const override;
};

}  // namespace engram
