// The Hodgkin–Huxley squid-axon neuron (SPEC M-27) as a VectorField over (V, m, h, n), in the
// modern convention (rest ≈ −65 mV), and what is measured on it: spikes, firing rate, f–I curve.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "engram/analysis/integrate.hpp"
#include "engram/analysis/vector_field.hpp"

namespace engram {

/// Membrane parameters per unit area. Units throughout: mV, ms, µF/cm², mS/cm², µA/cm² (so that
/// C dV/dt in µA/cm² gives dV/dt in mV/ms). Defaults: Hodgkin & Huxley 1952 shifted to rest at
/// −65 mV (E_L chosen so that the net current at rest is zero).
struct HodgkinHuxleyParameters {
  double C = 1.0;        ///< membrane capacitance, µF/cm²
  double g_na = 120.0;   ///< maximal sodium conductance, mS/cm²
  double g_k = 36.0;     ///< maximal potassium conductance, mS/cm²
  double g_l = 0.3;      ///< leak conductance, mS/cm²
  double e_na = 50.0;    ///< sodium reversal potential, mV
  double e_k = -77.0;    ///< potassium reversal potential, mV
  double e_l = -54.387;  ///< leak reversal potential, mV
};

/// The gating variables of the model.
enum class Gate { m, h, n };

/// "m", "h", "n".
std::string to_string(Gate gate);
/// The inverse of to_string; throws std::invalid_argument.
Gate parse_gate(std::string_view name);

/// The opening rate α(V) and closing rate β(V) of one gate (1/ms) and their derivatives in V
/// (1/(ms·mV)).
struct GateRates {
  double alpha, beta, alpha_prime, beta_prime;
};

/// M-27, the standard rate functions (V in mV):
///   α_m = 0.1(V+40)/(1−e^{−(V+40)/10})   β_m = 4 e^{−(V+65)/18}
///   α_h = 0.07 e^{−(V+65)/20}            β_h = 1/(1+e^{−(V+35)/10})
///   α_n = 0.01(V+55)/(1−e^{−(V+55)/10})  β_n = 0.125 e^{−(V+65)/80}
/// α_m and α_n are evaluated through u/(1−e^{−u}) with its series near u = 0, so they are exact
/// and smooth across V = −40 and V = −55 (limits 1 and 0.1). V must be finite.
GateRates gate_rates(Gate gate, double V);

/// dx/dt = f(x), x = (V, m, h, n), at a constant injected current I:
///   C dV/dt = I − g_Na m³h (V − E_Na) − g_K n⁴ (V − E_K) − g_L (V − E_L)
///   dx/dt  = α_x(V)(1 − x) − β_x(V) x   for x = m, h, n (each gate with its own variable; seed
///            002 eq. 39–40 misprint n there).
///
///   HodgkinHuxley neuron;                    // standard parameters, I = 0
///   Eigen::VectorXd rest = neuron.resting_state();   // V ≈ −65 mV
///   Trajectory tr = simulate(neuron, Current::constant(10.0), 200.0);
///   std::vector<Spike> spikes = detect_spikes(tr.x.col(0), tr.t);
class HodgkinHuxley final : public VectorField {
 public:
  /// Throws std::invalid_argument unless every parameter is finite, C > 0, the conductances are
  /// ≥ 0 and `current` (µA/cm²) is finite.
  explicit HodgkinHuxley(HodgkinHuxleyParameters parameters = {}, double current = 0.0);

  Index dim() const override { return 4; }
  Eigen::VectorXd rate(const Eigen::VectorXd& x) const override;
  bool has_jacobian() const override { return true; }
  /// The analytic ∂f/∂x (4 × 4).
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& x) const override;
  std::vector<std::string> names() const override { return {"V", "m", "h", "n"}; }
  std::string description() const override;

  const HodgkinHuxleyParameters& parameters() const { return p_; }
  /// The constant injected current I of this field, µA/cm².
  double current() const { return current_; }
  /// The same neuron with injected current I.
  HodgkinHuxley with_current(double current) const { return HodgkinHuxley(p_, current); }

  /// The ionic current g_Na m³h (V − E_Na) + g_K n⁴ (V − E_K) + g_L (V − E_L) at x, µA/cm².
  double ionic_current(const Eigen::VectorXd& x) const;

  /// The steady states at constant current I: each gate at x∞(V) = α/(α+β) and V a root of
  /// I_ion(V, x∞(V)) = I, found by scanning V ∈ [−150, 100] mV in 0.5 mV steps for sign changes
  /// and refining each with TOMS 748 to machine precision. Sorted by V; empty if none lies there.
  std::vector<Eigen::VectorXd> steady_states(double current) const;
  /// The steady state at I = 0 (the lowest in V if the parameters give several). Throws
  /// std::invalid_argument when there is none in [−150, 100] mV.
  Eigen::VectorXd resting_state() const;

