// The recall and capacity experiments behind `engram recall` and `engram capacity`: behaviour
// from theory on real and random data, scores recomputed from the images, and bad settings.
#include <gtest/gtest.h>

#include "engram/experiments/capacity.hpp"
#include "engram/experiments/recall.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

RecallConfig half_masked(ModelFamily model, const std::string& dataset, Index memories) {
  RecallConfig c;
  c.model = model;
  c.dataset = dataset;
  c.memories = memories;
  c.corruption = Corruption::parse("half");
  c.seed = 1;
  return c;
}

// The scores, recomputed from the images the report holds.
void expect_scores_consistent(const RecallReport& r) {
  const Index n = r.truth.rows();
  ASSERT_EQ(r.retrieved.rows(), n);
  ASSERT_EQ(r.cues.rows(), n);
  const double pixel_error = (r.retrieved - r.truth).cwiseAbs().cast<double>().mean();
  EXPECT_NEAR(r.mean_pixel_error, pixel_error, 1e-9);
  Index own = 0;
  for (Index i = 0; i < n; ++i) {
    Index best = 0;
    double best_distance = INFINITY;
    for (Index j = 0; j < n; ++j) {
      const double d = (r.retrieved.row(i) - r.truth.row(j)).cast<double>().squaredNorm();
      if (d < best_distance) best_distance = d, best = j;
    }
    own += best == i;
  }
  EXPECT_NEAR(r.exact_recall, static_cast<double>(own) / static_cast<double>(n), 1e-12);
  EXPECT_EQ(r.energy_trace.cols(), n);
}

TEST(RecallExperiment, ModernFarBetterThanClassicalOnHalfMaskedFashion) {
  // M-12 vs M-10: 1,000 stored images is a load of 1.3 for 784 classical units, far past 0.138;
  // the modern network's capacity is exponential in D.
  // Binarised, a half cue c overlaps its own image by D/2, the most any ±1 image can: another
  // stored image wins only if its upper half is (nearly) identical, within log K / β of D/2. So
  // the modern network should recall nearly all; the classical network at load 1.3 almost none.
  const RecallReport modern = run_recall(half_masked(ModelFamily::modern, "fashion", 1000));
  const RecallReport classical = run_recall(half_masked(ModelFamily::classical, "fashion", 1000));
  expect_scores_consistent(modern);
  expect_scores_consistent(classical);
  EXPECT_GE(modern.exact_recall, 0.95);
  EXPECT_LE(classical.exact_recall, 0.1);
  EXPECT_LT(modern.mean_pixel_error, 0.2 * classical.mean_pixel_error);
  // The corruption altered exactly the lower half: the corrupted error is the lower half's.
  const Index D = modern.dimension, lower = D - (modern.rows / 2) * modern.cols;
  const double lower_error =
      (modern.retrieved - modern.truth).rightCols(lower).cwiseAbs().cast<double>().mean();
  EXPECT_NEAR(modern.corrupted_pixel_error, lower_error, 1e-9);
  EXPECT_EQ(modern.cues.rows(), 1000);
}

TEST(RecallExperiment, EveryFamilyRunsAndScoresConsistently) {
  for (ModelFamily f : {ModelFamily::classical, ModelFamily::continuous, ModelFamily::modern,
                        ModelFamily::dense, ModelFamily::linear}) {
    SCOPED_TRACE(to_string(f));
    for (const char* corruption : {"flip:0.05", "mask:0.3", "noise:0.6"}) {
      SCOPED_TRACE(corruption);
      RecallConfig c = half_masked(f, "mnist", 30);
      c.corruption = Corruption::parse(corruption);
      const RecallReport r = run_recall(c);
      expect_scores_consistent(r);
      EXPECT_FALSE(r.model_description.empty());
      // Perfect recall implies nearest-own recall.
      EXPECT_LE(r.perfect_recall, r.exact_recall);
    }
  }
}

TEST(RecallExperiment, UncorruptedCuesOfAModernNetworkComeBackExactly) {
  RecallConfig c = half_masked(ModelFamily::modern, "mnist", 50);
  c.corruption = Corruption::parse("flip:0");
  c.beta = 4.0;
  const RecallReport r = run_recall(c);
  EXPECT_EQ(r.exact_recall, 1.0);
  EXPECT_EQ(r.mean_pixel_error, 0.0);
  EXPECT_TRUE(std::isnan(r.corrupted_pixel_error));  // nothing was corrupted
}

