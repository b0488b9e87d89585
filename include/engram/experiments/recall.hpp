// The recall experiment behind `engram recall` (SPEC M-43): store N images of a dataset in one of
// the model families, corrupt them, retrieve, and score. The CLI and Python run this same code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engram/core/types.hpp"
#include "engram/data/corruption.hpp"
#include "engram/data/datasets.hpp"

namespace engram {

/// Which model family stores the images.
enum class ModelFamily { classical, continuous, modern, dense, linear };

/// "classical", "continuous", "modern", "dam", "linear".
std::string to_string(ModelFamily family);
/// Parses the names above; throws std::invalid_argument listing them otherwise.
ModelFamily parse_model_family(std::string_view name);

/// Settings of one recall experiment. Unset options take each family's documented default.
struct RecallConfig {
  ModelFamily model = ModelFamily::modern;
  std::string dataset = "mnist";
  /// Number of stored images (the first N of the training split).
  Index memories = 100;
  Corruption corruption{Corruption::Kind::half, 0.0};
  std::uint64_t seed = 1;
  /// Inverse temperature: modern Hopfield's β (default 1 on ±1 images, where overlaps are in the
  /// hundreds), the continuous model's tanh gain (default 10), the β of a DAM's exponential or
  /// log-sum-exp interaction.
  std::optional<double> beta;
  /// DAM interaction F as Interaction::parse reads it, e.g. "polynomial(n=3)",
  /// "rectified_polynomial(n=30)" (the default), "exponential(beta=1)".
  std::string interaction;
  /// Classical and continuous: "hebbian", "storkey", "pseudo_inverse".
  std::string rule = "hebbian";
  /// Store binarised images (pixel ≥ ½ → +1, else −1), the default, so every family stores the
  /// same patterns; false stores grey levels scaled to [−1, 1] (continuous, modern and linear
  /// only). With grey levels, dot-product similarity favours bright images: a brighter stored image
  /// can overlap a half cue more than the cue's own image does.
  bool binarize = true;
  /// Classical: "async" (random-order sweeps, default) or "sync"; DAM binary states likewise.
  std::string mode = "async";
  /// Update budget per cue (iterations, sweeps or Euler steps). Unset: 100, or 1,000 Euler steps
  /// of dt = 0.1 for the continuous model.
  std::optional<int> max_steps;
  /// When set, the model is also saved there as a model file (safetensors, M-42).
  std::filesystem::path save_model;
  /// Called with (done, total) as cues are retrieved.
  std::function<void(Index, Index)> on_progress;
};

/// The outcome: scores, the images involved (all N × D in [0,1] for display) and energy traces.
struct RecallReport {
  RecallConfig config;
  std::string model_description;
  Index dimension = 0;
  Index rows = 0, cols = 0;
  /// Fraction of cues whose retrieval is closer (Euclidean, in [0,1] pixels) to its own stored
  /// image than to any other stored image.
  double exact_recall = 0;
  /// Fraction of cues retrieved exactly: every pixel within half a grey level (0.5/255).
  double perfect_recall = 0;
  /// Mean |retrieved − truth| over all pixels, in [0,1] pixel units.
  double mean_pixel_error = 0;
  /// The same over the pixels the corruption altered (NaN when it altered none).
  double corrupted_pixel_error = 0;
  double mean_steps = 0;
  double converged_fraction = 0;
  double seconds = 0;
  Mat<float> cues, retrieved, truth;
  /// (updates + 1) × N energies of each sample, in the model's own energy.
  Eigen::MatrixXd energy_trace;
};

/// Runs the experiment. Throws std::invalid_argument for impossible settings (more memories than
/// the split holds, a family that cannot use the given option) and engram::Error for missing data.
RecallReport run_recall(const RecallConfig& config);

}  // namespace engram
