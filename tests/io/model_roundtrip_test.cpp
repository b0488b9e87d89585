// Every model facade survives a real file (M-42): save_model, then load_model, and the loaded
// model retrieves exactly what the original does; wrong kinds and broken files are refused.
#include <gtest/gtest.h>

#include <fstream>

#include "engram/core/rng.hpp"
#include "engram/learning/hebbian.hpp"
#include "engram/models/classical_hopfield.hpp"
#include "engram/models/continuous_hopfield.hpp"
#include "engram/models/dense_am.hpp"
#include "engram/models/linear_am.hpp"
#include "engram/models/modern_hopfield.hpp"
#include "support/check.hpp"
#include "support/memory_patterns.hpp"
#include "support/scratch.hpp"

namespace engram {
namespace {

using test::ScratchDir;

// Same states, steps and converged flags; energies equal where both are numbers.
template <class T>
void expect_same_retrieval(const Retrieval<T>& a, const Retrieval<T>& b) {
  EXPECT_TRUE(a.states.cwiseEqual(b.states).all());
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.converged, b.converged);
  ASSERT_EQ(a.energy_trace.rows(), b.energy_trace.rows());
  for (Index i = 0; i < a.energy_trace.size(); ++i) {
    const double x = a.energy_trace.data()[i], y = b.energy_trace.data()[i];
    if (!(std::isnan(x) && std::isnan(y))) {
      EXPECT_EQ(x, y);
    }
  }
}

class ModelRoundTrip : public ::testing::Test {
 protected:
  ModelRoundTrip() : rng_(11), patterns_(test::binary_patterns(6, 40, rng_)) {
    cues_ = test::flipped(patterns_, 6, rng_);
  }
  Rng rng_;
  Mat<double> patterns_, cues_;
  ScratchDir dir_{"model_roundtrip"};
};

TEST_F(ModelRoundTrip, ClassicalHopfield) {
  for (LearningRule rule :
       {LearningRule::hebbian, LearningRule::storkey, LearningRule::pseudo_inverse}) {
    const auto net = ClassicalHopfield<double>::from_patterns(patterns_, rule);
    save_model(dir_("classical.safetensors"), net);
    EXPECT_EQ(model_file_kind(dir_("classical.safetensors")), "classical_hopfield");
    const auto loaded = load_model<ClassicalHopfield<double>>(dir_("classical.safetensors"));
    EXPECT_TRUE(loaded.W().cwiseEqual(net.W()).all());
    EXPECT_EQ(loaded.has_packed_path(), net.has_packed_path());
    ClassicalRecallOptions o;
    o.seed = 3;
    expect_same_retrieval(net.recall(cues_, o), loaded.recall(cues_, o));
  }
}

TEST_F(ModelRoundTrip, ContinuousHopfieldInFloat) {
  const auto net = ContinuousHopfield<float>::from_patterns(
      patterns_.cast<float>(), LearningRule::hebbian, ContinuousActivation::softplus, 2.5, 0.5);
  save_model(dir_("continuous.safetensors"), net);
  const auto loaded = load_model<ContinuousHopfield<float>>(dir_("continuous.safetensors"));
  const Mat<float> cues = cues_.cast<float>();
  expect_same_retrieval(net.recall(cues), loaded.recall(cues));
  const Mat<float> outputs = net.output(cues);  // in softplus's range (0, ∞)
  EXPECT_TRUE(net.energy(outputs).cwiseEqual(loaded.energy(outputs)).all());
}

TEST_F(ModelRoundTrip, ModernHopfield) {
  const ModernHopfield<double> net(patterns_, 0.7);
  save_model(dir_("modern.safetensors"), net);
  const auto loaded = load_model<ModernHopfield<double>>(dir_("modern.safetensors"));
  EXPECT_EQ(loaded.beta(), 0.7);
  expect_same_retrieval(net.retrieve(cues_), loaded.retrieve(cues_));
}

TEST_F(ModelRoundTrip, DenseAssociativeMemory) {
  for (const Interaction& f : {Interaction::polynomial(3), Interaction::rectified_polynomial(2.5),
                               Interaction::exponential(0.3), Interaction::log_sum_exp(2.0)}) {
    const DenseAssociativeMemory<double> net(patterns_, f);
    save_model(dir_("dam.safetensors"), net);
    const auto loaded = load_model<DenseAssociativeMemory<double>>(dir_("dam.safetensors"));
    EXPECT_EQ(loaded.interaction(), f);
    DenseRecallOptions o;
    o.seed = 5;
    expect_same_retrieval(net.recall(cues_, o), loaded.recall(cues_, o));
  }
}

TEST_F(ModelRoundTrip, LinearAssociativeMemory) {
  const auto net = LinearAssociativeMemory<double>::auto_associative(patterns_);
  save_model(dir_("linear.safetensors"), net);
  const auto loaded = load_model<LinearAssociativeMemory<double>>(dir_("linear.safetensors"));
  expect_same_retrieval(net.recall(cues_), loaded.recall(cues_));
}

TEST_F(ModelRoundTrip, SavedInFloatLoadsInDouble) {
  const ModernHopfield<float> net(patterns_.cast<float>(), 0.5);
  save_model(dir_("modern.safetensors"), net);
  const auto loaded = load_model<ModernHopfield<double>>(dir_("modern.safetensors"));
  EXPECT_TRUE(loaded.patterns().cwiseEqual(patterns_).all());  // ±1 is exact in both widths
}

TEST_F(ModelRoundTrip, AnotherKindOfModelIsRefusedNamingThePath) {
  save_model(dir_("modern.safetensors"), ModernHopfield<double>(patterns_, 1.0));
  const std::string path = dir_("modern.safetensors").string();
  EXPECT_THROW_MESSAGE(load_model<ClassicalHopfield<double>>(path), Error, path);
  EXPECT_THROW_MESSAGE(load_model<ClassicalHopfield<double>>(path), Error, "modern_hopfield");
}

TEST_F(ModelRoundTrip, TruncatedFileIsRefused) {
  save_model(dir_("dam.safetensors"),
             DenseAssociativeMemory<double>(patterns_, Interaction::polynomial(2)));
  const auto path = dir_("dam.safetensors");
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 9);
  EXPECT_THROW_MESSAGE(load_model<DenseAssociativeMemory<double>>(path), Error, path.string());
  EXPECT_THROW(load_model<DenseAssociativeMemory<double>>(dir_("missing.safetensors")), Error);
}

}  // namespace
}  // namespace engram
