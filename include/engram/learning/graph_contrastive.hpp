// Contrastive divergence for any energy graph (SPEC M-32): the synapses' parameters follow the
// log-likelihood gradient of p(x) ∝ exp(−E(x)/T), positive statistics from data (hidden layers
// sampled with the data clamped), negative ones from Langevin chains (CD-k or persistent).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engram/core/rng.hpp"
#include "engram/graph.hpp"

namespace engram {

struct GraphCDOptions {
  /// The layers the data set; they are clamped in the positive phase. At least one.
  std::vector<std::string> visible;
  /// Synapses whose parameters stay as they are.
  std::vector<std::string> frozen;
  double learning_rate = 0.01;  ///< η > 0
  double temperature = 1.0;     ///< T > 0 of the model p ∝ exp(−E/T) and of the chains
  double step_size = 0.01;      ///< Langevin ε > 0 (sampling/langevin.hpp)
  bool metropolis = false;      ///< MALA chains (exact for any ε)
  /// Langevin steps for the hidden (non-visible) layers with the data clamped, from 0 each batch
  /// (ignored when every layer is visible).
  int positive_steps = 50;
  /// Langevin steps of the negative chains per update (the k of CD-k), over every layer.
  int negative_steps = 1;
  /// Persistent CD: the negative chains carry over between updates (else they restart from the
  /// positive phase's states, CD-k).
  bool persistent = true;
};

/// What one update measured: mean energies of the positive and negative states (per sample),
/// and the Langevin acceptance of the negative chains (1 without MALA).
struct GraphCDStep {
  double positive_energy = 0.0;
  double negative_energy = 0.0;
  double acceptance = 1.0;
};

/// M-32: contrastive divergence on an EnergyGraph. For p_θ(x) ∝ exp(−E_θ(x)/T) over the layers'
/// internal states, the mean log-likelihood gradient of data is
///   ∇_θ ℓ = −(1/T) (⟨∂E/∂θ⟩_data − ⟨∂E/∂θ⟩_model),
/// with hidden layers averaged over p(h | data). Each update estimates the first average on the
/// batch (hidden layers sampled by Langevin with the visible layers clamped) and the second on
/// the negative chains after `negative_steps` Langevin steps, then θ ← θ + η ∇_θ ℓ for every
/// parameter of every synapse not frozen (Synapse::param_grad, set_param: a recurrent W stays
/// symmetric with zero diagonal).
template <class T>
class GraphContrastiveDivergence {
 public:
  /// Checks the options against `graph` (known layers and synapses, positive numbers).
  GraphContrastiveDivergence(const EnergyGraph<T>& graph, GraphCDOptions options,
                             std::uint64_t seed);

  /// One update of `graph`'s parameters from a batch: `data[k]` holds the internal states of
  /// options.visible[k] (B × D, finite; every batch the same B when persistent).
  GraphCDStep step(EnergyGraph<T>& graph, const std::vector<Mat<T>>& data);

  /// The negative chains (empty before the first step).
  const State<T>& chains() const { return chains_; }
  const GraphCDOptions& options() const { return options_; }

 private:
  State<T> positive_state(const EnergyGraph<T>& graph, const std::vector<Mat<T>>& data);

  GraphCDOptions options_;
  Rng rng_;
  State<T> chains_;
  bool started_ = false;
};

}  // namespace engram
