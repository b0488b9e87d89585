// relax(): explicit-Euler descent of an EnergyGraph's energy with per-layer τ, clamping, an
// energy trace, a convergence test, and step control that never lets the energy rise (SPEC M-04).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engram/graph.hpp"

namespace engram {

struct RelaxOptions {
  /// Euler step (the seeds' α): x_l ← x_l − (dt/τ_l) ∂E/∂x̂_l.
  double dt = 0.1;
  /// Upper bound on the number of steps.
  int max_steps = 1000;
  /// A sample has converged when max_l ‖dx_l/dt‖∞ ≤ tolerance · (1 + max_l ‖x_l‖∞) over the free
  /// layers; it is then held. Unset: √ε of the scalar type. 0: run all max_steps.
  std::optional<double> tolerance;
  /// Layers whose state is held (their activations still drive the others).
  std::vector<std::string> clamped;
  /// When a step raises a sample's energy beyond rounding, undo it and halve that sample's dt.
  bool shrink_on_rise = true;
  /// A sample whose dt has been halved this many times (at most 60) is declared stalled and held.
  int max_halvings = 40;
  /// Record the energy of every sample after every step.
  bool record_trace = true;
  /// Called after every step with the step number (from 1) and the energies.
  std::function<void(int step, const Energies& energy)> on_step;
};

/// Where one sample of a batch ended.
enum class SampleStatus {
  running,    ///< still moving when max_steps ran out
  converged,  ///< met the convergence test; held from then on
  stalled,    ///< its energy kept rising until dt had been halved max_halvings times; held
  diverged,   ///< its state, gradient or energy is not finite; held (with shrink_on_rise this
              ///< takes a gradient that overflows where the energy is finite, or an energy that
              ///< falls without bound)
};

/// "running", "converged", "stalled" or "diverged".
const char* to_string(SampleStatus status);

struct RelaxResult {
  int steps = 0;                     ///< steps taken
  bool converged = false;            ///< every sample converged
  std::vector<SampleStatus> status;  ///< per sample
  Energies energy;                   ///< final energy per sample
  Eigen::MatrixXd trace;             ///< (steps + 1) × B: row 0 is the initial energy
  Eigen::VectorXd dt;                ///< final step per sample
  int rejected_steps = 0;            ///< steps undone because the energy rose
  double max_rise = 0.0;             ///< largest accepted rise (within the rounding allowance)
};

/// M-04: descends the energy of `graph` from `state` (updated in place) by explicit Euler,
/// τ_l dx_l/dt = −∂E/∂x̂_l for every free layer. Samples of a batch are independent: each has its
/// own dt and status, so a batch gives the answers of its rows run one by one.
/// Not converging is reported in the result, not thrown.
template <class T>
RelaxResult relax(const EnergyGraph<T>& graph, State<T>& state, const RelaxOptions& options = {});

}  // namespace engram
