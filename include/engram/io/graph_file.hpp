// EnergyGraph files (SPEC M-42): any graph as a model file of kind "energy_graph", its layers and
// synapses as JSON config and its synapse parameters as safetensors tensors.
#pragma once

#include <filesystem>

#include "engram/graph.hpp"
#include "engram/io/model_file.hpp"

namespace engram {

/// M-42: `graph` as a ModelFile of kind "energy_graph". The config is
///   {"layers": [{"name", "shape": [..], "tau", "lagrangian": {"kind", "hyperparameters": {..}}}],
///    "synapses": [{"name", "kind", "layers": [layer names, one per operand],
///                  "hyperparameters": {..}, "params": [tensor names, in param order]}]}
/// in the order layers and synapses were added; the tensors are named "synapse.param"
/// (e.g. "xi.W"). Throws std::invalid_argument for a Lagrangian or synapse kind that
/// make_lagrangian / make_synapse (io/registry.hpp) cannot rebuild.
template <class T>
ModelFile<T> graph_to_file(const EnergyGraph<T>& graph);

/// M-42: rebuilds the graph that graph_to_file described: same layers, synapses and parameters,
/// hence the same energies, gradients and dynamics, bit for bit for the same T. Throws
/// std::invalid_argument for another kind of file, a config field missing or of the wrong type,
/// an unknown kind, a tensor missing, unused, or of the wrong shape for its synapse.
template <class T>
EnergyGraph<T> graph_from_file(const ModelFile<T>& file);

/// Writes `graph` to `path` (safetensors; see save_model_file).
template <class T>
void save_graph(const std::filesystem::path& path, const EnergyGraph<T>& graph);

/// Reads the graph saved at `path`, converting F32/F64 tensors to T. Throws engram::Error naming
/// the path for an unreadable file or one that does not describe a valid graph.
template <class T>
EnergyGraph<T> load_graph(const std::filesystem::path& path);

}  // namespace engram