 private:
  HodgkinHuxleyParameters p_;
  double current_;
};

/// The injected current of a simulation, on top of the neuron's own constant current:
/// `amplitude` during [onset, onset + duration), 0 outside. A constant current is onset 0 and an
/// infinite duration.
struct Current {
  double amplitude = 0.0;                                     ///< µA/cm²
  double onset = 0.0;                                         ///< ms
  double duration = std::numeric_limits<double>::infinity();  ///< ms

  static Current constant(double amplitude) { return {amplitude, 0.0}; }
  static Current step(double amplitude, double onset, double duration) {
    return {amplitude, onset, duration};
  }
  /// The current at time t (ms).
  double at(double t) const;
  /// Throws std::invalid_argument unless amplitude is finite, onset finite and ≥ 0, and duration
  /// ≥ 0 (infinity allowed).
  void check(const std::string& what) const;
};

/// How simulate() integrates.
struct SimulateOptions {
  Integrator method = Integrator::dopri5;  ///< dopri5 or rosenbrock (adaptive)
  double abs_tol = 1e-9;
  double rel_tol = 1e-9;
  /// The state at t = 0 (4 values); empty: the steady state at the neuron's own current (the
  /// resting state when that is 0), the lowest in V if there are several.
  Eigen::VectorXd x0;
};

/// The neuron driven by hh.current() + current(t) for t ∈ [0, t_ms] ms. The run is one
/// integrate() call per stretch of constant current (restarted at the step's onset and end, so no
/// step straddles a jump), each recorded every `record_every` ms from its start; the last point
/// is at t_ms. Returns the Trajectory: t (T increasing times), x (T × 4: V, m, h, n), steps, and
/// status "finished" unless the integrator failed.
Trajectory simulate(const HodgkinHuxley& hh, const Current& current, double t_ms,
                    double record_every = 0.025, const SimulateOptions& options = {});

/// One action potential: the upward crossing of the threshold (linearly interpolated between
/// samples) and the highest sample before V falls back below it.
struct Spike {
  double time;       ///< ms
  double peak_time;  ///< ms
  double peak;       ///< mV
};

/// The upward crossings of `threshold` (mV) by the voltage trace V sampled at times t (same
/// length, t increasing). A trace starting above threshold does not count its first excursion.
std::vector<Spike> detect_spikes(const Eigen::VectorXd& V, const Eigen::VectorXd& t,
                                 double threshold = 0.0);

/// The firing rate in Hz of the spikes whose times lie in [from, to] ms: 1000 (k − 1)/(t_k − t_1)
/// from the mean inter-spike interval of those k spikes; 0 with fewer than two.
double firing_rate(const std::vector<Spike>& spikes, double from, double to);

/// How fi_curve() and rheobase() judge a run from rest at a constant current.
struct FiringOptions {
  double t_ms = 500.0;         ///< length of each run, ms
  double record_every = 0.05;  ///< sampling of V for spike detection, ms
  int min_spikes = 3;          ///< repetitive firing: at least this many spikes in the 2nd half
  double precision = 1e-3;     ///< rheobase: width of the final bracket, µA/cm²
  SimulateOptions simulate;
};

/// Firing rate against constant current, each run from x0 (default: rest) for t_ms.
struct FiCurve {
  Eigen::VectorXd current;  ///< µA/cm²
  Eigen::VectorXd rate;     ///< Hz, over the second half of the run (steady state)
  std::vector<int> spikes;  ///< spike count in the second half
};
FiCurve fi_curve(const HodgkinHuxley& hh, const Eigen::VectorXd& currents,
                 const FiringOptions& options = {});

/// The smallest constant current (added to hh.current()) that gives repetitive firing from the
/// start state, by bisection: lower never fires repetitively, upper does, upper − lower ≤
/// precision. found = false (with lower/upper as given) when `lo` already fires or `hi` does not.
struct Rheobase {
  double current = std::numeric_limits<double>::quiet_NaN();  ///< upper end of the bracket
  double lower = 0.0;
  double upper = 0.0;
  double precision = 0.0;  ///< upper − lower
  int runs = 0;            ///< simulations made
  bool found = false;
};
Rheobase rheobase(const HodgkinHuxley& hh, double lo, double hi, const FiringOptions& options = {});

}  // namespace engram
