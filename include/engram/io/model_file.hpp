// ModelFile<T>: a model or energy graph as a file holds it (SPEC M-42): its kind, its structure as
// JSON, and its tensors by name. Saved as safetensors with the structure in the header metadata,
// so PyTorch and JAX users can open the weights with their own readers.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "engram/core/types.hpp"

namespace engram {

/// The contents of one model file. Tensors are 2-D (a vector is stored as 1 × D).
template <class T>
struct ModelFile {
  /// "classical_hopfield", "continuous_hopfield", "modern_hopfield", "dense_am", "linear_am",
  /// "energy_graph", ...
  std::string kind;
  /// The structure: hyperparameters (β, τ, rule, F, ...), layers, Lagrangians, synapses.
  nlohmann::json config = nlohmann::json::object();
  /// The weights by name, e.g. {"W": N × N} or {"xi": K × D}.
  std::map<std::string, Mat<T>> tensors;
};

/// Writes `file` to `path` as safetensors (atomically: temporary file, then rename).
/// The header's __metadata__ holds {"format": "engram", "kind": ..., "config": <JSON text>,
/// "scalar": "float32"|"float64", "engram_version": ...}.
template <class T>
void save_model_file(const std::filesystem::path& path, const ModelFile<T>& file);

/// Reads a safetensors file written by save_model_file. Tensors stored in the other float width
/// are converted. Throws engram::Error naming the path and the problem for a missing, truncated,
/// garbled or foreign file.
template <class T>
ModelFile<T> load_model_file(const std::filesystem::path& path);

/// The kind recorded in a model file, read from the header alone.
std::string model_file_kind(const std::filesystem::path& path);

}  // namespace engram
