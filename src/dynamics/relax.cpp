#include "engram/dynamics/relax.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {
namespace {

template <class T>
void check_options(const EnergyGraph<T>& graph, const RelaxOptions& o) {
  check_positive(o.dt, "relax: dt");
  ENGRAM_CHECK(o.max_steps >= 0, "relax: max_steps must be >= 0, got {}", o.max_steps);
  ENGRAM_CHECK(o.max_halvings >= 0 && o.max_halvings <= 60,
               "relax: max_halvings must be in [0, 60], got {}", o.max_halvings);
  if (o.tolerance)
    ENGRAM_CHECK(std::isfinite(*o.tolerance) && *o.tolerance >= 0,
                 "relax: tolerance must be finite and >= 0, got {}", *o.tolerance);
  for (const std::string& name : o.clamped) graph.layer_index(name);  // throws if unknown
}

/// How much a float model's energy may rise through rounding alone: synapse energies are formed
/// from activations rounded to T, neuron energies exactly in double from the state.
template <class T>
double rise_allowance(const Evaluation<T>& ev, std::size_t num_layers, Index b) {
  double synapse_scale = 0.0, all_scale = 0.0;
  for (Index t = 0; t < ev.terms.rows(); ++t) {
    const double a = std::abs(ev.terms(t, b));
    all_scale += a;
    if (t >= static_cast<Index>(num_layers)) synapse_scale += a;
  }
  return 16.0 * static_cast<double>(Eigen::NumTraits<T>::epsilon()) * (1.0 + synapse_scale) +
         16.0 * Eigen::NumTraits<double>::epsilon() * all_scale;
}

}  // namespace

template <class T>
RelaxResult relax(const EnergyGraph<T>& graph, State<T>& state, const RelaxOptions& options) {
  check_options(graph, options);
  graph.check(state);

  const auto& layers = graph.layers();
  const std::size_t L = layers.size();
  std::vector<bool> free(L, true);
  for (const std::string& name : options.clamped) free[graph.layer_index(name)] = false;

  const Index B = state.batch();
  const double tol =
      options.tolerance.value_or(std::sqrt(static_cast<double>(Eigen::NumTraits<T>::epsilon())));
  const double dt_floor = options.dt * std::ldexp(1.0, -options.max_halvings);

  RelaxResult result;
  result.status.assign(B, SampleStatus::running);
  result.dt = Eigen::VectorXd::Constant(B, options.dt);

  Evaluation<T> ev;
  graph.evaluate(state, ev);
  Energies energy = ev.total;
  std::vector<Energies> trace;
  if (options.record_trace) trace.push_back(energy);

  // Per-sample step dt_b, 0 for samples that are held.
  Vec<T> step(B);
  State<T> previous = state;

  // Where sample b stands now: finite? converged (max_l |dx_l/dt| ≤ tol·(1 + max_l |x_l|))?
  auto classify = [&](Index b) {
    if (!std::isfinite(energy(b))) return SampleStatus::diverged;
    double speed = 0.0, size = 0.0;
    for (std::size_t l = 0; l < L; ++l) {
      if (!free[l]) continue;
      if (!ev.grads[l].row(b).allFinite() || !state.at(l).row(b).allFinite())
        return SampleStatus::diverged;
      speed = std::max(
          speed, static_cast<double>(ev.grads[l].row(b).cwiseAbs().maxCoeff()) / layers[l].tau);
      size = std::max(size, static_cast<double>(state.at(l).row(b).cwiseAbs().maxCoeff()));
    }
    return speed <= tol * (1.0 + size) ? SampleStatus::converged : SampleStatus::running;
  };
  auto update_status = [&] {
    bool any_running = false;
    for (Index b = 0; b < B; ++b) {
      if (result.status[b] == SampleStatus::running) result.status[b] = classify(b);
      if (result.status[b] == SampleStatus::running && static_cast<T>(result.dt(b)) == T(0))
        result.status[b] = SampleStatus::stalled;  // dt underflows the scalar type
      const bool running = result.status[b] == SampleStatus::running;
      step(b) = running ? static_cast<T>(result.dt(b)) : T(0);
      any_running = any_running || running;
    }
    return any_running;
  };

  while (result.steps < options.max_steps && update_status()) {
    if (options.shrink_on_rise)  // clamped layers never change, so only free ones are kept
      for (std::size_t l = 0; l < L; ++l)
        if (free[l]) previous.at(l) = state.at(l);
    for (std::size_t l = 0; l < L; ++l) {  // M-04: x ← x − (dt/τ) ∂E/∂x̂
      if (!free[l]) continue;
      const T inv_tau = T(1) / static_cast<T>(layers[l].tau);
      for (Index b = 0; b < B; ++b)  // held rows are skipped: 0 · NaN would still be NaN
        if (step(b) != T(0)) state.at(l).row(b) -= (step(b) * inv_tau) * ev.grads[l].row(b);
    }
    graph.evaluate(state, ev);

    bool rejected = false;
    for (Index b = 0; b < B; ++b) {
      if (step(b) == T(0)) continue;
      const double rise = ev.total(b) - energy(b);
      // Written so that a NaN energy counts as a rise.
      if (options.shrink_on_rise && !(rise <= rise_allowance(ev, L, b))) {
        for (std::size_t l = 0; l < L; ++l)
          if (free[l]) state.at(l).row(b) = previous.at(l).row(b);
        result.dt(b) *= 0.5;
        ++result.rejected_steps;
        rejected = true;
        if (result.dt(b) <= dt_floor) result.status[b] = SampleStatus::stalled;
      } else if (std::isfinite(rise)) {
        result.max_rise = std::max(result.max_rise, rise);
      }
    }
    if (rejected) graph.evaluate(state, ev);
    energy = ev.total;
    ++result.steps;
    if (options.record_trace) trace.push_back(energy);
    if (options.on_step) options.on_step(result.steps, energy);
  }
  update_status();

  result.converged = std::all_of(result.status.begin(), result.status.end(),
                                 [](SampleStatus s) { return s == SampleStatus::converged; });
  result.energy = energy;
  result.trace.resize(static_cast<Index>(trace.size()), B);
  for (std::size_t t = 0; t < trace.size(); ++t)
    result.trace.row(static_cast<Index>(t)) = trace[t].transpose();
  return result;
}

const char* to_string(SampleStatus status) {
  switch (status) {
    case SampleStatus::running:
      return "running";
    case SampleStatus::converged:
      return "converged";
    case SampleStatus::stalled:
      return "stalled";
    case SampleStatus::diverged:
      return "diverged";
  }
  return "unknown";
}

template RelaxResult relax<float>(const EnergyGraph<float>&, State<float>&, const RelaxOptions&);
template RelaxResult relax<double>(const EnergyGraph<double>&, State<double>&, const RelaxOptions&);

}  // namespace engram
