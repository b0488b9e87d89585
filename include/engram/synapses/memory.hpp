// Memory synapse (SPEC M-12, M-13): stored patterns Ξ and an interaction function F of the
// overlaps m_μ = ξ_μ·x̂, the energy term behind modern Hopfield networks and dense associative
// memories.
#pragma once

#include <string>
#include <string_view>

#include "engram/synapses/synapse.hpp"

namespace engram {

/// The interaction function F of a memory synapse, applied to each overlap m_μ = ξ_μ·x̂:
///   polynomial            F(m) = mⁿ             (n an integer ≥ 2; Krotov & Hopfield 2016)
///   rectified_polynomial  F(m) = max(m, 0)ⁿ     (n ≥ 2, real)
///   exponential           F(m) = exp(βm)        (β > 0; Demircigil et al.)
///   log_sum_exp           Σ_μ F(m_μ) is replaced by β⁻¹ log Σ_μ exp(βm_μ)  (β > 0; Ramsauer 2021)
/// As text: "polynomial(n=3)", "rectified_polynomial(n=2.5)", "exponential(beta=0.5)",
/// "log_sum_exp(beta=1)"; β may be left out (β = 1), n may not.
struct Interaction {
  enum class Kind { polynomial = 0, rectified_polynomial = 1, exponential = 2, log_sum_exp = 3 };

  Kind kind = Kind::log_sum_exp;
  double n = 2.0;     ///< degree of the (rectified) polynomial; ignored by the others
  double beta = 1.0;  ///< inverse temperature of exponential and log_sum_exp; ignored by the others

  static Interaction polynomial(double n);
  static Interaction rectified_polynomial(double n);
  static Interaction exponential(double beta);
  static Interaction log_sum_exp(double beta);

  /// Parses the text form above; throws std::invalid_argument naming the spec and what is wrong.
  static Interaction parse(std::string_view spec);
  /// The text form, e.g. "polynomial(n=3)"; parse(to_string()) gives back the same interaction.
  std::string to_string() const;

  /// "polynomial", "rectified_polynomial", "exponential" or "log_sum_exp".
  static const char* kind_name(Kind kind);
  /// The inverse of kind_name; throws for anything else, listing the known kinds.
  static Kind kind_from_name(std::string_view name);

  /// Throws std::invalid_argument unless n (polynomials) or β (exponential, log_sum_exp) is valid.
  void check() const;

  /// F(m), F'(m) and F''(m) for the elementwise kinds (not log_sum_exp, which is not a sum over
  /// μ): polynomial n(n−1)mⁿ⁻², rectified polynomial the same for m > 0 and 0 otherwise,
  /// exponential β²e^{βm}.
  double value(double m) const;
  double derivative(double m) const;
  double second_derivative(double m) const;

  bool operator==(const Interaction&) const = default;
};

/// M-12/M-13: a one-operand synapse over a layer x̂ (B × D) holding K patterns Ξ (K × D,
/// parameter "xi"). Per sample, with overlaps m = Ξx̂ (K values):
///   elementwise F:  E = −Σ_μ F(m_μ),            ∂E/∂x̂ = −Ξᵀ F'(m),
///   log_sum_exp:    E = −β⁻¹ log Σ_μ e^{βm_μ},  ∂E/∂x̂ = −Ξᵀ softmax(βm),
/// and ∂E/∂Ξ = −Σ_batch w x̂ᵀ with w = F'(m) (resp. softmax(βm)), K × D. Along a direction u,
/// with v = Ξu, ∂E/∂x̂ moves by −Ξᵀ(F''(m) ⊙ v), resp. −Ξᵀ β(p ⊙ v − p (p·v)) with p = softmax(βm)
/// (the softmax Jacobian β(diag p − ppᵀ) applied to v), and ∂E/∂Ξ by −Σ_batch (dw x̂ᵀ + w uᵀ)
/// with dw that change of w.
/// Energies are formed in double. log_sum_exp subtracts the row maximum and is stable for any
/// input. exponential cannot be shifted (it is a plain sum): its energy overflows to −∞ once
/// β·max_μ m_μ exceeds ≈ 709 (its gradient overflows in float past ≈ 88); relax() then reports the
/// sample as diverged. Use log_sum_exp for large overlaps.
/// Hyperparameters: {"interaction": kind code 0..3, "n", "beta"}.
template <class T>
class MemorySynapse final : public Synapse<T> {
 public:
  MemorySynapse(Mat<T> xi, Interaction interaction);

  std::unique_ptr<Synapse<T>> clone() const override;
  /// e.g. "memory(100x30, log_sum_exp(beta=1))".
  std::string name() const override;
  std::vector<Index> operand_sizes() const override;
  Hyperparameters hyperparameters() const override;

  const Mat<T>& xi() const { return this->param(0); }
  const Interaction& interaction() const { return interaction_; }

 private:
  /// Per sample energy (if not null) and the weights w (B × K) with ∂E/∂x̂ = −w Ξ.
  void weights(const MatCRef<T>& xhat, Energies* energy, Mat<T>& w) const;
  /// The change of w along u (B × K): F''(m) ⊙ Ξu, resp. the softmax Jacobian applied to βΞu.
  Mat<T> weights_directional(const MatCRef<T>& xhat, const MatCRef<T>& u) const;
  void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const override;
  std::vector<Mat<T>> do_param_grad(Operands<T> xhats) const override;
  std::vector<Mat<T>> do_param_grad_directional(Operands<T> xhats,
                                                Operands<T> directions) const override;
  void do_grad_directional(Operands<T> xhats, Operands<T> directions,
                           Gradients<T> out) const override;

  Interaction interaction_;
};

}  // namespace engram
