// M-35: the unrolled Euler dynamics of an EnergyGraph and reverse mode through them (the math is
// in the header).
#include "engram/learning/through_dynamics.hpp"

#include <fmt/format.h>

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

namespace {

/// h_l = dt/τ_l for free layers, 0 for clamped ones; checks the options.
template <class T>
std::vector<double> step_sizes(const EnergyGraph<T>& graph, const UnrollOptions& o,
                               const char* who) {
  ENGRAM_CHECK(std::isfinite(o.dt) && o.dt > 0, "{}: dt must be finite and > 0, got {}", who, o.dt);
  ENGRAM_CHECK(o.steps >= 1, "{}: steps must be >= 1, got {}", who, o.steps);
  std::vector<double> h;
  for (const auto& layer : graph.layers()) h.push_back(o.dt / layer.tau);
  for (const std::string& name : o.clamped) h[graph.layer_index(name)] = 0.0;
  return h;
}

/// The operands (or directions) of connection `c` taken from per-layer matrices.
template <class T>
std::vector<MatCRef<T>> operands(const typename EnergyGraph<T>::Connection& c,
                                 const std::vector<Mat<T>>& per_layer) {
  std::vector<MatCRef<T>> out;
  out.reserve(c.layers.size());
  for (std::size_t l : c.layers) out.emplace_back(per_layer[l]);
  return out;
}

}  // namespace

template <class T>
std::vector<State<T>> unroll(const EnergyGraph<T>& graph, const State<T>& initial,
                             const UnrollOptions& options) {
  const std::vector<double> h = step_sizes(graph, options, "unroll");
  graph.check(initial);
  std::vector<State<T>> trajectory;
  trajectory.reserve(static_cast<std::size_t>(options.steps) + 1);
  trajectory.push_back(initial);
  Evaluation<T> eval;
  for (int t = 0; t < options.steps; ++t) {
    State<T> next = trajectory.back();
    graph.evaluate(next, eval, true);
    for (std::size_t l = 0; l < h.size(); ++l) {
      if (h[l] == 0.0) continue;
      next.at(l) -= static_cast<T>(h[l]) * eval.grads[l];
      if (!next.at(l).allFinite())
        throw Error(
            fmt::format("unroll: layer '{}' left the finite numbers at step {} (dt {} too "
                        "large for this graph?)",
                        graph.layers()[l].name, t + 1, options.dt));
    }
    trajectory.push_back(std::move(next));
  }
  return trajectory;
}

template <class T>
std::vector<Mat<T>> state_gradient(const EnergyGraph<T>& graph, const State<T>& state,
                                   const std::vector<Mat<T>>& activation_grads) {
  graph.check(state);
  ENGRAM_CHECK(activation_grads.size() == graph.layers().size(),
               "state_gradient: expected {} activation gradients (one per layer), got {}",
               graph.layers().size(), activation_grads.size());
  std::vector<Mat<T>> out;
  for (std::size_t l = 0; l < activation_grads.size(); ++l) {
    const auto& layer = graph.layers()[l];
    check_shape(activation_grads[l], state.batch(), layer.size,
                fmt::format("state_gradient: gradient of layer '{}'", layer.name));
    out.push_back(layer.lagrangian->hvp(state.at(l), activation_grads[l]));
  }
  return out;
}

