// External field (SPEC M-02, M-31): E = −Σ_i u_bi x̂_bi with a per-batch field u, the exact stand-in
// for a clamped layer's drive (u = x̂_in W while x̂_in is held), computed once per phase.
#pragma once

#include "engram/synapses/synapse.hpp"

namespace engram {

/// M-02: E = −u_b · x̂_b per sample b, u a B × D matrix set per batch. ∂E/∂x̂ = −u; no
/// parameters; the gradient does not depend on x̂ (along any direction it moves by 0).
/// A DenseSynapse −âᵀWb̂ whose operand a is clamped equals FieldSynapse(u = â W) on b.
template <class T>
class FieldSynapse final : public Synapse<T> {
 public:
  /// Layer size `dim` > 0; the field starts as 0 × dim (set it before evaluating).
  explicit FieldSynapse(Index dim);

  std::unique_ptr<Synapse<T>> clone() const override;
  std::string name() const override;
  std::vector<Index> operand_sizes() const override { return {dim_}; }

  const Mat<T>& field() const { return field_; }
  /// Sets u (B × D, finite); the batch the synapse accepts from now on.
  void set_field(Mat<T> u);

 private:
  void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const override;
  std::vector<Mat<T>> do_param_grad(Operands<T>) const override { return {}; }
  void do_grad_directional(Operands<T>, Operands<T>, Gradients<T>) const override {}

  Index dim_;
  Mat<T> field_;
};

}  // namespace engram
