// Nudging costs as synapses (SPEC M-31): β·C(ŷ, t) added to the energy of an output layer, with a
// per-batch target t, for the nudged phase of equilibrium propagation (not a hard clamp).
#pragma once

#include "engram/synapses/synapse.hpp"

namespace engram {

/// M-31: E = β·C(ŷ, t) on one layer (the output), t a B × D target matrix set per mini-batch and
/// β any finite number (0: the free phase; negative: the other side of symmetric nudging). No
/// parameters: ∂E/∂θ is empty. The batch of ŷ must equal the target's.
template <class T>
class CostSynapse : public Synapse<T> {
 public:
  /// The nudging strength β (finite, any sign).
  double beta() const { return beta_; }
  void set_beta(double beta);
  /// The targets t (B × D, finite); the batch the synapse accepts from now on.
  const Mat<T>& target() const { return target_; }
  void set_target(const MatCRef<T>& target);

  std::vector<Index> operand_sizes() const override { return {dim_}; }
  Hyperparameters hyperparameters() const override { return {{"beta", beta_}}; }

  /// The cost C per sample without β (B values, double).
  Energies cost(const MatCRef<T>& yhat) const;

 protected:
  CostSynapse(std::string kind, Index dim, double beta);
  /// C per sample and, when `grad` is not null, adds β ∂C/∂ŷ into it.
  virtual Energies cost_and_grad(const MatCRef<T>& yhat, MatRef<T>* grad) const = 0;
  void check_batch(const MatCRef<T>& yhat, const char* who) const;

 private:
  void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const override;
  std::vector<Mat<T>> do_param_grad(Operands<T>) const override { return {}; }

  Index dim_;
  double beta_;
  Mat<T> target_;
};

/// M-31: C = ½‖ŷ − t‖²; ∂(βC)/∂ŷ = β(ŷ − t); along u: β u.
template <class T>
class SquaredErrorCost final : public CostSynapse<T> {
 public:
  /// Output size `dim` > 0; the target starts as 0 × dim (set it before evaluating).
  explicit SquaredErrorCost(Index dim, double beta = 0.0);
  std::unique_ptr<Synapse<T>> clone() const override;
  std::string name() const override;

 private:
  Energies cost_and_grad(const MatCRef<T>& yhat, MatRef<T>* grad) const override;
  void do_grad_directional(Operands<T> xhats, Operands<T> directions,
                           Gradients<T> out) const override;
};

/// M-31: C = −Σ_k t_k log softmax(ŷ)_k = s·lse(ŷ) − t·ŷ with s = Σ_k t_k (Laborieux et al. 2021);
/// ∂(βC)/∂ŷ = β(s p − t), p = softmax(ŷ); along u: β s (p ⊙ u − p (p·u)).
template <class T>
class CrossEntropyCost final : public CostSynapse<T> {
 public:
  explicit CrossEntropyCost(Index dim, double beta = 0.0);
  std::unique_ptr<Synapse<T>> clone() const override;
  std::string name() const override;

 private:
  Energies cost_and_grad(const MatCRef<T>& yhat, MatRef<T>* grad) const override;
  void do_grad_directional(Operands<T> xhats, Operands<T> directions,
                           Gradients<T> out) const override;
};

}  // namespace engram
