// Random energy graphs for property tests: random layers (sizes, Lagrangians, τ) joined by random
// synapses of every kind, with symmetric recurrent weights.
#pragma once

#include <engram/graph.hpp>
#include <engram/neurons.hpp>
#include <engram/synapses.hpp>

#include "engram/core/rng.hpp"

namespace engram::test {

/// Lagrangian family k (0 identity, 1 sigmoid, 2 tanh, 3 softmax, 4 relu, 5 rectified
/// polynomial of power 2 + β/3, 6 softplus) with inverse temperature β where it has one.
inline LagrangianPtr<double> lagrangian_family(int k, double beta) {
  switch (k) {
    case 0:
      return std::make_shared<const Identity<double>>();
    case 1:
      return std::make_shared<const Sigmoid<double>>(beta);
    case 2:
      return std::make_shared<const Tanh<double>>(beta);
    case 3:
      return std::make_shared<const Softmax<double>>(beta);
    case 4:
      return std::make_shared<const Relu<double>>();
    case 5:
      return std::make_shared<const RectifiedPolynomial<double>>(2.0 + beta / 3.0);
    default:
      return std::make_shared<const Softplus<double>>(beta);
  }
}

inline LagrangianPtr<double> random_lagrangian(Rng& rng) {
  const double beta = rng.real(0.3, 3.0);
  return lagrangian_family(static_cast<int>(rng.index(6)), beta);
}

/// A graph of 1–4 layers (sizes 1–6) and 1–5 synapses; weights are scaled so short runs stay
/// bounded.
inline EnergyGraph<double> random_graph(Rng& rng) {
  EnergyGraph<double> g;
  const Index num_layers = 1 + rng.index(4);
  for (Index l = 0; l < num_layers; ++l)
    g.add_layer(fmt::format("l{}", l), {1 + rng.index(6)}, random_lagrangian(rng),
                rng.real(0.5, 2.0));
  const Index num_synapses = 1 + rng.index(5);
  for (Index s = 0; s < num_synapses; ++s) {
    const std::size_t a = rng.index(num_layers);
    std::size_t b = rng.index(num_layers);
    if (num_layers > 1)
      while (b == a) b = rng.index(num_layers);
    const Index na = g.layers()[a].size, nb = g.layers()[b].size;
    const std::string name = fmt::format("s{}", s), la = g.layers()[a].name,
                      lb = g.layers()[b].name;
    const double w = 0.5 / std::sqrt(static_cast<double>(na + nb));
    switch (a == b ? 2 + rng.index(2) : rng.index(5)) {
      case 0:
        g.add_synapse(name, {la, lb}, DenseSynapse<double>(rng.normal<double>(na, nb, 0, w)));
        break;
      case 1:
        g.add_synapse(name, {la, lb}, L2Synapse<double>(rng.uniform<double>(nb, na)));
        break;
      case 2: {
        Mat<double> W = rng.normal<double>(na, na, 0, w);
        W = (0.5 * (W + W.transpose())).eval();
        W.diagonal().setZero();
        g.add_synapse(name, {la}, RecurrentSynapse<double>(W));
        break;
      }
      case 3:
        g.add_synapse(name, {la}, BiasSynapse<double>(rng.normal<double>(1, na)));
        break;
      default:
        g.add_synapse(name, {la, lb},
                      LabelSynapse<double>(rng.uniform<double>(na, nb, 0, w), rng.real(0.5, 3.0)));
    }
  }
  return g;
}

/// A random state of `batch` samples for `g`, entries N(0, scale).
inline State<double> random_state(const EnergyGraph<double>& g, Index batch, Rng& rng,
                                  double scale = 1.0) {
  State<double> s = g.zeros(batch);
  for (std::size_t l = 0; l < s.size(); ++l)
    s.at(l) = rng.normal<double>(batch, g.layers()[l].size, 0.0, scale);
  return s;
}

}  // namespace engram::test
