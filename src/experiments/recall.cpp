// The recall experiment: data → representation → corruption → model → retrieval → scores.
#include "engram/experiments/recall.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "engram/data/transforms.hpp"
#include "family_recall.hpp"

namespace engram {

std::string to_string(ModelFamily family) {
  switch (family) {
    case ModelFamily::classical:
      return "classical";
    case ModelFamily::continuous:
      return "continuous";
    case ModelFamily::modern:
      return "modern";
    case ModelFamily::dense:
      return "dam";
    case ModelFamily::linear:
      return "linear";
  }
  return "unknown";
}

ModelFamily parse_model_family(std::string_view name) {
  for (ModelFamily f : {ModelFamily::classical, ModelFamily::continuous, ModelFamily::modern,
                        ModelFamily::dense, ModelFamily::linear})
    if (name == to_string(f)) return f;
  ENGRAM_CHECK(false, "model '{}' is not one of classical, continuous, modern, dam, linear", name);
  return ModelFamily::modern;
}

namespace {

// Retrieval is done in chunks of cues so progress can be reported; traces are joined, a shorter
// chunk's samples keeping their last energy.
constexpr Index kChunk = 100;

Eigen::MatrixXd join_traces(const std::vector<Eigen::MatrixXd>& parts) {
  Index rows = 0, cols = 0;
  for (const auto& p : parts) {
    rows = std::max(rows, p.rows());
    cols += p.cols();
  }
  Eigen::MatrixXd joined(rows, cols);
  Index c0 = 0;
  for (const auto& p : parts) {
    for (Index r = 0; r < rows; ++r)
      joined.block(r, c0, 1, p.cols()) = p.row(std::min(r, p.rows() - 1));
    c0 += p.cols();
  }
  return joined;
}

// Pixel values in [0,1] from a ±1 representation, clipped (the linear memory's may overshoot).
Mat<float> to_pixels(const Mat<float>& bipolar) {
  return from_bipolar<float>(bipolar).cwiseMax(0.0f).cwiseMin(1.0f);
}

// Fraction of rows i whose nearest row of `stored` (Euclidean) is row i itself. Retrievals are
// compared in blocks of rows, so memory stays O(block × N) for any N.
double nearest_is_own(const Mat<float>& retrieved, const Mat<float>& stored) {
  constexpr Index kBlock = 512;
  const Eigen::MatrixXd s = stored.cast<double>();
  const Eigen::VectorXd s2 = s.rowwise().squaredNorm();
  Index hits = 0;
  for (Index begin = 0; begin < retrieved.rows(); begin += kBlock) {
    const Index n = std::min(kBlock, retrieved.rows() - begin);
    const Eigen::MatrixXd r = retrieved.middleRows(begin, n).cast<double>();
    // ‖r_i − s_j‖² − ‖r_i‖² = ‖s_j‖² − 2 r_i·s_j: the row term does not change the argmin.
    const Eigen::MatrixXd d = (-2.0 * r * s.transpose()).rowwise() + s2.transpose();
    for (Index i = 0; i < n; ++i) {
      Index best = 0;
      d.row(i).minCoeff(&best);
      hits += (best == begin + i);
    }
  }
  return static_cast<double>(hits) / static_cast<double>(retrieved.rows());
}

}  // namespace

RecallReport run_recall(const RecallConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  ENGRAM_CHECK(config.memories >= 1, "memories must be at least 1, got {}", config.memories);
  ENGRAM_CHECK(config.max_steps.value_or(1) >= 1, "max_steps must be at least 1, got {}",
               config.max_steps.value_or(1));
  const Dataset data = load_dataset(config.dataset, Split::train, config.memories);
  ENGRAM_CHECK(data.images.rows() == config.memories,
               "memories: {} asked for, but the {} training split holds {} images", config.memories,
               config.dataset, data.images.rows());

  RecallReport report;
  report.config = config;
  report.rows = data.rows;
  report.cols = data.cols;
  report.dimension = data.images.cols();

  // Binarised by default, so every family stores the same ±1 patterns.
  const bool binary = config.binarize;
  ENGRAM_CHECK(
      binary || (config.model != ModelFamily::classical && config.model != ModelFamily::dense),
      "binarize: the {} model stores ±1 patterns only", to_string(config.model));
  const Mat<float> stored =
      binary ? binarize<float>(data.images, 0.5) : to_bipolar<float>(data.images);
  // Masked entries become 0, the midpoint of ±1: no evidence either way.
  Rng rng(config.seed);
  const CorruptionDomain domain{data.rows, data.cols, -1.0, 1.0, 0.0};
  CorruptionMask altered;
  Mat<float> cues = corrupt<float>(stored, config.corruption, domain, rng, &altered);
  // The ±1 models read noisy cues by their signs (0, "unknown", stays 0).
  if (binary) cues = cues.array().sign().matrix();
  // Random update orders draw from their own stream, not the corruption's.
  const std::uint64_t recall_seed = Rng(config.seed ^ 0x9E3779B97F4A7C15ULL).engine()();

  const auto model = detail::make_family_recall(config, stored);
  report.model_description = model->description();
  if (!config.save_model.empty()) model->save(config.save_model);

  Mat<float> retrieved(cues.rows(), cues.cols());
  std::vector<Eigen::MatrixXd> traces;
  double steps = 0, converged = 0;
  for (Index begin = 0; begin < cues.rows(); begin += kChunk) {
    const Index n = std::min(kChunk, cues.rows() - begin);
    Retrieval<float> r =
        model->recall(cues.middleRows(begin, n), recall_seed + static_cast<std::uint64_t>(begin));
    retrieved.middleRows(begin, n) = r.states;
    for (Index i = 0; i < n; ++i) {
      steps += r.steps[static_cast<std::size_t>(i)];
      converged += r.converged[static_cast<std::size_t>(i)] ? 1 : 0;
    }
    traces.push_back(std::move(r.energy_trace));
    if (config.on_progress) config.on_progress(begin + n, cues.rows());
  }

  report.truth = to_pixels(stored);
  report.cues = to_pixels(cues);
  report.retrieved = to_pixels(retrieved);
  report.energy_trace = join_traces(traces);
  const auto n = static_cast<double>(cues.rows());
  report.mean_steps = steps / n;
  report.converged_fraction = converged / n;
  report.exact_recall = nearest_is_own(report.retrieved, report.truth);
  const Mat<float> error = (report.retrieved - report.truth).cwiseAbs();
  report.mean_pixel_error = error.cast<double>().mean();
  report.perfect_recall = (error.array() <= 0.5f / 255.0f).rowwise().all().cast<double>().mean();
  const double count = altered.cast<double>().sum();
  report.corrupted_pixel_error =
      count > 0 ? altered.array().select(error.array(), 0.0f).cast<double>().sum() / count
                : std::nan("");
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace engram
