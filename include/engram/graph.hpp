// EnergyGraph<T>: layers of neurons joined by synapses, as one energy (SPEC M-03).
// E = Σ_layers (x̂·x − L(x)) + Σ_synapses E_s(x̂...), and ∂E/∂x̂_l = x_l + Σ_s ∂E_s/∂x̂_l.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "engram/core/types.hpp"
#include "engram/neurons/lagrangian.hpp"
#include "engram/synapses/synapse.hpp"

namespace engram {

template <class T>
class EnergyGraph;

/// The internal states x of every layer of a graph for a batch: one B × D_l matrix per layer,
/// looked up by layer name. Made by EnergyGraph::zeros; checked by every graph entry point.
template <class T>
class State {
 public:
  State() = default;

  Mat<T>& operator[](std::string_view layer);
  const Mat<T>& operator[](std::string_view layer) const;
  Mat<T>& at(std::size_t i) { return xs_.at(i); }
  const Mat<T>& at(std::size_t i) const { return xs_.at(i); }

  std::size_t size() const { return xs_.size(); }
  Index batch() const { return xs_.empty() ? 0 : xs_.front().rows(); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  friend class EnergyGraph<T>;
  State(std::vector<std::string> names, std::vector<Mat<T>> xs)
      : names_(std::move(names)), xs_(std::move(xs)) {}

  std::vector<std::string> names_;
  std::vector<Mat<T>> xs_;
};

/// Everything one evaluation of a graph produces, kept between calls so the dynamics loop
/// reuses its buffers. Layers and synapses are in the order they were added.
template <class T>
struct Evaluation {
  std::vector<Mat<T>> xhats;  ///< activations x̂_l = ∇L_l(x_l), B × D_l per layer
  std::vector<Mat<T>> grads;  ///< ∂E/∂x̂_l = x_l + Σ_s ∂E_s/∂x̂_l, B × D_l per layer
  Eigen::MatrixXd terms;      ///< energy of every term (layers, then synapses) × B samples
  Energies total;             ///< total energy per sample (B)

  /// Buffers reused between calls (operand tables, one term's energies); not results.
  struct Scratch {
    std::vector<MatCRef<T>> operands;
    std::vector<MatRef<T>> grad_targets;
    Energies term;
  } scratch;
};

/// Energies by term, for inspection and plots.
struct EnergyBreakdown {
  std::vector<std::string> names;  ///< layer names, then synapse names
  Eigen::MatrixXd values;          ///< terms × batch
  Energies total;                  ///< batch
};

/// A network of named layers (shape, Lagrangian, time constant τ) and named synapses.
///
///   EnergyGraph<double> g;
///   g.add_layer("v", {D}, Sigmoid<double>(1.0 / (2 * D)))
///    .add_layer("m", {K}, Softmax<double>(1.0))
///    .add_synapse("xi", {"m", "v"}, DenseSynapse<double>(Xi));   // E_S = −m̂ᵀ Ξ v̂
///   auto s = g.zeros(1);
///   Energies E = g.energy(s);
///
/// Dynamics (dynamics/relax.hpp) descend this energy: τ_l dx_l/dt = −∂E/∂x̂_l (SPEC M-04).
/// Layer and synapse names share one namespace. Copies are deep (synapses are cloned).
template <class T>
class EnergyGraph {
 public:
  struct Layer {
    std::string name;
    Shape shape;
    Index size;
    LagrangianPtr<T> lagrangian;
    double tau;
  };
  struct Connection {
    std::string name;
    std::vector<std::size_t> layers;  ///< operand k of the synapse is layer layers[k]
    SynapsePtr<T> synapse;
  };

  EnergyGraph() = default;
  EnergyGraph(const EnergyGraph& other);
  EnergyGraph& operator=(const EnergyGraph& other);
  EnergyGraph(EnergyGraph&&) noexcept = default;
  EnergyGraph& operator=(EnergyGraph&&) noexcept = default;

  /// Adds a layer with time constant τ > 0. Names are unique and non-empty; every dimension > 0.
  EnergyGraph& add_layer(std::string name, Shape shape, LagrangianPtr<T> lagrangian,
                         double tau = 1.0);
  template <std::derived_from<Lagrangian<T>> L>
  EnergyGraph& add_layer(std::string name, Shape shape, L lagrangian, double tau = 1.0) {
    return add_layer(std::move(name), std::move(shape),
                     std::make_shared<const L>(std::move(lagrangian)), tau);
  }

  /// Connects `synapse` to the named layers (one per operand, sizes must match).
  EnergyGraph& add_synapse(std::string name, const std::vector<std::string>& layers,
                           SynapsePtr<T> synapse);
  template <std::derived_from<Synapse<T>> S>
  EnergyGraph& add_synapse(std::string name, const std::vector<std::string>& layers, S synapse) {
    return add_synapse(std::move(name), layers, std::make_unique<S>(std::move(synapse)));
  }

  const std::vector<Layer>& layers() const { return layers_; }
  const std::vector<Connection>& synapses() const { return synapses_; }
  std::size_t layer_index(std::string_view name) const;
  const Layer& layer(std::string_view name) const { return layers_[layer_index(name)]; }
  /// The synapse named `name`; mutable so learning rules can set its parameters (checked).
  Synapse<T>& synapse(std::string_view name);
  const Synapse<T>& synapse(std::string_view name) const;

  /// A state of `batch` samples with every internal state 0.
  State<T> zeros(Index batch) const;

  /// Throws unless `state` belongs to this graph: same layers, B × D_l each, all finite.
  void check(const State<T>& state) const;

  /// Activations x̂_l of every layer.
  std::vector<Mat<T>> activations(const State<T>& state) const;
  /// Total energy per sample (B values, double).
  Energies energy(const State<T>& state) const;
  /// Energy of every term per sample.
  EnergyBreakdown energy_terms(const State<T>& state) const;
  /// ∂E/∂x̂_l for every layer: the right-hand side of the dynamics, −τ_l dx_l/dt.
  std::vector<Mat<T>> grad(const State<T>& state) const;

  /// The work behind the calls above, into reusable buffers. Checks shapes but not finiteness: a
  /// non-finite state yields non-finite energies (the dynamics treat them as a failed step).
  void evaluate(const State<T>& state, Evaluation<T>& out, bool with_grad = true) const;

  /// The graph in Graphviz DOT: layers as ellipses, synapses as boxes joined to their layers.
  std::string to_dot() const;

 private:
  void check_new_name(const std::string& name, const char* who) const;
  std::size_t synapse_index(std::string_view name) const;
  void check_shapes(const State<T>& state) const;

  std::vector<Layer> layers_;
  std::vector<Connection> synapses_;
};

}  // namespace engram