template <class T>
DynamicsGradient<T> backpropagate(const EnergyGraph<T>& graph,
                                  const std::vector<State<T>>& trajectory,
                                  const UnrollOptions& options,
                                  const std::vector<Mat<T>>& final_grad) {
  const std::vector<double> h = step_sizes(graph, options, "backpropagate");
  ENGRAM_CHECK(trajectory.size() == static_cast<std::size_t>(options.steps) + 1,
               "backpropagate: trajectory must hold steps + 1 = {} states, got {}",
               options.steps + 1, trajectory.size());
  const std::size_t num_layers = graph.layers().size();
  ENGRAM_CHECK(final_grad.size() == num_layers,
               "backpropagate: final_grad must hold one matrix per layer ({}), got {}", num_layers,
               final_grad.size());
  graph.check(trajectory.back());
  const Index batch = trajectory.back().batch();
  for (std::size_t l = 0; l < num_layers; ++l) {
    check_shape(final_grad[l], batch, graph.layers()[l].size,
                fmt::format("backpropagate: final_grad of layer '{}'", graph.layers()[l].name));
    check_finite(final_grad[l],
                 fmt::format("backpropagate: final_grad of layer '{}'", graph.layers()[l].name));
  }

  DynamicsGradient<T> out;
  for (const auto& c : graph.synapses()) {
    std::vector<Mat<T>> zeros;
    for (std::size_t k = 0; k < c.synapse->num_params(); ++k)
      zeros.push_back(Mat<T>::Zero(c.synapse->param(k).rows(), c.synapse->param(k).cols()));
    out.params.push_back(std::move(zeros));
  }
  std::vector<Mat<T>> a = final_grad, c(num_layers), hc(num_layers);
  for (int t = options.steps - 1; t >= 0; --t) {
    const State<T>& x = trajectory[static_cast<std::size_t>(t)];
    ENGRAM_CHECK(x.size() == num_layers && x.batch() == batch,
                 "backpropagate: trajectory state {} does not match the final state", t);
    const std::vector<Mat<T>> xhats = graph.activations(x);
    for (std::size_t l = 0; l < num_layers; ++l) {
      c[l] = static_cast<T>(h[l]) * a[l];  // c_{t+1} = h ⊙ a_{t+1}
      hc[l].setZero(batch, graph.layers()[l].size);
    }
    for (std::size_t s = 0; s < graph.synapses().size(); ++s) {
      const auto& conn = graph.synapses()[s];
      const std::vector<MatCRef<T>> ops = operands<T>(conn, xhats), dirs = operands<T>(conn, c);
      const std::vector<Mat<T>> pg = conn.synapse->param_grad_directional(ops, dirs);
      for (std::size_t k = 0; k < pg.size(); ++k) out.params[s][k] -= pg[k];
      const std::vector<Mat<T>> gd = conn.synapse->grad_directional(ops, dirs);
      for (std::size_t k = 0; k < gd.size(); ++k) hc[conn.layers[k]] += gd[k];
    }
    // a_t = a_{t+1} − c − ∇²L(x_t)·(H c)
    for (std::size_t l = 0; l < num_layers; ++l)
      a[l] -= c[l] + graph.layers()[l].lagrangian->hvp(x.at(l), hc[l]);
  }
  out.initial = std::move(a);
  return out;
}

template <class T>
ThroughDynamics<T> gradient_through_dynamics(const EnergyGraph<T>& graph, const State<T>& initial,
                                             const UnrollOptions& options,
                                             const std::vector<LayerLoss<T>>& losses) {
  std::vector<State<T>> trajectory = unroll(graph, initial, options);
  FinalLoss<T> loss = final_loss(graph, trajectory.back(), losses);
  ThroughDynamics<T> out;
  out.loss = loss.value;
  out.grad = backpropagate(graph, trajectory, options, loss.grad);
  out.final = std::move(trajectory.back());
  return out;
}

#define ENGRAM_INSTANTIATE(T)                                                                     \
  template std::vector<State<T>> unroll(const EnergyGraph<T>&, const State<T>&,                   \
                                        const UnrollOptions&);                                    \
  template std::vector<Mat<T>> state_gradient(const EnergyGraph<T>&, const State<T>&,             \
                                              const std::vector<Mat<T>>&);                        \
  template DynamicsGradient<T> backpropagate(const EnergyGraph<T>&, const std::vector<State<T>>&, \
                                             const UnrollOptions&, const std::vector<Mat<T>>&);   \
  template ThroughDynamics<T> gradient_through_dynamics(const EnergyGraph<T>&, const State<T>&,   \
                                                        const UnrollOptions&,                     \
                                                        const std::vector<LayerLoss<T>>&);
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram
