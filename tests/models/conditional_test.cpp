// The conditional generator/classifier (SPEC M-06) on synthetic labelled data, its dynamics against
// the seed's equations (with the known sign errors corrected), and its bad-input errors.
#include <engram/models/conditional.hpp>
#include <engram/neurons.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

constexpr Index C = 5, D = 40;

struct Data {
  Mat<double> prototypes, train, test;
  std::vector<int> train_labels, test_labels;
};

Data make_data(std::uint64_t seed) {
  Rng rng(seed);
  Data d;
  d.prototypes = rng.uniform<double>(C, D);
  auto fill = [&](Mat<double>& images, std::vector<int>& labels, int per_class) {
    images.resize(C * per_class, D);
    for (Index c = 0; c < C; ++c)
      for (int i = 0; i < per_class; ++i) {
        images.row(c * per_class + i) = d.prototypes.row(c) + rng.normal<double>(1, D, 0.0, 0.2);
        labels.push_back(static_cast<int>(c));
      }
  };
  fill(d.train, d.train_labels, 6);
  fill(d.test, d.test_labels, 20);
  return d;
}

TEST(ConditionalMemory, ClampedLabelGeneratesAStoredExampleOfThatClass) {
  const Data data = make_data(1);
  ConditionalOptions options;
  options.beta = 10.0;
  ConditionalMemory<double> memory(D, C, options);
  memory.insert(data.train, data.train_labels);
  std::vector<int> labels{0, 1, 2, 3, 4, 2};
  const auto out = memory.generate(labels);
  EXPECT_TRUE(out.relax.converged);
  for (Index b = 0; b < out.images.rows(); ++b) {
    const Eigen::VectorXd d2 = (data.train.rowwise() - out.images.row(b)).rowwise().squaredNorm();
    Index nearest;
    d2.minCoeff(&nearest);
    EXPECT_EQ(data.train_labels[nearest], labels[b]);
    // Close to that example compared with how far apart stored examples are.
    double other_class = INFINITY;
    for (Index mu = 0; mu < d2.size(); ++mu)
      if (data.train_labels[mu] != labels[b]) other_class = std::min(other_class, d2(mu));
    EXPECT_LT(d2(nearest), 1e-3 * other_class);
  }
  // The energy never rises beyond rounding.
  for (Index t = 1; t < out.relax.trace.rows(); ++t)
    EXPECT_LE((out.relax.trace.row(t) - out.relax.trace.row(t - 1)).maxCoeff(),
              1e-13 * (1 + out.relax.trace.row(t - 1).cwiseAbs().maxCoeff()));
}

TEST(ConditionalMemory, ClampedImageIsClassified) {
  const Data data = make_data(2);
  ConditionalMemory<double> memory(D, C);
  memory.insert(data.train, data.train_labels);
  const auto out = memory.classify(data.test);
  int correct = 0;
  for (std::size_t i = 0; i < data.test_labels.size(); ++i)
    correct += out.labels[i] == data.test_labels[i];
  EXPECT_GE(correct, static_cast<int>(0.95 * data.test_labels.size()));
  EXPECT_TRUE(out.relax.converged);
  for (Index b = 0; b < out.probabilities.rows(); ++b)
    EXPECT_NEAR(out.probabilities.row(b).sum(), 1.0, 1e-12);
}

TEST(ConditionalMemory, GradientFollowsTheSeedEquationsCorrected) {
  // τ dx/dt = Σ_μ ẑ_μ(θ_μ − x̂) ;  τ dy/dt = λ Σ_μ ẑ_μ θ^lbl_μ − y ;
  // τ dz_μ/dt = −½‖θ_μ − x̂‖² + λ θ^lbl_μ · ŷ − z_μ   (seed 001 writes −ŷ, −ẑ for −y, −z).
  const Data data = make_data(3);
  ConditionalMemory<double> memory(D, C);
  memory.insert(data.train, data.train_labels);
  const auto& g = memory.graph();
  Rng rng(4);
  State<double> s = g.zeros(1);
  s["x"] = rng.normal<double>(1, D);
  s["y"] = rng.normal<double>(1, C);
  s["z"] = rng.normal<double>(1, memory.size());
  const auto xh = g.activations(s);
  const auto grads = g.grad(s);
  const Mat<double>& theta = data.train;
  Mat<double> lbl = Mat<double>::Zero(memory.size(), C);
  for (Index mu = 0; mu < memory.size(); ++mu) lbl(mu, data.train_labels[mu]) = 1;
  const double lambda = memory.lambda();
  const Mat<double>&x = xh[0], &y = xh[1], &z = xh[2];
  Mat<double> dx = Mat<double>::Zero(1, D), dz(1, memory.size());
  for (Index mu = 0; mu < memory.size(); ++mu) {
    dx += z(0, mu) * (theta.row(mu) - x);
    dz(0, mu) = -0.5 * (theta.row(mu) - x).squaredNorm() + lambda * lbl.row(mu).dot(y.row(0)) -
                s["z"](0, mu);
  }
  const Mat<double> dy = lambda * z * lbl - s["y"];
  EXPECT_LT(test::max_relative_gap(-grads[0], dx), 1e-12);
  EXPECT_LT(test::max_relative_gap(-grads[1], dy), 1e-12);
  EXPECT_LT(test::max_relative_gap(-grads[2], dz), 1e-12);
}

