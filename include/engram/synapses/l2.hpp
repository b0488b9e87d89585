// L2-similarity synapse of the seed 001 demo (SPEC M-02, M-06): memories z weight the squared
// distances between stored patterns θ_μ and the activation x̂.
#pragma once

#include "engram/synapses/synapse.hpp"

namespace engram {

/// M-02: E = ½ Σ_μ ẑ_μ ‖θ_μ − x̂‖² − ½‖x̂‖² for operands (x, z); θ is K × D (one pattern per row).
/// ∂E/∂x̂ = Σ_μ ẑ_μ (x̂ − θ_μ) − x̂, ∂E/∂ẑ_μ = ½‖θ_μ − x̂‖², ∂E/∂θ_μ = Σ_batch ẑ_μ (θ_μ − x̂).
/// Along (u_x, u_z): ∂E/∂x̂ moves by (Σ_μ u_zμ) x̂ + (Σ_μ ẑ_μ − 1) u_x − Σ_μ u_zμ θ_μ and ∂E/∂ẑ_μ
/// by (x̂ − θ_μ)·u_x; ∂E/∂θ_μ by Σ_batch u_zμ (θ_μ − x̂) − ẑ_μ u_x.
/// The −½‖x̂‖² term cancels E_x for an identity layer (seed 001); distances use
/// ‖θ_μ‖² − 2θ_μ·x̂ + ‖x̂‖² with the norms held in double.
template <class T>
class L2Synapse final : public Synapse<T> {
 public:
  explicit L2Synapse(Mat<T> theta);

  std::unique_ptr<Synapse<T>> clone() const override;
  std::string name() const override;
  std::vector<Index> operand_sizes() const override;
  const Mat<T>& theta() const { return this->param(0); }

 private:
  void params_changed() override;
  void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const override;
  std::vector<Mat<T>> do_param_grad(Operands<T> xhats) const override;
  std::vector<Mat<T>> do_param_grad_directional(Operands<T> xhats,
                                                Operands<T> directions) const override;
  void do_grad_directional(Operands<T> xhats, Operands<T> directions,
                           Gradients<T> out) const override;

  Eigen::VectorXd theta_sq_norms_;  // ‖θ_μ‖², K values
};

}  // namespace engram
