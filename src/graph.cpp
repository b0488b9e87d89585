#include "engram/graph.hpp"

#include <algorithm>

#include "engram/core/error.hpp"

namespace engram {

// ---- State -----------------------------------------------------------------------------------

namespace {
/// Index of the item whose `name_of(item)` is `name`; otherwise throws listing the known names.
template <class Items, class NameOf>
std::size_t find_name(const Items& items, std::string_view name, NameOf name_of, const char* what) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (name_of(items[i]) == name) return i;
  std::string known;
  for (const auto& item : items)
    known += fmt::format("{}'{}'", known.empty() ? "" : ", ", name_of(item));
  ENGRAM_CHECK(false, "unknown {} '{}' (known: {})", what, name, known.empty() ? "none" : known);
  return 0;
}
const std::string& itself(const std::string& s) {
  return s;
}
}  // namespace

template <class T>
Mat<T>& State<T>::operator[](std::string_view layer) {
  return xs_[find_name(names_, layer, itself, "layer")];
}

template <class T>
const Mat<T>& State<T>::operator[](std::string_view layer) const {
  return xs_[find_name(names_, layer, itself, "layer")];
}

// ---- EnergyGraph: construction ---------------------------------------------------------------

template <class T>
EnergyGraph<T>::EnergyGraph(const EnergyGraph& other) : layers_(other.layers_) {
  synapses_.reserve(other.synapses_.size());
  for (const Connection& c : other.synapses_)
    synapses_.push_back({c.name, c.layers, c.synapse->clone()});
}

template <class T>
EnergyGraph<T>& EnergyGraph<T>::operator=(const EnergyGraph& other) {
  if (this != &other) *this = EnergyGraph(other);
  return *this;
}

template <class T>
void EnergyGraph<T>::check_new_name(const std::string& name, const char* who) const {
  ENGRAM_CHECK(!name.empty(), "{}: name must not be empty", who);
  for (const Layer& l : layers_)
    ENGRAM_CHECK(l.name != name, "{}: name '{}' is already used by a layer", who, name);
  for (const Connection& c : synapses_)
    ENGRAM_CHECK(c.name != name, "{}: name '{}' is already used by a synapse", who, name);
}

template <class T>
EnergyGraph<T>& EnergyGraph<T>::add_layer(std::string name, Shape shape,
                                          LagrangianPtr<T> lagrangian, double tau) {
  check_new_name(name, "add_layer");
  ENGRAM_CHECK(!shape.empty(), "add_layer '{}': shape must have at least one dimension", name);
  const Index size = shape_size(shape, fmt::format("add_layer '{}'", name));
  ENGRAM_CHECK(lagrangian != nullptr, "add_layer '{}': lagrangian is null", name);
  check_positive(tau, fmt::format("add_layer '{}': tau", name));
  layers_.push_back({std::move(name), std::move(shape), size, std::move(lagrangian), tau});
  return *this;
}

template <class T>
EnergyGraph<T>& EnergyGraph<T>::add_synapse(std::string name,
                                            const std::vector<std::string>& layer_names,
                                            SynapsePtr<T> synapse) {
  check_new_name(name, "add_synapse");
  ENGRAM_CHECK(synapse != nullptr, "add_synapse '{}': synapse is null", name);
  const std::vector<Index> sizes = synapse->operand_sizes();
  ENGRAM_CHECK(layer_names.size() == sizes.size(),
               "add_synapse '{}': {} connects {} layer(s), got {}", name, synapse->name(),
               sizes.size(), layer_names.size());
  std::vector<std::size_t> indices;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const std::size_t l = layer_index(layer_names[k]);
    ENGRAM_CHECK(layers_[l].size == sizes[k],
                 "add_synapse '{}': {} expects operand {} of size {}, but layer '{}' has size {}",
                 name, synapse->name(), k, sizes[k], layer_names[k], layers_[l].size);
    indices.push_back(l);
  }
  synapses_.push_back({std::move(name), std::move(indices), std::move(synapse)});
  return *this;
}

template <class T>
std::size_t EnergyGraph<T>::layer_index(std::string_view name) const {
  return find_name(
      layers_, name, [](const Layer& l) -> const std::string& { return l.name; }, "layer");
}

template <class T>
std::size_t EnergyGraph<T>::synapse_index(std::string_view name) const {
  return find_name(
      synapses_, name, [](const Connection& c) -> const std::string& { return c.name; }, "synapse");
}

template <class T>
Synapse<T>& EnergyGraph<T>::synapse(std::string_view name) {
  return *synapses_[synapse_index(name)].synapse;
}