TEST(RecallExperiment, BadSettingsAreRefused) {
  RecallConfig c = half_masked(ModelFamily::modern, "mnist", 60001);
  EXPECT_THROW_MESSAGE(run_recall(c), std::invalid_argument, "60001");
  c = half_masked(ModelFamily::classical, "mnist", 10);
  c.binarize = false;
  EXPECT_THROW_MESSAGE(run_recall(c), std::invalid_argument,
                       "binarize: the classical model stores ±1 patterns only");
  c = half_masked(ModelFamily::linear, "mnist", 10);
  c.beta = 2.0;
  EXPECT_THROW_MESSAGE(run_recall(c), std::invalid_argument, "beta: the linear model");
  c = half_masked(ModelFamily::modern, "mnist", 10);
  c.rule = "storkey";
  EXPECT_THROW_MESSAGE(run_recall(c), std::invalid_argument, "rule: the modern model");
  c = half_masked(ModelFamily::dense, "mnist", 10);
  c.interaction = "cubic";
  EXPECT_THROW(run_recall(c), std::invalid_argument);
  c.interaction = "polynomial(n=3)";
  c.beta = 2.0;
  EXPECT_THROW_MESSAGE(run_recall(c), std::invalid_argument,
                       "beta: the DAM interaction polynomial(n=3) has no beta");
  c = half_masked(ModelFamily::modern, "cifar", 10);
  EXPECT_THROW(run_recall(c), std::invalid_argument);
  EXPECT_THROW_MESSAGE(parse_model_family("hopfield"), std::invalid_argument,
                       "model 'hopfield' is not one of classical, continuous, modern, dam, linear");
}

CapacityConfig capacity(ModelFamily model, Index n, std::vector<double> loads) {
  CapacityConfig c;
  c.model = model;
  c.n = n;
  c.trials = 4;
  c.loads = std::move(loads);
  return c;
}

TEST(CapacityExperiment, ClassicalCriticalLoadNearTheTheory) {
  // Amit–Gutfreund–Sompolinsky: α_c ≈ 0.138, where the retrieval state's 1.5% bit error jumps.
  CapacityConfig c = capacity(ModelFamily::classical, 200, {});
  c.trials = 10;
  const CapacityReport r = run_capacity(c);
  ASSERT_TRUE(r.critical_load.has_value()) << r.critical_note;
  EXPECT_GE(*r.critical_load, 0.12);
  EXPECT_LE(*r.critical_load, 0.16);
  // Below the critical load patterns are stable; far above it, most of them fail.
  EXPECT_LT(r.points.front().bit_error_rate, 0.001);
  EXPECT_GT(r.points.back().failure_rate, 0.9);
  for (const CapacityPoint& p : r.points) EXPECT_EQ(p.patterns, std::llround(p.load * 200));
}

TEST(CapacityExperiment, DenseAndModernStoreFarMoreThanClassical) {
  // Krotov–Hopfield: F = x³ stores of order N²/ln N patterns; Ramsauer: exponentially many.
  const CapacityReport dense = run_capacity(capacity(ModelFamily::dense, 100, {0.5, 1.0, 1.5}));
  EXPECT_FALSE(dense.critical_load.has_value());
  EXPECT_LE(dense.points.back().bit_error_rate, 0.015);
  const CapacityReport modern = run_capacity(capacity(ModelFamily::modern, 100, {2.0, 5.0}));
  EXPECT_FALSE(modern.critical_load.has_value());
  EXPECT_EQ(modern.points.back().bit_error_rate, 0.0);
  // The classical network fails at a load of 0.5 already.
  const CapacityReport classical = run_capacity(capacity(ModelFamily::classical, 100, {0.5}));
  EXPECT_GT(classical.points.front().bit_error_rate, 0.05);
  EXPECT_EQ(classical.critical_note,
            "the bit error exceeds the tolerance already at the smallest load");
}

TEST(CapacityExperiment, LoadsAreTakenInIncreasingOrder) {
  CapacityConfig shuffled = capacity(ModelFamily::classical, 100, {0.3, 0.05, 0.2, 0.1, 0.05});
  CapacityConfig sorted = capacity(ModelFamily::classical, 100, {0.05, 0.1, 0.2, 0.3});
  const CapacityReport a = run_capacity(shuffled), b = run_capacity(sorted);
  ASSERT_EQ(a.points.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(a.points[i].load, b.config.loads[i]);
  EXPECT_EQ(a.critical_load, b.critical_load);
  ASSERT_TRUE(a.critical_load.has_value());
  EXPECT_GT(*a.critical_load, 0.05);
}

TEST(CapacityExperiment, BadSettingsAreRefused) {
  CapacityConfig c = capacity(ModelFamily::linear, 100, {0.1});
  EXPECT_THROW_MESSAGE(run_capacity(c), std::invalid_argument,
                       "capacity: model must be classical, dam or modern, got linear");
  c = capacity(ModelFamily::classical, 100, {0.1, -1});
  EXPECT_THROW_MESSAGE(run_capacity(c), std::invalid_argument, "loads must be positive, got -1");
  c = capacity(ModelFamily::classical, 100, {0.1});
  c.flip = 0.7;
  EXPECT_THROW_MESSAGE(run_capacity(c), std::invalid_argument, "flip must be in [0, 0.5]");
  c = capacity(ModelFamily::classical, 100, {0.1});
  c.trials = 0;
  EXPECT_THROW_MESSAGE(run_capacity(c), std::invalid_argument, "trials must be at least 1");
}

}  // namespace
}  // namespace engram
