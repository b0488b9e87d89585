// The capacity experiment: bit error of retrieval from stored (or slightly flipped) random ±1
// patterns, against load α = P/N.
#include "engram/experiments/capacity.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "family_recall.hpp"

namespace engram {

namespace {

// Each trial retrieves at most this many of its stored patterns: enough for the mean bit error,
// and it keeps large loads of the dense and modern models affordable.
constexpr Index kCuesPerTrial = 200;

std::vector<double> default_loads(ModelFamily model) {
  std::vector<double> loads;
  auto range = [&loads](double first, double last, double step) {
    const auto count = std::llround((last - first) / step);
    for (long long k = 0; k <= count; ++k) loads.push_back(first + static_cast<double>(k) * step);
  };
  switch (model) {
    case ModelFamily::classical:
      range(0.02, 0.30, 0.01);
      break;  // α_c ≈ 0.138 (AGS)
    case ModelFamily::dense:
      range(0.25, 6.0, 0.25);
      break;  // F = x³: capacity ∝ N²
    default:
      range(1.0, 20.0, 1.0);
      break;  // lse: exponential in N
  }
  return loads;
}

Mat<float> random_signs(Index rows, Index cols, Rng& rng) {
  return rng.uniform<float>(rows, cols).unaryExpr([](float u) { return u < 0.5f ? -1.0f : 1.0f; });
}

}  // namespace

CapacityReport run_capacity(const CapacityConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  ENGRAM_CHECK(config.model == ModelFamily::classical || config.model == ModelFamily::dense ||
                   config.model == ModelFamily::modern,
               "capacity: model must be classical, dam or modern, got {}", to_string(config.model));
  ENGRAM_CHECK(config.n >= 2, "capacity: n must be at least 2, got {}", config.n);
  ENGRAM_CHECK(config.trials >= 1, "capacity: trials must be at least 1, got {}", config.trials);
  ENGRAM_CHECK(config.flip >= 0 && config.flip <= 0.5, "capacity: flip must be in [0, 0.5], got {}",
               config.flip);
  ENGRAM_CHECK(config.tolerance >= 0 && config.tolerance < 1,
               "capacity: tolerance must be in [0, 1), got {}", config.tolerance);
  CapacityReport report;
  report.config = config;
  if (report.config.loads.empty()) report.config.loads = default_loads(config.model);
  for (double load : report.config.loads)
    ENGRAM_CHECK(std::isfinite(load) && load > 0, "capacity: loads must be positive, got {}", load);
  // The critical load is the first crossing in increasing load.
  std::vector<double>& loads = report.config.loads;
  std::sort(loads.begin(), loads.end());
  loads.erase(std::unique(loads.begin(), loads.end()), loads.end());

  RecallConfig recall;
  recall.model = config.model;
  recall.beta = config.beta;
  // Random patterns need no high power: F = x³ is Krotov and Hopfield's first step past x².
  recall.interaction = config.interaction.empty() && config.model == ModelFamily::dense
                           ? "polynomial(n=3)"
                           : config.interaction;
  recall.mode = config.mode;
  recall.max_steps = config.max_steps;

  Rng rng(config.seed);
  const Index total = static_cast<Index>(report.config.loads.size()) * config.trials;
  Index done = 0;
  for (double load : report.config.loads) {
    CapacityPoint point;
    point.load = load;
    point.patterns = std::max<Index>(1, std::llround(load * static_cast<double>(config.n)));
    std::vector<double> trial_errors;
    double failures = 0, cues_total = 0, steps = 0;
    for (int t = 0; t < config.trials; ++t) {
      const Mat<float> patterns = random_signs(point.patterns, config.n, rng);
      const auto model = detail::make_family_recall(recall, patterns);
      if (report.model_description.empty()) report.model_description = model->description();
      const Index m = std::min(kCuesPerTrial, point.patterns);
      Mat<float> cues = patterns.topRows(m);
      for (Index i = 0; i < cues.size(); ++i)
        if (rng.real(0.0, 1.0) < config.flip) cues.data()[i] = -cues.data()[i];
      const Retrieval<float> r = model->recall(cues, rng.engine()());
      double trial_error = 0;
      for (Index i = 0; i < m; ++i) {
        // A state of 0 (undecided) counts as an error.
        const double wrong =
            (r.states.row(i).array() * patterns.row(i).array() <= 0.0f).cast<double>().mean();
        trial_error += wrong;
        failures += wrong > config.tolerance ? 1 : 0;
        steps += r.steps[static_cast<std::size_t>(i)];
      }
      cues_total += static_cast<double>(m);
      trial_errors.push_back(trial_error / static_cast<double>(m));
      if (config.on_progress) config.on_progress(++done, total);
    }
    const double trials = static_cast<double>(trial_errors.size());
    double mean = 0;
    for (double e : trial_errors) mean += e / trials;
    double var = 0;
    for (double e : trial_errors) var += (e - mean) * (e - mean) / std::max(1.0, trials - 1);
    point.bit_error_rate = mean;
    // One trial has no spread to measure.
    point.bit_error_stderr = trials > 1 ? std::sqrt(var / trials) : std::nan("");
    point.failure_rate = failures / cues_total;
    point.mean_steps = steps / cues_total;
    report.points.push_back(point);
  }

  // The first crossing of the tolerance, interpolated between the grid points around it.
  for (std::size_t i = 0; i < report.points.size(); ++i) {
    const CapacityPoint& p = report.points[i];
    if (p.bit_error_rate <= config.tolerance) continue;
    if (i == 0) {
      report.critical_note = "the bit error exceeds the tolerance already at the smallest load";
      break;
    }
    const CapacityPoint& q = report.points[i - 1];
    const double f = (config.tolerance - q.bit_error_rate) / (p.bit_error_rate - q.bit_error_rate);
    report.critical_load = q.load + f * (p.load - q.load);
    break;
  }
  if (!report.critical_load && report.critical_note.empty())
    report.critical_note = "the bit error stays within the tolerance at every load tested";
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace engram
