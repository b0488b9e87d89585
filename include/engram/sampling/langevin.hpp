// Langevin samplers (SPEC M-34): x ← x − ε∇E(x) + √(2Tε) ξ, whose samples follow exp(−E/T), with
// an optional Metropolis correction (MALA), annealing over temperatures, and energy graphs.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"
#include "engram/graph.hpp"

namespace engram {

/// An energy with its gradient, batched: given x (B × D, one sample per row) it returns E(x_b)
/// (B values) and writes ∇E(x_b) into `grad` (B × D, already sized).
template <class T>
using EnergyFunction = std::function<Energies(const MatCRef<T>& x, MatRef<T> grad)>;

struct LangevinOptions {
  double step_size = 0.01;   ///< ε > 0
  double temperature = 1.0;  ///< T ≥ 0 (T = 0: plain gradient descent; MALA needs T > 0)
  int steps = 1000;          ///< steps after burn-in (≥ 0)
  int burn_in = 0;           ///< steps run first and never recorded (≥ 0)
  int thin = 1;              ///< record every thin-th step after burn-in (≥ 1)
  bool record = false;       ///< keep the recorded states in LangevinResult::samples
  bool metropolis = false;   ///< MALA: accept each sample's proposal with the Metropolis–Hastings
                             ///< probability, so the chain is exact for any ε
  /// Projected Langevin: after every step each coordinate is clipped to [lo, hi] (default: no
  /// box). Not with metropolis.
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  std::vector<std::string> clamped;  ///< graph samplers only: layers held fixed
};

template <class T>
struct LangevinResult {
  Mat<T> x;                     ///< final states (B × D; for graphs the free layers side by side)
  Energies energy;              ///< final energies (B)
  std::vector<Mat<T>> samples;  ///< recorded states, one B × D matrix per recorded step
  std::vector<double> temperatures;  ///< the temperature of each recorded step
  int steps = 0;                     ///< steps taken in all (burn-in included)
  double acceptance = 1.0;           ///< fraction of accepted proposals (1 without MALA)
  std::vector<std::string> layers;   ///< graph samplers: the free layers, in column order
};

/// M-34: unadjusted Langevin dynamics x ← x − ε∇E(x) + √(2Tε) ξ, ξ ~ N(0, I), from `x0`
/// (B × D: B independent chains), burn_in + steps steps. For small ε the chains sample
/// p(x) ∝ exp(−E(x)/T); the bias is O(ε) (for a Gaussian E = ½(x−μ)ᵀA(x−μ) the stationary law is
/// N(μ, T (A(I − εA/2))⁻¹) exactly). With options.metropolis (MALA) the law is exact.
/// Throws std::invalid_argument for ε ≤ 0, T < 0, negative counts, x0 not finite, or an energy or
/// gradient that turns NaN/Inf (naming the step).
template <class T>
LangevinResult<T> langevin(const EnergyFunction<T>& energy,
                           const std::type_identity_t<MatCRef<T>>& x0,
                           const LangevinOptions& options, Rng& rng);

/// A temperature schedule for annealed Langevin: stage k runs steps[k] steps at
/// temperatures[k]. Made by geometric_schedule / linear_schedule or by hand.
struct AnnealSchedule {
  std::vector<double> temperatures;
  std::vector<int> steps;
};

/// `stages` temperatures T0·(T1/T0)^(k/(stages−1)), k = 0..stages−1 (T0, T1 > 0), each run for
/// `steps_per_stage` steps. stages = 1 gives T1 alone.
AnnealSchedule geometric_schedule(double t0, double t1, int stages, int steps_per_stage);
/// `stages` temperatures T0 + (T1 − T0)·k/(stages−1) (T0, T1 ≥ 0).
AnnealSchedule linear_schedule(double t0, double t1, int stages, int steps_per_stage);

/// M-34: annealed Langevin: the stages of `schedule` in order, each as langevin() at its
/// temperature (options.temperature and options.steps are ignored; burn_in is run at the first
/// temperature). Recording (options.record, thin) covers every stage after the burn-in; the
/// recorded temperature says which stage a sample came from.
template <class T>
LangevinResult<T> annealed_langevin(const EnergyFunction<T>& energy,
                                    const std::type_identity_t<MatCRef<T>>& x0,
                                    const AnnealSchedule& schedule, const LangevinOptions& options,
                                    Rng& rng);

/// The energy of `graph` as a function of the internal states of its free layers (those not in
/// `clamped`), laid side by side in layer order; the clamped layers keep their values in `state`.
/// Its gradient is ∇_{x_l} E = ∇²L_l(x_l) · ∂E/∂x̂_l (see langevin.cpp). Throws for an unknown
/// clamped layer or a graph whose layers are all clamped. `state` must outlive the function.
template <class T>
EnergyFunction<T> graph_energy_function(const EnergyGraph<T>& graph, const State<T>& state,
                                        const std::vector<std::string>& clamped);

/// The free layers' states of `state` side by side (B × Σ D_l), in layer order.
template <class T>
Mat<T> free_states(const EnergyGraph<T>& graph, const State<T>& state,
                   const std::vector<std::string>& clamped);

/// M-34: Langevin on the internal states of an energy graph, the layers in options.clamped held
/// fixed. `state` is updated in place to the final states; result.x and samples hold the free
/// layers side by side (result.layers names them).
template <class T>
LangevinResult<T> langevin(const EnergyGraph<T>& graph, State<T>& state,
                           const LangevinOptions& options, Rng& rng);

/// M-34: annealed Langevin on an energy graph (see the two overloads above).
template <class T>
LangevinResult<T> annealed_langevin(const EnergyGraph<T>& graph, State<T>& state,
                                    const AnnealSchedule& schedule, const LangevinOptions& options,
                                    Rng& rng);

}  // namespace engram