TEST(ConditionalMemory, AutomaticLambdaBoundsHalfTheSquaredDiameter) {
  const Data data = make_data(5);
  ConditionalMemory<double> memory(D, C);
  memory.insert(data.train, data.train_labels);
  double half_diameter_sq = 0;
  for (Index a = 0; a < data.train.rows(); ++a)
    for (Index b = 0; b < data.train.rows(); ++b)
      half_diameter_sq =
          std::max(half_diameter_sq, 0.5 * (data.train.row(a) - data.train.row(b)).squaredNorm());
  EXPECT_GT(memory.lambda(), half_diameter_sq);
  ConditionalOptions fixed;
  fixed.lambda = 2.0;
  ConditionalMemory<double> m2(D, C, fixed);
  m2.insert(data.train, data.train_labels);
  EXPECT_EQ(m2.lambda(), 2.0);
}

TEST(ConditionalMemory, InsertGrowsTheMemory) {
  const Data data = make_data(6);
  ConditionalMemory<float> memory(D, C);
  memory.insert(data.train.topRows(10).cast<float>(), {0, 0, 0, 0, 0, 0, 1, 1, 1, 1});
  memory.insert(data.train.bottomRows(5).cast<float>(), {4, 4, 4, 4, 4});
  EXPECT_EQ(memory.size(), 15);
  EXPECT_EQ(memory.graph().layer("z").size, 15);
  EXPECT_EQ(memory.memory_labels().back(), 4);
}

TEST(ConditionalMemoryErrors, FailedInsertLeavesTheMemoryAsItWas) {
  const Data data = make_data(7);
  ConditionalMemory<float> memory(D, C);
  memory.insert(data.train.topRows(3).cast<float>(), {0, 1, 2});
  // Images this far apart need λ beyond float range.
  const Mat<float> huge = Mat<float>::Constant(1, D, 1e30f);
  EXPECT_THROW_MESSAGE(memory.insert(huge, {3}), std::invalid_argument, "does not fit");
  EXPECT_EQ(memory.size(), 3);
  EXPECT_EQ(memory.memory_labels().size(), 3u);
  EXPECT_EQ(memory.graph().layer("z").size, 3);
}

TEST(ConditionalMemoryErrors, RejectsBadInput) {
  ConditionalMemory<double> memory(D, C);
  EXPECT_THROW_MESSAGE(memory.generate({0}), std::invalid_argument, "no memories stored yet");
  const Mat<double> images = Mat<double>::Zero(2, D);
  EXPECT_THROW_MESSAGE(memory.insert(images, {0}), std::invalid_argument, "2 images but 1 labels");
  EXPECT_THROW_MESSAGE(memory.insert(images, {0, 7}), std::invalid_argument,
                       "label 7 of image 1 is outside [0, 5)");
  EXPECT_THROW_MESSAGE(memory.insert(Mat<double>::Zero(1, D + 1), {0}), std::invalid_argument,
                       "images must have 40 columns, got 41");
  Mat<double> nan_image = Mat<double>::Zero(1, D);
  nan_image(0, 3) = std::nan("");
  EXPECT_THROW_MESSAGE(memory.insert(nan_image, {1}), std::invalid_argument,
                       "contains NaN at (0, 3)");
  memory.insert(images, {0, 1});
  EXPECT_THROW_MESSAGE(memory.generate({5}), std::invalid_argument, "label 5 is outside [0, 5)");
  EXPECT_THROW_MESSAGE(memory.generate({1}, Mat<double>::Zero(2, D)), std::invalid_argument,
                       "start: expected shape 1x40, got 2x40");
  EXPECT_THROW_MESSAGE(memory.classify(Mat<double>::Zero(1, 3)), std::invalid_argument,
                       "images must be B x 40");
  ConditionalOptions bad;
  bad.beta = -1;
  EXPECT_THROW_MESSAGE((ConditionalMemory<double>(D, C, bad)), std::invalid_argument,
                       "beta must be positive");
  EXPECT_THROW_MESSAGE((ConditionalMemory<double>(0, C)), std::invalid_argument,
                       "image_size must be positive, got 0");
}

TEST(ConditionalMemory, ClassifyingStartsFromTheMemoriesAtRest) {
  const Data data = make_data(10);
  ConditionalMemory<double> memory(D, C);
  memory.insert(data.train, data.train_labels);
  // At z = memories_at_rest(x) with ŷ uniform (y = 0), the memory layer does not move.
  const EnergyGraph<double>& g = memory.graph();
  State<double> state = g.zeros(4);
  state["x"] = data.test.topRows(4);
  state["z"] = memory.memories_at_rest(data.test.topRows(4));
  const auto grads = g.grad(state);
  const Eigen::MatrixXd& dz = grads[g.layer_index("z")];
  EXPECT_LT(dz.cwiseAbs().maxCoeff(), 1e-10 * (1 + state["z"].cwiseAbs().maxCoeff()));
  EXPECT_THROW_MESSAGE(memory.memories_at_rest(Mat<double>::Zero(1, D + 1)), std::invalid_argument,
                       "41");
}

