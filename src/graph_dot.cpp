// Graphviz drawing of an EnergyGraph: the hypergraph of SPEC M-03, with each synapse drawn as a
// box node joined to every layer it connects.
#include <fmt/format.h>

#include "engram/graph.hpp"

namespace engram {
namespace {

/// Escapes a label for a double-quoted DOT string.
std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

template <class T>
std::string EnergyGraph<T>::to_dot() const {
  std::string dot = "graph engram {\n  rankdir=LR;\n";
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    dot += fmt::format("  L{} [shape=ellipse, label=\"{}\\n{}\\n{}\\ntau={:g}\"];\n", l,
                       dot_escape(layer.name), shape_string(layer.shape),
                       dot_escape(layer.lagrangian->name()), layer.tau);
  }
  for (std::size_t s = 0; s < synapses_.size(); ++s) {
    const Connection& c = synapses_[s];
    dot += fmt::format("  S{} [shape=box, label=\"{}\\n{}\"];\n", s, dot_escape(c.name),
                       dot_escape(c.synapse->name()));
    for (std::size_t k = 0; k < c.layers.size(); ++k)
      dot += fmt::format("  S{} -- L{} [label=\"{}\"];\n", s, c.layers[k], k);
  }
  return dot + "}\n";
}

template std::string EnergyGraph<float>::to_dot() const;
template std::string EnergyGraph<double>::to_dot() const;

}  // namespace engram