template <class T>
const Synapse<T>& EnergyGraph<T>::synapse(std::string_view name) const {
  return *synapses_[synapse_index(name)].synapse;
}

// ---- EnergyGraph: states ---------------------------------------------------------------------

template <class T>
State<T> EnergyGraph<T>::zeros(Index batch) const {
  ENGRAM_CHECK(batch > 0, "zeros: batch must be positive, got {}", batch);
  std::vector<std::string> names;
  std::vector<Mat<T>> xs;
  for (const Layer& l : layers_) {
    names.push_back(l.name);
    xs.push_back(Mat<T>::Zero(batch, l.size));
  }
  return State<T>(std::move(names), std::move(xs));
}

template <class T>
void EnergyGraph<T>::check_shapes(const State<T>& state) const {
  ENGRAM_CHECK(state.size() == layers_.size(),
               "state has {} layer(s) but the graph has {}; make states with EnergyGraph::zeros",
               state.size(), layers_.size());
  const Index batch = state.batch();
  ENGRAM_CHECK(batch > 0, "state: batch must be positive, got {}", batch);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    ENGRAM_CHECK(state.names()[l] == layers_[l].name,
                 "state layer {} is '{}' but the graph's layer {} is '{}'", l, state.names()[l], l,
                 layers_[l].name);
    check_shape(state.at(l), batch, layers_[l].size,
                fmt::format("state of layer '{}'", layers_[l].name));
  }
}

template <class T>
void EnergyGraph<T>::check(const State<T>& state) const {
  check_shapes(state);
  for (std::size_t l = 0; l < layers_.size(); ++l)
    check_finite(state.at(l), fmt::format("state of layer '{}'", layers_[l].name));
}

// ---- EnergyGraph: energy and gradient --------------------------------------------------------

template <class T>
void EnergyGraph<T>::evaluate(const State<T>& state, Evaluation<T>& out, bool with_grad) const {
  check_shapes(state);
  const Index batch = state.batch();
  const std::size_t L = layers_.size(), S = synapses_.size();
  out.xhats.resize(L);
  out.grads.resize(with_grad ? L : 0);
  out.terms.resize(static_cast<Index>(L + S), batch);

  for (std::size_t l = 0; l < L; ++l) {
    const Mat<T>& x = state.at(l);
    out.xhats[l].resize(batch, layers_[l].size);
    layers_[l].lagrangian->activation(x, out.xhats[l]);
    out.terms.row(static_cast<Index>(l)) = layers_[l].lagrangian->energy(x).transpose();
    if (with_grad) out.grads[l] = x;  // ∂E_neuron/∂x̂ = x (Legendre identity)
  }

  auto& operands = out.scratch.operands;
  auto& targets = out.scratch.grad_targets;
  for (std::size_t s = 0; s < S; ++s) {
    const Connection& c = synapses_[s];
    operands.clear();
    targets.clear();
    for (std::size_t l : c.layers) {
      operands.emplace_back(out.xhats[l]);
      if (with_grad) targets.emplace_back(out.grads[l]);
    }
    c.synapse->evaluate(operands, &out.scratch.term, targets);
    out.terms.row(static_cast<Index>(L + s)) = out.scratch.term.transpose();
  }
  out.total = out.terms.colwise().sum().transpose();
}

template <class T>
std::vector<Mat<T>> EnergyGraph<T>::activations(const State<T>& state) const {
  check(state);
  Evaluation<T> ev;
  evaluate(state, ev, false);
  return std::move(ev.xhats);
}

template <class T>
Energies EnergyGraph<T>::energy(const State<T>& state) const {
  check(state);
  Evaluation<T> ev;
  evaluate(state, ev, false);
  return ev.total;
}

template <class T>
EnergyBreakdown EnergyGraph<T>::energy_terms(const State<T>& state) const {
  check(state);
  Evaluation<T> ev;
  evaluate(state, ev, false);
  EnergyBreakdown out;
  for (const Layer& l : layers_) out.names.push_back(l.name);
  for (const Connection& c : synapses_) out.names.push_back(c.name);
  out.values = std::move(ev.terms);
  out.total = std::move(ev.total);
  return out;
}

template <class T>
std::vector<Mat<T>> EnergyGraph<T>::grad(const State<T>& state) const {
  check(state);
  Evaluation<T> ev;
  evaluate(state, ev, true);
  return std::move(ev.grads);
}

template class State<float>;
template class State<double>;
template class EnergyGraph<float>;
template class EnergyGraph<double>;

}  // namespace engram
