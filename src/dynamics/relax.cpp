#include "engram/dynamics/relax.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {
namespace {

template <class T>
void check_options(const EnergyGraph<T>& graph, const RelaxOptions& o) {
  check_positive(o.dt, "relax: dt");
  ENGRAM_CHECK(o.max_steps >= 0, "relax: max_steps must be >= 0, got {}", o.max_steps);
  ENGRAM_CHECK(o.max_halvings >= 0, "relax: max_halvings must be >= 0, got {}", o.max_halvings);
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
  result.sample_converged.assign(B, false);
  result.sample_stalled.assign(B, false);
  result.dt = Eigen::VectorXd::Constant(B, options.dt);

  Evaluation<T> ev;
  graph.evaluate(state, ev);
  Energies energy = ev.total;
  std::vector<Energies> trace;
  if (options.record_trace) trace.push_back(energy);

  // Per-sample step dt_b, 0 for samples that are held (converged or stalled).
  Vec<T> step(B);
  State<T> previous = state;

  auto converged = [&](Index b) {
    double speed = 0.0, size = 0.0;
    for (std::size_t l = 0; l < L; ++l) {
      if (!free[l]) continue;
      speed = std::max(
          speed, static_cast<double>(ev.grads[l].row(b).cwiseAbs().maxCoeff()) / layers[l].tau);
      size = std::max(size, static_cast<double>(state.at(l).row(b).cwiseAbs().maxCoeff()));
    }
    return speed <= tol * (1.0 + size);
  };
  auto update_flags = [&] {
    bool any_active = false;
    for (Index b = 0; b < B; ++b) {
      if (!result.sample_converged[b] && !result.sample_stalled[b] && converged(b))
        result.sample_converged[b] = true;
      const bool active = !result.sample_converged[b] && !result.sample_stalled[b];
      step(b) = active ? static_cast<T>(result.dt(b)) : T(0);
      any_active = any_active || active;
    }
    return any_active;
  };

  while (result.steps < options.max_steps && update_flags()) {
    if (options.shrink_on_rise) previous = state;
    for (std::size_t l = 0; l < L; ++l)  // M-04: x ← x − (dt/τ) ∂E/∂x̂
      if (free[l])
        state.at(l).noalias() -= (step / static_cast<T>(layers[l].tau)).asDiagonal() * ev.grads[l];
    graph.evaluate(state, ev);

    bool rejected = false;
    for (Index b = 0; b < B; ++b) {
      if (step(b) == T(0)) continue;
      const double rise = ev.total(b) - energy(b);
      if (options.shrink_on_rise && !(rise <= rise_allowance(ev, L, b))) {
        for (std::size_t l = 0; l < L; ++l) state.at(l).row(b) = previous.at(l).row(b);
        result.dt(b) *= 0.5;
        ++result.rejected_steps;
        rejected = true;
        if (result.dt(b) < dt_floor) result.sample_stalled[b] = true;
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
  update_flags();

  result.converged = std::all_of(result.sample_converged.begin(), result.sample_converged.end(),
                                 [](bool c) { return c; });
  result.energy = energy;
  result.trace.resize(static_cast<Index>(trace.size()), B);
  for (std::size_t t = 0; t < trace.size(); ++t)
    result.trace.row(static_cast<Index>(t)) = trace[t].transpose();
  return result;
}

template RelaxResult relax<float>(const EnergyGraph<float>&, State<float>&, const RelaxOptions&);
template RelaxResult relax<double>(const EnergyGraph<double>&, State<double>&, const RelaxOptions&);

}  // namespace engram
