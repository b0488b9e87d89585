// The DAM classifier (SPEC M-35): its prediction against the closed form of two Euler steps, its
// training on a separable toy problem, and the errors raised by bad input.
#include "engram/learning/dam_classifier.hpp"

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

DamClassifierConfig toy_config() {
  DamClassifierConfig c;
  c.pixels = 6;
  c.classes = 3;
  c.memories = 5;
  c.steps = 2;
  return c;
}

TEST(DamClassifier, TwoUnitStepsGiveTheKrotovHopfieldFeedForwardClosedForm) {
  // With dt = τ = 1: x_h(1) = Ξv + Θ·ŷ(0) with ŷ(0) = 1/C, x_y(2) = Θᵀ max(x_h(1), 0)^{n−1},
  // so the label probabilities are softmax(Θᵀ max(Ξ(2v − 1) + Θ 1/C, 0)^{n−1}).
  const DamClassifierConfig c = toy_config();
  const DamClassifier<double> dam(c, 3);
  Rng rng(4);
  const Mat<double> images = rng.uniform<double>(4, c.pixels);
  const Mat<double> v = (2.0 * images.array() - 1.0).matrix();
  const Mat<double>& xi = dam.memories();
  const Mat<double>& theta = dam.label_memories();
  const Vec<double> feedback = theta.rowwise().sum() / static_cast<double>(c.classes);
  Mat<double> h = v * xi.transpose();
  h.rowwise() += feedback.transpose();
  h = h.array().max(0.0).pow(c.power - 1).matrix();
  Mat<double> logits = h * theta;
  Mat<double> p = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp().matrix();
  p = (p.array().colwise() / p.rowwise().sum().array()).matrix();
  EXPECT_LT(test::max_relative_gap(dam.predict_proba(images), p), 1e-12);
  const std::vector<int> guess = dam.predict(images);
  for (Index b = 0; b < 4; ++b) {
    Index best = 0;
    p.row(b).maxCoeff(&best);
    EXPECT_EQ(guess[static_cast<std::size_t>(b)], best);
  }
}

TEST(DamClassifier, LearnsASeparableToyProblemInFloat) {
  // Class k lights pixels 2k and 2k + 1.
  Rng rng(5);
  const Index n = 90;
  Mat<float> images = rng.uniform<float>(n, 6, 0.0, 0.2);
  std::vector<std::uint8_t> labels(n);
  for (Index b = 0; b < n; ++b) {
    labels[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(b % 3);
    images(b, 2 * (b % 3)) = images(b, 2 * (b % 3) + 1) = 0.9f;
  }
  DamClassifierConfig c = toy_config();
  c.steps = 4;
  DamClassifier<float> dam(c, 2);
  const DamScore before = dam.score(images, labels);
  Index calls = 0;
  for (int epoch = 0; epoch < 20; ++epoch)
    dam.fit_epoch(images, labels, 15, 0.05, rng, [&](Index) { ++calls; });
  const DamScore after = dam.score(images, labels);
  EXPECT_EQ(calls, 20 * 6);
  EXPECT_EQ(dam.optimizer().step, 20 * 6);
  EXPECT_LT(after.loss, before.loss);
  EXPECT_EQ(after.error, 0.0) << "loss " << after.loss;
}

TEST(DamClassifier, RejectsBadInput) {
  DamClassifierConfig c = toy_config();
  c.memories = 0;
  EXPECT_THROW_MESSAGE(DamClassifier<double>(c, 1), std::invalid_argument, "memories must be");
  c = toy_config();
  c.power = 1.5;
  EXPECT_THROW_MESSAGE(DamClassifier<double>(c, 1), std::invalid_argument, "power must be >= 2");
  c = toy_config();
  c.memory_lagrangian = "cubic";
  EXPECT_THROW_MESSAGE(DamClassifier<double>(c, 1), std::invalid_argument, "memory_lagrangian");
  DamClassifier<double> dam(toy_config(), 1);
  EXPECT_THROW_MESSAGE(dam.predict(Mat<double>::Zero(2, 5)), std::invalid_argument,
                       "images must be B x 6");
  EXPECT_THROW_MESSAGE(dam.train_batch(Mat<double>::Zero(2, 6), {0, 3}, 0.1), std::invalid_argument,
                       "label 1 is 3, not below classes = 3");
  EXPECT_THROW_MESSAGE(dam.train_batch(Mat<double>::Zero(2, 6), {0}, 0.1), std::invalid_argument,
                       "1 labels for 2 images");
  EXPECT_THROW_MESSAGE(dam.train_batch(Mat<double>::Zero(2, 6), {0, 1}, 0.0), std::invalid_argument,
                       "lr must be > 0");
  Mat<double> nan = Mat<double>::Zero(1, 6);
  nan(0, 2) = std::nan("");
  EXPECT_THROW_MESSAGE(dam.predict(nan), std::invalid_argument, "images");
  auto state = dam.optimizer();
  state.m_xi = Mat<double>::Zero(2, 2);
  EXPECT_THROW_MESSAGE(dam.set_optimizer(state), std::invalid_argument, "m_xi");
}

}  // namespace
}  // namespace engram
