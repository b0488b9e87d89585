// Synapse<T>: an energy term over the activations of one or more layers (SPEC M-02), with its
// gradient with respect to each connected activation and to its own parameters.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engram/core/types.hpp"

namespace engram {

/// The activations a synapse reads, one B × D_k view per connected layer, in operand order.
/// Views (Eigen::Ref) let outside memory (a NumPy array, a Map) be read without a copy.
template <class T>
using Operands = std::span<const MatCRef<T>>;

/// Where a synapse adds ∂E/∂x̂_k, one writable B × D_k view per operand.
template <class T>
using Gradients = std::span<MatRef<T>>;

/// An energy term E_s(x̂_1, ..., x̂_n) with parameters θ. Operand sizes are fixed when the synapse
/// is built (from its weights); which layers it connects is decided by EnergyGraph::add_synapse.
/// Energies are per sample, in double; parameter gradients are summed over the batch.
template <class T>
class Synapse {
 public:
  virtual ~Synapse() = default;

  virtual std::unique_ptr<Synapse> clone() const = 0;

  /// Kind with sizes, e.g. "dense(100x30)".
  virtual std::string name() const = 0;

  /// The family, as model files name it: "DenseSynapse", "RecurrentSynapse", ...
  const std::string& kind() const { return kind_; }

  /// Scalar settings beyond the parameter tensors, e.g. {"lambda": 2}; empty when none.
  virtual Hyperparameters hyperparameters() const { return {}; }

  /// The size each operand layer must have; the arity is the length.
  virtual std::vector<Index> operand_sizes() const = 0;

  /// Writes E_s per sample into `energy` (if not null) and adds ∂E_s/∂x̂_k into grads[k] (if
  /// `grads` is not empty). Checks operand count and shapes.
  void evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const;

  /// E_s per sample (B values).
  Energies energy(Operands<T> xhats) const;
  Energies energy(std::initializer_list<MatCRef<T>> xhats) const {
    return energy(Operands<T>(xhats.begin(), xhats.size()));
  }

  /// ∂E_s/∂x̂_k for every operand k (each B × D_k).
  std::vector<Mat<T>> grad(Operands<T> xhats) const;
  std::vector<Mat<T>> grad(std::initializer_list<MatCRef<T>> xhats) const {
    return grad(Operands<T>(xhats.begin(), xhats.size()));
  }

  /// The derivative of grad() along operand directions u: for every operand k,
  ///   Σ_m ∂²E_s/∂x̂_k∂x̂_m u_m   (each B × D_k, row b from sample b),
  /// the synapse's Hessian applied to u, in closed form. `directions` has the operands' shapes.
  /// Analytic Jacobians of the dynamics are built from it (analysis/graph_field.hpp).
  std::vector<Mat<T>> grad_directional(Operands<T> xhats, Operands<T> directions) const;
  std::vector<Mat<T>> grad_directional(std::initializer_list<MatCRef<T>> xhats,
                                       std::initializer_list<MatCRef<T>> directions) const {
    return grad_directional(Operands<T>(xhats.begin(), xhats.size()),
                            Operands<T>(directions.begin(), directions.size()));
  }

  /// ∂(Σ_b E_s)/∂θ_k for every parameter k, same shapes as the parameters.
  std::vector<Mat<T>> param_grad(Operands<T> xhats) const;
  std::vector<Mat<T>> param_grad(std::initializer_list<MatCRef<T>> xhats) const {
    return param_grad(Operands<T>(xhats.begin(), xhats.size()));
  }

  /// The derivative of param_grad() along operand directions u: for every parameter k,
  ///   ∂/∂θ_k Σ_batch Σ_m ⟨u_m, ∂E_s/∂x̂_m⟩ = d/dε param_grad(x̂ + εu)_k at ε = 0
  /// (the mixed second derivative ∂²E_s/∂θ_k∂x̂ applied to u, summed over the batch), in closed
  /// form, with the parameters' shapes. Gradients through the dynamics use it (SPEC M-35,
  /// learning/through_dynamics.hpp). `directions` has the operands' shapes.
  std::vector<Mat<T>> param_grad_directional(Operands<T> xhats, Operands<T> directions) const;
  std::vector<Mat<T>> param_grad_directional(std::initializer_list<MatCRef<T>> xhats,
                                             std::initializer_list<MatCRef<T>> directions) const {
    return param_grad_directional(Operands<T>(xhats.begin(), xhats.size()),
                                  Operands<T>(directions.begin(), directions.size()));
  }

  /// Parameter names, in the order of param() and param_grad().
  const std::vector<std::string>& param_names() const { return param_names_; }
  std::size_t num_params() const { return params_.size(); }
  const Mat<T>& param(std::size_t k) const;
  /// Replaces parameter k; same shape, finite, and whatever the synapse requires (e.g. symmetry).
  void set_param(std::size_t k, const MatCRef<T>& value);

 protected:
  /// `kind` names the synapse family in messages ("DenseSynapse", ...).
  explicit Synapse(std::string kind) : kind_(std::move(kind)) {}
  Synapse(const Synapse&) = default;
  Synapse& operator=(const Synapse&) = default;

  /// Registers parameter `name` (checked finite). Derived constructors call this once per
  /// parameter.
  void add_param(std::string name, Mat<T> value);
  Mat<T>& mutable_param(std::size_t k) { return params_[k]; }

  /// Throws if `value` is not acceptable as parameter k beyond shape and finiteness (default: ok).
  virtual void check_param(std::size_t /*k*/, Mat<T>& /*value*/) const {}
  /// Refreshes anything derived from the parameters (cached norms, ...).
  virtual void params_changed() {}

  virtual void do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const = 0;
  virtual std::vector<Mat<T>> do_param_grad(Operands<T> xhats) const = 0;
  /// Adds Σ_m ∂²E_s/∂x̂_k∂x̂_m u_m into out[k] (zeroed, shapes checked), in closed form. Every
  /// engram family overrides it; the default throws std::logic_error naming the kind, so a
  /// synapse defined elsewhere works everywhere but in analytic Jacobians.
  virtual void do_grad_directional(Operands<T> xhats, Operands<T> directions,
                                   Gradients<T> out) const;
  /// Returns param_grad_directional's tensors (shapes and operands checked by the caller), in
  /// closed form. Every engram family with parameters overrides it; the default returns nothing
  /// for a synapse without parameters (costs, fields) and otherwise throws std::logic_error
  /// naming the kind, so a synapse defined elsewhere works everywhere but in training through
  /// dynamics.
  virtual std::vector<Mat<T>> do_param_grad_directional(Operands<T> xhats,
                                                        Operands<T> directions) const;

 private:
  void check_operands(Operands<T> xhats, const char* who) const;
  void check_directions(Operands<T> xhats, Operands<T> directions, const char* who) const;

  std::string kind_;
  std::vector<std::string> param_names_;
  std::vector<Mat<T>> params_;
};

template <class T>
using SynapsePtr = std::unique_ptr<Synapse<T>>;

}  // namespace engram
