// LiveConditional (SPEC M-06, M-07): the demo's memory stepped a frame at a time. Within a segment
// the energy never rises; a clamped label generates a stored example of that class; a clamped
// image is classified; settings change the energy function only when they should.
#include <engram/demo/live_conditional.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

constexpr Index C = 3, D = 16, per_class = 5;

/// Labelled images: C prototypes in [0, 1]^D plus small noise, per_class of each.
ConditionalMemory<double> make_memory(std::uint64_t seed, double beta = 4.0) {
  Rng rng(seed);
  const Mat<double> prototypes = rng.uniform<double>(C, D);
  Mat<double> images(C * per_class, D);
  std::vector<int> labels;
  for (Index c = 0; c < C; ++c)
    for (Index i = 0; i < per_class; ++i) {
      images.row(c * per_class + i) = prototypes.row(c) + rng.normal<double>(1, D, 0.0, 0.1);
      labels.push_back(static_cast<int>(c));
    }
  ConditionalOptions options;
  options.beta = beta;
  ConditionalMemory<double> memory(D, C, options);
  memory.insert(images, labels);
  return memory;
}

LiveSettings settings_of(const ConditionalMemory<double>& m) {
  return {m.options().beta, m.lambda(), 0.1, 3};
}

TEST(LiveConditional, EnergyNeverRisesWithinASegment) {
  auto memories = std::make_shared<const ConditionalVariants>(make_memory(1));
  LiveConditional live(memories, settings_of(memories->base()), 0);
  Rng rng(2);
  LiveFrame previous = live.frame();
  int segments = 0, compared = 0;
  for (int f = 0; f < 600; ++f) {
    if (f % 60 == 59) live.generate(static_cast<int>(rng.index(C)));  // a label switch
    if (f == 300) live.classify(memories->base().memory_images().row(7).transpose());
    const LiveFrame frame = live.advance();
    if (frame.segment == previous.segment) {
      EXPECT_LE(frame.energy, previous.energy + 1e-12 * (1 + std::abs(previous.energy)))
          << "frame " << f;
      ++compared;
    } else {
      ++segments;
    }
    previous = frame;
  }
  EXPECT_EQ(segments, 11);
  EXPECT_GT(compared, 500);
}

TEST(LiveConditional, ClampedLabelGeneratesAStoredExampleOfThatClass) {
  // β = 30: the memories of one class are told apart, so the image settles on one of them.
  auto memories = std::make_shared<const ConditionalVariants>(make_memory(3, 30.0));
  const Mat<double>& images = memories->base().memory_images();
  const std::vector<int>& labels = memories->base().memory_labels();
  LiveConditional live(memories, settings_of(memories->base()), 0);
  for (const int k : {2, 0, 1}) {
    live.generate(k);
    LiveFrame frame;
    for (int f = 0; f < 400; ++f) frame = live.advance();
    EXPECT_EQ(frame.label, k);
    EXPECT_EQ(frame.mode, LiveMode::generate);
    const Eigen::VectorXd d2 = (images.rowwise() - frame.image.transpose()).rowwise().squaredNorm();
    Index nearest;
    d2.minCoeff(&nearest);
    EXPECT_EQ(labels[static_cast<std::size_t>(nearest)], k);
    // Among (a blend of) the examples of class k, far from the other classes.
    double other_class = INFINITY;
    for (Index mu = 0; mu < d2.size(); ++mu)
      if (labels[static_cast<std::size_t>(mu)] != k) other_class = std::min(other_class, d2(mu));
    EXPECT_LT(d2(nearest), 0.1 * other_class);
    EXPECT_NEAR(frame.probabilities(k), 1.0, 1e-3);  // the clamped label's softmax
  }
}

TEST(LiveConditional, ClampedImageIsClassified) {
  auto memories = std::make_shared<const ConditionalVariants>(make_memory(4));
  const ConditionalMemory<double>& m = memories->base();
  LiveConditional live(memories, settings_of(m), 0);
  for (const Index mu : {Index{1}, Index{7}, Index{12}}) {
    live.classify(m.memory_images().row(mu).transpose());
    const LiveFrame start = live.frame();
    EXPECT_NEAR(start.probabilities.maxCoeff(), 1.0 / C, 1e-12);  // y = 0: uniform
    LiveFrame frame;
    for (int f = 0; f < 300; ++f) frame = live.advance();
    EXPECT_EQ(frame.mode, LiveMode::classify);
    EXPECT_EQ(frame.label, m.memory_labels()[static_cast<std::size_t>(mu)]);
    EXPECT_EQ((frame.image - m.memory_images().row(mu).transpose()).cwiseAbs().maxCoeff(), 0.0)
        << "the clamped image must not move";
  }
}

