// ContinuousHopfield<T>: the graded-response Hopfield network of 1984 (SPEC M-11): internal state
// u, output V = φ(u), τ du/dt = −u + W V + b, its energy, and the discrete maps V ← φ(W V + b).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engram/graph.hpp"
#include "engram/io/model_file.hpp"
#include "engram/learning/hebbian.hpp"
#include "engram/models/retrieval.hpp"

namespace engram {

/// The output nonlinearity φ, each with gain β: tanh(βu) ∈ (−1, 1), σ(βu) ∈ (0, 1),
/// log(1 + e^{βu}) ∈ (0, ∞). They are the activations of the Tanh, Sigmoid and Softplus
/// Lagrangians with that β.
enum class ContinuousActivation { tanh, sigmoid, softplus };

/// "tanh", "sigmoid" or "softplus".
std::string to_string(ContinuousActivation activation);
ContinuousActivation parse_continuous_activation(std::string_view name);

enum class ContinuousMode {
  continuous,             ///< explicit Euler on τ du/dt = −u + W V + b
  discrete_synchronous,   ///< V ← φ(W V + b), every unit at once
  discrete_asynchronous,  ///< V_i ← φ(Σ_j W_ij V_j + b_i), one unit at a time, random order
};

struct ContinuousRecallOptions {
  ContinuousMode mode = ContinuousMode::continuous;
  /// Euler step of the continuous mode: u ← u − (dt/τ)(u − W V − b), no step control.
  double dt = 0.1;
  /// Upper bound on Euler steps, synchronous updates or asynchronous sweeps per sample.
  int max_steps = 1000;
  /// Unset: √ε of T. Continuous: a sample stops when max_i |du_i/dt| ≤ tolerance·(1 + max_i |u_i|)
  /// (relax()'s test). Discrete: when an update would move no output by more than tolerance.
  std::optional<double> tolerance;
  /// Cues are clipped into φ's range, `cue_margin` inside each finite end (tanh: [−1+m, 1−m]).
  double cue_margin = 1e-6;
  /// Seed of the asynchronous visiting orders; sample b draws from its own stream (seed, b).
  std::uint64_t seed = 0;
};

/// M-11: N units with internal states u, outputs V = φ(u), symmetric weights W (N × N; the
/// diagonal is free), bias b (1 × N), time constant τ:
///   τ du/dt = −u + W V + b,
///   E(V) = −½ VᵀWV − bᵀV + Σ_i ∫₀^{V_i} φ⁻¹(s) ds,
/// and dE/dt = −τ Σ_i φ'(u_i)(du_i/dt)² ≤ 0. The integral is the Legendre transform of the
/// Lagrangian L with L' = φ (tanh: β⁻¹·½[(1+V)ln(1+V) + (1−V)ln(1−V)]), so the network is the
/// EnergyGraph of graph(): one layer "x" with that Lagrangian and τ, RecurrentSynapse "W" (off-
/// diagonal part), DenseSynapse "W_diagonal" (½ diag W on (x, x), only if the diagonal is not 0)
/// and BiasSynapse "b"; relax() on it takes the same Euler steps as recall in continuous mode.
///
/// What holds for the discrete maps: with a zero diagonal the asynchronous map sets V_i to the
/// exact minimiser of E over V_i (E is convex in V_i alone), so E never rises. The synchronous map
/// can raise E and end in a 2-cycle; what never rises along it is the two-step function
///   F(V_t, V_{t+1}) = −V_tᵀW V_{t+1} − bᵀ(V_t + V_{t+1}) + G(V_t) + G(V_{t+1}),  G = Σ ∫ φ⁻¹,
/// since V_{t+1} minimises G(z) − zᵀ(W V_t + b) over z (for any symmetric W).
///
///   auto net = ContinuousHopfield<double>::from_patterns(Xi, LearningRule::hebbian,
///                                                       ContinuousActivation::tanh, 4.0);
///   Retrieval<double> r = net.recall(cues);  // r.states are the outputs V
template <class T>
class ContinuousHopfield {
 public:
  /// W: N × N, finite, symmetric up to rounding (64 ε max|W|; then made exact). b: 1 × N,
  /// finite. gain β > 0, τ > 0.
  ContinuousHopfield(Mat<T> W, Mat<T> b,
                     ContinuousActivation activation = ContinuousActivation::tanh,
                     double gain = 1.0, double tau = 1.0);

  /// W by `rule` from `patterns` (P × N, finite; ±1 for the classical rules' meaning), b = 0.
  static ContinuousHopfield from_patterns(
      const MatCRef<T>& patterns, LearningRule rule = LearningRule::hebbian,
      ContinuousActivation activation = ContinuousActivation::tanh, double gain = 1.0,
      double tau = 1.0);

  Index size() const { return W_.rows(); }
  const Mat<T>& W() const { return W_; }
  const Mat<T>& b() const { return b_; }
  ContinuousActivation activation() const { return activation_; }
  double gain() const { return gain_; }
  double tau() const { return tau_; }
  /// The Lagrangian whose gradient is φ (Tanh, Sigmoid or Softplus with β = gain).
  const LagrangianPtr<T>& lagrangian() const { return lagrangian_; }

  /// V = φ(u) (B × N).
  Mat<T> output(const MatCRef<T>& u) const;
  /// u = φ⁻¹(V) (B × N); every V must lie strictly inside φ's range.
  Mat<T> internal(const MatCRef<T>& V) const;

  /// M-11: E(V) for each row of V (B × N, inside φ's closed range), the integral in closed form.
  Energies energy(const MatCRef<T>& V) const;
  /// The same energy at V = φ(u), from the Lagrangian's Legendre transform x̂·x − L(x): what the
  /// graph computes, and stable where V is too close to saturation to invert.
  Energies energy_of_internal(const MatCRef<T>& u) const;

  /// The model as an energy graph (see the class comment); its state is u.
  EnergyGraph<T> graph() const;

  /// Recalls from `cues` (B × N, finite), clipped into φ's range as the first outputs V (and
  /// u = φ⁻¹(V) in continuous mode). Retrieval: states are the outputs V; steps counts Euler steps,
  /// updates or sweeps per sample; converged tells whether the tolerance was met; energy_trace
  /// holds E after each step.
  Retrieval<T> recall(const MatCRef<T>& cues, const ContinuousRecallOptions& options = {}) const;

  /// kind "continuous_hopfield"; config {"size", "activation", "gain", "tau"}; tensors "W"
  /// (N × N) and "b" (1 × N).
  ModelFile<T> to_file() const;
  static ContinuousHopfield from_file(const ModelFile<T>& file);

 private:
  Retrieval<T> recall_continuous(Mat<T> V, const ContinuousRecallOptions& o, double tol) const;
  Retrieval<T> recall_discrete(Mat<T> V, const ContinuousRecallOptions& o, double tol) const;
  /// Σ_i ∫₀^{V_i} φ⁻¹ per row, in double. An output outside φ's range is an error naming `who`,
  /// or, with `who` null, makes that row's value NaN.
  Energies integral_term(const MatCRef<T>& V, const char* who) const;
  /// −½ VᵀWV − bᵀV per row, in double, given VW = V W.
  Energies synapse_term(const MatCRef<T>& V, const MatCRef<T>& VW) const;

  Mat<T> W_, b_;
  ContinuousActivation activation_;
  double gain_, tau_;
  LagrangianPtr<T> lagrangian_;
};

}  // namespace engram
