// ConditionalMemory<T>: the conditional generator/classifier of seed 001 (SPEC M-06), built as an
// EnergyGraph of image x, label y and memories z. Clamp the label to generate; clamp the image
// to classify.
#pragma once

#include <optional>
#include <vector>

#include "engram/dynamics/relax.hpp"
#include "engram/graph.hpp"
#include "engram/io/model_file.hpp"

namespace engram {

struct ConditionalOptions {
  /// Inverse temperature β of the memory layer z (softmax).
  double beta = 1.0;
  /// Label coupling λ. Unset: 1 + 2·max_μ ‖θ_μ − mean θ‖², an upper bound on half the squared
  /// diameter of the stored images, so a clamped label outweighs any image distance.
  std::optional<double> lambda;
  /// A clamped label k is the state y = label_logit · e_k (ŷ ≈ one-hot).
  double label_logit = 10.0;
  /// Dynamics used by generate() and classify() (the clamped layers are set by each call).
  RelaxOptions relax = default_relax();

  static RelaxOptions default_relax() {
    RelaxOptions o;
    o.dt = 0.1;
    o.max_steps = 5000;
    return o;
  }
};

/// M-06: E = E_x + E_y + E_z + ½[Σ_μ ẑ_μ Σ_i (θ^img_μi − x̂_i)² − Σ_i x̂_i²] − λ Σ_μk ẑ_μ θ^lbl_μk
/// ŷ_k with x identity (D), y softmax β = 1 (C classes), z softmax β (K memories). Memories are
/// inserted from labelled vectors: θ^img_μ is the image, θ^lbl_μ the one-hot label.
template <class T>
class ConditionalMemory {
 public:
  struct Generated {
    Mat<T> images;      ///< B × D generated images x̂
    RelaxResult relax;  ///< the dynamics that produced them
  };
  struct Classified {
    std::vector<int> labels;  ///< argmax ŷ per image
    Mat<T> probabilities;     ///< B × C, ŷ at the end of the dynamics
    RelaxResult relax;
  };

  ConditionalMemory(Index image_size, Index num_classes, ConditionalOptions options = {});

  /// Stores each row of `images` (N × D) as a memory with its label in [0, C).
  void insert(const MatCRef<T>& images, const std::vector<int>& labels);

  /// Clamps y at each requested label and relaxes x and z from `start` (B × D; default: the mean
  /// stored image for every label).
  Generated generate(const std::vector<int>& labels,
                     const std::optional<Mat<T>>& start = std::nullopt) const;

  /// Clamps x at each image (B × D) and relaxes y from 0 (a uniform ŷ) and z from
  /// memories_at_rest(images); the class is argmax ŷ.
  Classified classify(const MatCRef<T>& images) const;

  /// The memory layer at rest for clamped images and a uniform label, z_μ = λ/C − ½‖θ_μ − x̂‖²
  /// (B × K; the fixed point of τ dz/dt = −∂E/∂ẑ with ŷ = 1/C). Starting classification there lets
  /// the memories weigh the image before the label moves; from z = 0 the label would first drift
  /// towards the most frequent stored class, and a large λ would lock it there.
  Mat<T> memories_at_rest(const MatCRef<T>& images) const;

  Index size() const { return memory_images_.rows(); }
  Index image_size() const { return image_size_; }
  Index num_classes() const { return num_classes_; }
  double lambda() const { return lambda_; }
  const ConditionalOptions& options() const { return options_; }
  const Mat<T>& memory_images() const { return memory_images_; }
  const std::vector<int>& memory_labels() const { return memory_labels_; }
  /// The energy graph over the stored memories (layers "x", "y", "z"; synapses "image", "label").
  const EnergyGraph<T>& graph() const;

  /// M-42: kind "conditional_memory"; config {image_size, num_classes, beta, lambda (null when
  /// automatic), label_logit, dt, max_steps}; tensors "images" (K × D) and "labels" (K × 1).
  ModelFile<T> to_file() const;
  /// Rebuilds a memory from to_file's output; other config keys (e.g. "class_names",
  /// "image_shape") are left to the caller. Throws std::invalid_argument naming what is wrong.
  static ConditionalMemory from_file(const ModelFile<T>& file);

 private:
  static double automatic_lambda(const Mat<T>& images);
  EnergyGraph<T> build_graph(const Mat<T>& images, const std::vector<int>& labels,
                             double lambda) const;

  Index image_size_, num_classes_;
  ConditionalOptions options_;
  Mat<T> memory_images_;
  std::vector<int> memory_labels_;
  double lambda_ = 0.0;
  EnergyGraph<T> graph_;
};

}  // namespace engram