TEST(LiveConditional, SettingsChangeTheSegmentOnlyWhenTheEnergyChanges) {
  auto memories = std::make_shared<const ConditionalVariants>(make_memory(5));
  LiveSettings s = settings_of(memories->base());
  LiveConditional live(memories, s, 1);
  const std::int64_t start = live.frame().segment;
  s.dt = 0.05;
  s.steps_per_frame = 1;
  live.set_settings(s);
  EXPECT_EQ(live.frame().segment, start);
  EXPECT_EQ(live.advance().step, 1);
  s.beta = 2.0;
  live.set_settings(s);
  EXPECT_EQ(live.frame().segment, start + 1);
  EXPECT_EQ(live.memory().options().beta, 2.0);
  s.lambda = 3.0;
  live.set_settings(s);
  EXPECT_EQ(live.frame().segment, start + 2);
  EXPECT_EQ(live.memory().lambda(), 3.0);
  live.reset();
  EXPECT_EQ(live.frame().segment, start + 3);
}

TEST(LiveConditional, FramesCarryTheirPositionInThePcaPlane) {
  auto memories = std::make_shared<const ConditionalVariants>(make_memory(6));
  auto plane = std::make_shared<const PrincipalComponents>(
      principal_components<double>(memories->base().memory_images(), 2));
  LiveConditional live(memories, settings_of(memories->base()), 2, plane);
  const LiveFrame frame = live.advance();
  ASSERT_TRUE(frame.plane.has_value());
  const Eigen::MatrixXd expected = plane->project<double>(Mat<double>(frame.image.transpose()));
  EXPECT_NEAR((*frame.plane)[0], expected(0, 0), 1e-12);
  EXPECT_NEAR((*frame.plane)[1], expected(0, 1), 1e-12);
  EXPECT_FALSE(LiveConditional(memories, settings_of(memories->base())).frame().plane);
}

TEST(ConditionalVariants, ShareAMemoryPerBetaAndLambda) {
  const ConditionalVariants variants(make_memory(7));
  const auto a = variants.get(2.0, 5.0), b = variants.get(2.0, 5.0), c = variants.get(3.0, 5.0);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(c->options().beta, 3.0);
  EXPECT_EQ(c->lambda(), 5.0);
  EXPECT_EQ(c->memory_images(), variants.base().memory_images());
  EXPECT_EQ(variants.get(variants.base().options().beta, variants.base().lambda()).get(),
            &variants.base());
  EXPECT_THROW_MESSAGE(variants.get(0.0, 1.0), std::invalid_argument, "beta");
  EXPECT_THROW_MESSAGE(variants.get(1.0, NAN), std::invalid_argument, "lambda");
}

TEST(LiveConditionalErrors, RejectBadInput) {
  auto memories = std::make_shared<const ConditionalVariants>(make_memory(8));
  const LiveSettings good = settings_of(memories->base());
  LiveConditional live(memories, good, 0);
  EXPECT_THROW_MESSAGE(live.generate(C), std::invalid_argument, "label must be in [0, 3)");
  EXPECT_THROW_MESSAGE(live.classify(Eigen::VectorXd::Zero(D + 1)), std::invalid_argument,
                       "16 values");
  Eigen::VectorXd nan_image = Eigen::VectorXd::Zero(D);
  nan_image(3) = NAN;
  EXPECT_THROW_MESSAGE(live.classify(nan_image), std::invalid_argument, "image");
  LiveSettings s = good;
  s.dt = 2.0;
  EXPECT_THROW_MESSAGE(live.set_settings(s), std::invalid_argument, "dt must be in (0, 1]");
  s = good;
  s.steps_per_frame = 0;
  EXPECT_THROW_MESSAGE(live.set_settings(s), std::invalid_argument, "steps_per_frame");
  s = good;
  s.beta = -1;
  EXPECT_THROW_MESSAGE(LiveConditional(memories, s), std::invalid_argument, "beta");
  EXPECT_THROW_MESSAGE(LiveConditional(nullptr, good), std::invalid_argument, "null");
  EXPECT_THROW_MESSAGE(LiveConditional(memories, good, 5), std::invalid_argument, "label");
  // A failed call leaves the settings as they were.
  EXPECT_EQ(live.settings().dt, good.dt);
}

}  // namespace
}  // namespace engram
