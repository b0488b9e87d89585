// ModelFile<T>: a model or energy graph as a file holds it (SPEC M-42): its kind, its structure as
// JSON, and its tensors by name. Saved as safetensors with the structure in the header metadata,
// so PyTorch and JAX users can open the weights with their own readers.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <utility>

#include "engram/core/error.hpp"
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
/// The header's __metadata__ holds {"format": "engram", "engram_version": "0.1.0", "kind": ...,
/// "scalar": "float32"|"float64", "config": <compact JSON text>}; each tensor is stored as F32
/// (float) or F64 (double) with shape [rows, cols], row-major, so `safetensors.safe_open` and
/// `safetensors.torch.load_file` read it as is. Throws std::invalid_argument for an empty kind, a
/// config that is not a JSON object, or a tensor named "" or "__metadata__"; engram::Error when the
/// file cannot be written.
template <class T>
void save_model_file(const std::filesystem::path& path, const ModelFile<T>& file);

/// Reads a safetensors file written by save_model_file. Tensors stored in the other float width
/// are converted (a double beyond float's range is an error, not an Inf). Throws engram::Error
/// naming the path and the problem for a missing, truncated or garbled file, a safetensors file
/// that is not engram's ("not an engram model file"), metadata without kind or config, or a
/// tensor that is not 2-D F32/F64.
template <class T>
ModelFile<T> load_model_file(const std::filesystem::path& path);

/// The kind recorded in a model file, read from the header alone (same errors as loading).
std::string model_file_kind(const std::filesystem::path& path);

/// Saves a model facade (ClassicalHopfield, ContinuousHopfield, ModernHopfield,
/// DenseAssociativeMemory, LinearAssociativeMemory) through its to_file():
///   save_model("net.safetensors", net);
template <class Model>
void save_model(const std::filesystem::path& path, const Model& model) {
  save_model_file(path, model.to_file());
}

/// Loads a facade saved by save_model:
///   auto net = load_model<ModernHopfield<float>>("net.safetensors");
/// Throws engram::Error naming the path for an unreadable file or one holding another kind of
/// model (the message of Model::from_file follows the path).
template <class Model>
Model load_model(const std::filesystem::path& path) {
  using T = typename decltype(std::declval<const Model&>().to_file().tensors)::mapped_type::Scalar;
  const ModelFile<T> file = load_model_file<T>(path);
  try {
    return Model::from_file(file);
  } catch (const std::invalid_argument& e) {
    throw Error(fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace engram
