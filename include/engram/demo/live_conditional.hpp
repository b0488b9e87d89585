// LiveConditional: seed 001's conditional memory (SPEC M-06) running live, a few Euler steps at a
// time, with its clamps and its β, λ and step size changed while it runs (the demo, SPEC M-07).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "engram/analysis/pca.hpp"
#include "engram/models/conditional.hpp"

namespace engram {

/// One stored set of memories under every (β, λ) asked for. Variants share nothing but are built
/// once and shared while in use, so a hundred sessions at the default β and λ hold one copy.
/// Thread-safe.
class ConditionalVariants {
 public:
  /// `base` must hold memories; its β and λ are the defaults.
  explicit ConditionalVariants(ConditionalMemory<double> base);

  /// The memory with the base's images and labels and this β and λ (both > 0).
  std::shared_ptr<const ConditionalMemory<double>> get(double beta, double lambda) const;
  const ConditionalMemory<double>& base() const { return *base_; }

 private:
  std::shared_ptr<const ConditionalMemory<double>> base_;
  mutable std::mutex mutex_;
  mutable std::map<std::pair<double, double>, std::weak_ptr<const ConditionalMemory<double>>>
      cache_;
};

enum class LiveMode { generate, classify };
/// "generate" or "classify".
const char* to_string(LiveMode mode);

/// What can change while the memory runs.
struct LiveSettings {
  double beta = 1.0;        ///< inverse temperature of the memories z, in (0, 1e4]
  double lambda = 1.0;      ///< label coupling λ, in (0, 1e6]
  double dt = 0.1;          ///< Euler step, in (0, 1]
  int steps_per_frame = 2;  ///< Euler steps per advance(), in [1, 100]

  /// Throws std::invalid_argument naming the first setting outside its range.
  void check() const;
};

/// The state after an advance: what the demo's page draws.
struct LiveFrame {
  std::int64_t step = 0;     ///< Euler steps taken since the start
  std::int64_t segment = 0;  ///< bumped whenever the energy function or a clamp changes
  LiveMode mode = LiveMode::generate;
  int label = 0;                               ///< generate: the clamped label; classify: argmax ŷ
  Eigen::VectorXd image;                       ///< x̂ (D): the image
  Eigen::VectorXd probabilities;               ///< ŷ (C): the label distribution
  double energy = 0;                           ///< E(x, y, z)
  std::optional<std::array<double, 2>> plane;  ///< x̂ on the first two principal components
};

/// A single conditional memory relaxing from its current state. Generate: y is clamped at the
/// label (label_logit · e_k) and x, z descend; classify: x is clamped at the image and y, z
/// descend. Within one segment the energy never rises (relax() undoes a step that would raise it
/// beyond rounding). Not thread-safe: one owner drives it.
class LiveConditional {
 public:
  /// Starts in generate mode at `label`, x at the mean stored image, z at 0. Settings' β and λ pick
  /// the variant; `plane` (optional) gives the frames their PCA coordinates.
  LiveConditional(std::shared_ptr<const ConditionalVariants> memories, LiveSettings settings,
                  int label = 0, std::shared_ptr<const PrincipalComponents> plane = nullptr);

  /// Clamps the label at k ∈ [0, C); x and z go on from where they are.
  void generate(int label);
  /// Clamps x at `image` (D, finite); y restarts at 0 (a uniform label distribution), z at the
  /// memories' rest for this image (ConditionalMemory::memories_at_rest).
  void classify(const Eigen::VectorXd& image);
  /// New settings (checked). A new β or λ changes the energy function: a new segment.
  void set_settings(const LiveSettings& settings);
  /// Back to the start: x at the mean image, y and z at 0, generate mode with the current label.
  void reset();

  /// steps_per_frame Euler steps of relax(), then the frame.
  LiveFrame advance();
  /// The current frame, without stepping.
  LiveFrame frame() const;

  LiveMode mode() const { return mode_; }
  int label() const { return label_; }
  const LiveSettings& settings() const { return settings_; }
  const ConditionalMemory<double>& memory() const { return *memory_; }

 private:
  void clamp_label(int label);
  LiveFrame make_frame(double energy) const;

  std::shared_ptr<const ConditionalVariants> memories_;
  std::shared_ptr<const ConditionalMemory<double>> memory_;
  std::shared_ptr<const PrincipalComponents> plane_;
  LiveSettings settings_;
  State<double> state_;
  LiveMode mode_ = LiveMode::generate;
  int label_ = 0;
  std::int64_t step_ = 0, segment_ = 0;
};

}  // namespace engram