TEST(ConditionalMemory, ClassifiesMinorityClassesDespiteALargeLambda) {
  // Class 0 holds most memories. Started from z = 0 the label would drift to class 0 before the
  // memories had weighed the image, and λ (automatic, large) would lock it there.
  const Data data = make_data(11);
  Mat<double> images(0, D);
  std::vector<int> labels;
  for (Index i = 0; i < data.train.rows(); ++i) {
    const int k = data.train_labels[static_cast<std::size_t>(i)];
    const int copies = k == 0 ? 10 : 1;
    for (int c = 0; c < copies; ++c) {
      images.conservativeResize(images.rows() + 1, D);
      images.row(images.rows() - 1) = data.train.row(i);
      labels.push_back(k);
    }
  }
  ConditionalMemory<double> memory(D, C);
  memory.insert(images, labels);
  EXPECT_GT(memory.lambda(), 10.0);
  const auto out = memory.classify(data.test);
  int correct = 0;
  for (std::size_t i = 0; i < data.test_labels.size(); ++i)
    correct += out.labels[i] == data.test_labels[i];
  EXPECT_GE(correct, static_cast<int>(0.95 * data.test_labels.size()));
}

TEST(ConditionalMemory, FileRoundTripRebuildsTheSameMemory) {
  const Data data = make_data(8);
  ConditionalOptions options;
  options.beta = 3.0;
  options.label_logit = 7.0;
  options.relax.dt = 0.05;
  ConditionalMemory<double> memory(D, C, options);
  memory.insert(data.train, data.train_labels);
  const ModelFile<double> file = memory.to_file();
  EXPECT_EQ(file.kind, "conditional_memory");
  EXPECT_TRUE(file.config["lambda"].is_null());  // automatic: recomputed from the images
  const auto back = ConditionalMemory<double>::from_file(file);
  EXPECT_EQ(back.memory_images(), memory.memory_images());
  EXPECT_EQ(back.memory_labels(), memory.memory_labels());
  EXPECT_EQ(back.lambda(), memory.lambda());
  EXPECT_EQ(back.options().beta, 3.0);
  EXPECT_EQ(back.options().label_logit, 7.0);
  EXPECT_EQ(back.options().relax.dt, 0.05);
  EXPECT_EQ(back.generate({2, 4}).images, memory.generate({2, 4}).images);
  ConditionalOptions fixed = options;
  fixed.lambda = 12.5;
  ConditionalMemory<float> f(D, C, fixed);
  f.insert(data.train.cast<float>(), data.train_labels);
  EXPECT_EQ(ConditionalMemory<float>::from_file(f.to_file()).lambda(), 12.5);
}

TEST(ConditionalMemoryErrors, FromFileNamesWhatIsWrong) {
  const Data data = make_data(9);
  ConditionalMemory<double> memory(D, C);
  memory.insert(data.train, data.train_labels);
  const ModelFile<double> good = memory.to_file();
  ModelFile<double> f = good;
  f.kind = "modern_hopfield";
  EXPECT_THROW_MESSAGE(ConditionalMemory<double>::from_file(f), std::invalid_argument,
                       "kind must be 'conditional_memory'");
  f = good;
  f.tensors.at("labels")(3, 0) = 1.5;
  EXPECT_THROW_MESSAGE(ConditionalMemory<double>::from_file(f), std::invalid_argument,
                       "label 1.5 of memory 3 is not a class index in [0, 5)");
  f = good;
  f.tensors.at("labels")(0, 0) = 5;
  EXPECT_THROW_MESSAGE(ConditionalMemory<double>::from_file(f), std::invalid_argument,
                       "label 5 of memory 0");
  f = good;
  f.tensors.erase("labels");
  EXPECT_THROW_MESSAGE(ConditionalMemory<double>::from_file(f), std::invalid_argument,
                       "missing tensor 'labels'");
  f = good;
  f.tensors.at("images") = Mat<double>::Zero(good.tensors.at("images").rows(), D + 1);
  EXPECT_THROW_MESSAGE(ConditionalMemory<double>::from_file(f), std::invalid_argument,
                       "tensor 'images' must be anyx40");
  f = good;
  f.config.erase("beta");
  EXPECT_THROW_MESSAGE(ConditionalMemory<double>::from_file(f), std::invalid_argument,
                       "config needs a number 'beta'");
  f = good;
  f.config["dt"] = -0.1;
  EXPECT_THROW_MESSAGE(ConditionalMemory<double>::from_file(f), std::invalid_argument, "dt");
}

}  // namespace
}  // namespace engram
