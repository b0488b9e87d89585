// Training through the dynamics (SPEC M-35): T explicit-Euler relaxation steps of an EnergyGraph
// unrolled, and the exact gradient of a loss of the final state by reverse mode (the adjoint).
#pragma once

#include <string>
#include <vector>

#include "engram/graph.hpp"

namespace engram {

// The math (every quantity per sample; the batch rows are independent).
//
// Forward. With h_l = dt/τ_l for a free layer and h_l = 0 for a clamped one,
//   x_{t+1,l} = x_{t,l} − h_l g_l(x_t),   g_l(x) = ∂E/∂x̂_l = x_l + Σ_s ∂E_s/∂x̂_l(x̂),
// with x̂_l = ∇L_l(x_l),
// for t = 0 … T−1: a fixed step, no step rejection (unlike relax()), the whole trajectory kept.
//
// Reverse. The loss ℓ depends on x_T; a_t = ∂ℓ/∂x_t is carried back from a_T = ∂ℓ/∂x_T by
//   a_t = a_{t+1} − J_g(x_t)ᵀ c_{t+1},   c_{t+1,l} = h_l a_{t+1,l}.
// The Jacobian of g is ∂g_l/∂x_m = δ_lm I + H_lm ∇²L_m(x_m), H the Hessian of Σ_s E_s in the
// activations. H and ∇²L_m are symmetric, so
//   (J_gᵀ c)_m = c_m + ∇²L_m(x_m) · Σ_l H_ml c_l,
// where Σ_l H_ml c_l is Σ_s Synapse::grad_directional(x̂_t, c) on operand m and ∇²L_m(x_m)·v is
// Lagrangian::hvp. Clamped layers get no c (they do not move) but do receive J_gᵀ c: a_0 on a
// clamped layer is the derivative of the loss with respect to its held value.
//
// Parameters. x_{t+1} depends on θ through g only, ∂x_{t+1,l}/∂θ = −h_l ∂g_l/∂θ, so
//   ∂ℓ/∂θ = Σ_t −⟨c_{t+1}, ∂g(x_t)/∂θ⟩ = Σ_t −∂/∂θ Σ_m ⟨c_{t+1,m}, ∂E_s/∂x̂_m(x̂_t)⟩
//         = −Σ_t Synapse::param_grad_directional(x̂_t, c_{t+1})
// for the parameters of synapse s (operands and directions are the synapse's layers).
//
// Losses. Built-in losses are functions of the final activations x̂_T of one layer; their
// gradient in x̂ is turned into a_T by a_T = ∇²L(x_T) ∂ℓ/∂x̂_T (the activation's Jacobian is the
// Lagrangian's Hessian). Losses are summed over the batch.

/// How the dynamics are unrolled.
struct UnrollOptions {
  /// Euler step: x_l ← x_l − (dt/τ_l) ∂E/∂x̂_l. Must be > 0.
  double dt = 0.1;
  /// Number of steps T ≥ 1.
  int steps = 10;
  /// Layers whose state is held (their activations still drive the others).
  std::vector<std::string> clamped;
};

/// M-35: the states x_0 … x_T of T Euler steps from `initial` (T + 1 states). Throws
/// std::invalid_argument for bad options, an unknown clamped layer or a state that is not this
/// graph's; engram::Error when the run leaves the finite numbers (step named).
template <class T>
std::vector<State<T>> unroll(const EnergyGraph<T>& graph, const State<T>& initial,
                             const UnrollOptions& options);

/// Built-in losses of one layer's final activations x̂ (B × D) against a target t (B × D):
///   squared_error:  ℓ = ½ Σ_b Σ_i (x̂_bi − t_bi)²,  ∂ℓ/∂x̂ = x̂ − t;
///   cross_entropy:  ℓ = −Σ_b Σ_i t_bi log x̂_bi (x̂ positive: softmax or sigmoid layers; targets
///                   ≥ 0), ∂ℓ/∂x̂ = −t / x̂. On a softmax layer log x̂ = βx − lse(βx) and
///                   a_T = β(x̂ Σ_i t_i − t) are formed from x directly, stable for any x.
enum class LossKind { squared_error, cross_entropy };

/// "squared_error" or "cross_entropy"; parse_loss_kind is its inverse (std::invalid_argument
/// listing both otherwise).
const char* to_string(LossKind kind);
LossKind parse_loss_kind(const std::string& name);

/// One loss term: `kind` of the final activations of `layer` against `target` (B × D_layer).
template <class T>
struct LayerLoss {
  std::string layer;
  LossKind kind = LossKind::squared_error;
  Mat<T> target;
};

/// A loss's value and its gradient with respect to every layer's final state x_T (zero for the
/// layers no term reads).
template <class T>
struct FinalLoss {
  double value = 0.0;
  std::vector<Mat<T>> grad;  ///< ∂ℓ/∂x_T, one B × D_l per layer
};

/// The value of Σ of `losses` at `state` and its gradient in the states (checks layer names,
/// target shapes, finite targets, non-negative cross-entropy targets and positive activations).
template <class T>
FinalLoss<T> final_loss(const EnergyGraph<T>& graph, const State<T>& state,
                        const std::vector<LayerLoss<T>>& losses);

/// Converts ∂ℓ/∂x̂ (one B × D_l per layer) into ∂ℓ/∂x = ∇²L_l(x_l) ∂ℓ/∂x̂_l at `state`.
template <class T>
std::vector<Mat<T>> state_gradient(const EnergyGraph<T>& graph, const State<T>& state,
                                   const std::vector<Mat<T>>& activation_grads);

/// Gradients of a loss of the final state through the unrolled dynamics.
template <class T>
struct DynamicsGradient {
  std::vector<Mat<T>> initial;              ///< ∂ℓ/∂x_0 per layer (B × D_l)
  std::vector<std::vector<Mat<T>>> params;  ///< ∂ℓ/∂θ per synapse, per parameter (its shape)
};

/// M-35: reverse mode through `trajectory` (from unroll() with the same `options`) for the loss
/// whose gradient in the final states is `final_grad` (one B × D_l per layer). Throws
/// std::invalid_argument for a trajectory of the wrong length or shapes.
template <class T>
DynamicsGradient<T> backpropagate(const EnergyGraph<T>& graph,
                                  const std::vector<State<T>>& trajectory,
                                  const UnrollOptions& options,
                                  const std::vector<Mat<T>>& final_grad);

/// Everything at once: unroll from `initial`, evaluate `losses` at x_T, backpropagate.
template <class T>
struct ThroughDynamics {
  double loss = 0.0;
  State<T> final;  ///< x_T
  DynamicsGradient<T> grad;
};

template <class T>
ThroughDynamics<T> gradient_through_dynamics(const EnergyGraph<T>& graph, const State<T>& initial,
                                             const UnrollOptions& options,
                                             const std::vector<LayerLoss<T>>& losses);

}  // namespace engram
