// Contrastive divergence on an energy graph (SPEC M-32).
#include "engram/learning/graph_contrastive.hpp"

#include <algorithm>
#include <cmath>

#include "engram/core/error.hpp"
#include "engram/sampling/langevin.hpp"

namespace engram {

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// ⟨∂E/∂θ⟩ over a batch for every parameter of every synapse (the batch mean of param_grad).
template <class T>
std::vector<std::vector<Mat<T>>> mean_param_grads(const EnergyGraph<T>& graph,
                                                  const State<T>& state) {
  const std::vector<Mat<T>> xhats = graph.activations(state);
  std::vector<std::vector<Mat<T>>> out;
  for (const auto& c : graph.synapses()) {
    std::vector<MatCRef<T>> operands;
    for (std::size_t layer : c.layers) operands.emplace_back(xhats[layer]);
    std::vector<Mat<T>> g = c.synapse->param_grad(Operands<T>(operands.data(), operands.size()));
    for (Mat<T>& p : g) p /= static_cast<T>(state.batch());
    out.push_back(std::move(g));
  }
  return out;
}

double mean(const Energies& e) {
  return e.size() ? e.mean() : 0.0;
}

}  // namespace

template <class T>
GraphContrastiveDivergence<T>::GraphContrastiveDivergence(const EnergyGraph<T>& graph,
                                                          GraphCDOptions options,
                                                          std::uint64_t seed)
    : options_(std::move(options)), rng_(seed) {
  const GraphCDOptions& o = options_;
  ENGRAM_CHECK(!o.visible.empty(), "GraphCDOptions.visible: name at least one layer the data set");
  for (const std::string& name : o.visible) graph.layer_index(name);  // throws when unknown
  for (const std::string& name : o.frozen) graph.synapse(name);
  check_positive(o.learning_rate, "GraphCDOptions.learning_rate");
  check_positive(o.temperature, "GraphCDOptions.temperature");
  check_positive(o.step_size, "GraphCDOptions.step_size");
  ENGRAM_CHECK(o.positive_steps >= 0, "GraphCDOptions.positive_steps: expected >= 0, got {}",
               o.positive_steps);
  ENGRAM_CHECK(o.negative_steps >= 1, "GraphCDOptions.negative_steps: expected >= 1, got {}",
               o.negative_steps);
}

template <class T>
State<T> GraphContrastiveDivergence<T>::positive_state(const EnergyGraph<T>& graph,
                                                       const std::vector<Mat<T>>& data) {
  const GraphCDOptions& o = options_;
  ENGRAM_CHECK(data.size() == o.visible.size(),
               "GraphContrastiveDivergence::step: data has {} matrices for {} visible layers",
               data.size(), o.visible.size());
  const Index batch = data.front().rows();
  ENGRAM_CHECK(batch > 0, "GraphContrastiveDivergence::step: empty batch");
  State<T> state = graph.zeros(batch);
  for (std::size_t k = 0; k < data.size(); ++k) {
    const std::string what = fmt::format("data for layer '{}'", o.visible[k]);
    check_shape(data[k], batch, graph.layer(o.visible[k]).size, what);
    ENGRAM_CHECK(data[k].allFinite(), "{}: contains NaN or Inf", what);
    state[o.visible[k]] = data[k];
  }
  if (o.visible.size() < graph.layers().size() && o.positive_steps > 0) {
    LangevinOptions lo;
    lo.step_size = o.step_size;
    lo.temperature = o.temperature;
    lo.steps = o.positive_steps;
    lo.metropolis = o.metropolis;
    lo.clamped = o.visible;
    langevin(graph, state, lo, rng_);
  }
  return state;
}

template <class T>
GraphCDStep GraphContrastiveDivergence<T>::step(EnergyGraph<T>& graph,
                                                const std::vector<Mat<T>>& data) {
  const GraphCDOptions& o = options_;
  State<T> positive = positive_state(graph, data);
  if (!o.persistent || !started_) {
    chains_ = positive;
    started_ = true;
  } else {
    ENGRAM_CHECK(chains_.batch() == positive.batch(),
                 "GraphContrastiveDivergence::step: persistent chains hold {} samples, this batch "
                 "{}; keep the batch size fixed",
                 chains_.batch(), positive.batch());
  }
  LangevinOptions lo;
  lo.step_size = o.step_size;
  lo.temperature = o.temperature;
  lo.steps = o.negative_steps;
  lo.metropolis = o.metropolis;
  const LangevinResult<T> negative = langevin(graph, chains_, lo, rng_);

  const auto plus = mean_param_grads(graph, positive);
  const auto minus = mean_param_grads(graph, chains_);
  GraphCDStep report;
  report.positive_energy = mean(graph.energy(positive));
  report.negative_energy = mean(negative.energy);
  report.acceptance = negative.acceptance;
  // θ ← θ + η ∇_θ ℓ, ∇_θ ℓ = −(⟨∂E/∂θ⟩⁺ − ⟨∂E/∂θ⟩⁻)/T
  const T scale = static_cast<T>(o.learning_rate / o.temperature);
  for (std::size_t s = 0; s < graph.synapses().size(); ++s) {
    const std::string& name = graph.synapses()[s].name;
    if (contains(o.frozen, name)) continue;
    Synapse<T>& synapse = graph.synapse(name);
    for (std::size_t k = 0; k < synapse.num_params(); ++k) {
      const Mat<T> updated = synapse.param(k) - scale * (plus[s][k] - minus[s][k]);
      ENGRAM_CHECK(updated.allFinite(),
                   "GraphContrastiveDivergence::step: parameter {} of synapse '{}' became "
                   "non-finite (lower learning_rate or step_size)",
                   synapse.param_names()[k], name);
      synapse.set_param(k, updated);
    }
  }
  return report;
}

template class GraphContrastiveDivergence<float>;
template class GraphContrastiveDivergence<double>;

}  // namespace engram
