// Label coupling of the seed 001 demo (SPEC M-02, M-06): E = −λ ẑᵀ Θ ŷ between memories and labels.
#pragma once

#include "engram/synapses/synapse.hpp"

namespace engram {

/// M-02: E = −λ Σ_μ Σ_k ẑ_μ Θ_μk ŷ_k for operands (z, y); Θ is K × C, λ > 0 (the seed takes λ > 1).
/// ∂E/∂ẑ = −λ Θ ŷ, ∂E/∂ŷ = −λ Θᵀ ẑ, ∂E/∂Θ = −λ Σ_batch ẑ ŷᵀ (along (u_z, u_y) it moves by
/// −λ Σ_batch (u_z ŷᵀ + ẑ u_yᵀ)). λ is a fixed coupling, not a
/// parameter.
template <class T>
class LabelSynapse final : public Synapse<T> {
 public:
  LabelSynapse(Mat<T> theta, double lambda);

  std::unique_ptr<Synapse<T>> clone() const override;
  std::string name() const override;
  std::vector<Index> operand_sizes() const override;
  const Mat<T>& theta() const { return this->param(0); }
  double lambda() const { return lambda_; }
  Hyperparameters hyperparameters() const override { return {{"lambda", lambda_}}; }

 private:
  void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const override;
  std::vector<Mat<T>> do_param_grad(Operands<T> xhats) const override;
  std::vector<Mat<T>> do_param_grad_directional(Operands<T> xhats,
                                                Operands<T> directions) const override;
  void do_grad_directional(Operands<T> xhats, Operands<T> directions,
                           Gradients<T> out) const override;

  double lambda_;
};

}  // namespace engram
