// The model families behind the recall and capacity experiments, with their defaults.
#include "family_recall.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/core.h>

#include "engram/core/error.hpp"
#include "engram/io/model_file.hpp"
#include "engram/learning/hebbian.hpp"
#include "engram/models/classical_hopfield.hpp"
#include "engram/models/continuous_hopfield.hpp"
#include "engram/models/dense_am.hpp"
#include "engram/models/linear_am.hpp"
#include "engram/models/modern_hopfield.hpp"

namespace engram::detail {

namespace {

// "async"/"asynchronous" or "sync"/"synchronous".
bool is_synchronous(const std::string& mode) {
  ENGRAM_CHECK(mode == "async" || mode == "asynchronous" || mode == "sync" || mode == "synchronous",
               "mode must be async or sync, got '{}'", mode);
  return mode == "sync" || mode == "synchronous";
}

void check_unused(const RecallConfig& c, bool beta, bool interaction, bool rule) {
  const std::string name = to_string(c.model);
  ENGRAM_CHECK(beta || !c.beta, "beta: the {} model has no inverse temperature", name);
  ENGRAM_CHECK(interaction || c.interaction.empty(), "interaction: only the dam model has one");
  ENGRAM_CHECK(rule || c.rule.empty() || c.rule == "hebbian",
               "rule: the {} model has no learning rule choice", name);
}

// A facade with the options it recalls with: each cue batch gets its own seed where the facade
// draws random update orders (classical, continuous, dam); modern Hopfield iterates `retrieve`.
template <class Net, class Options>
class FacadeRecall final : public FamilyRecall {
 public:
  FacadeRecall(Net net, Options options, std::string description)
      : net_(std::move(net)), options_(options), description_(std::move(description)) {}
  std::string description() const override { return description_; }
  void save(const std::filesystem::path& path) const override { save_model(path, net_); }
  Retrieval<float> recall(const MatCRef<float>& cues, std::uint64_t seed) const override {
    Options o = options_;
    if constexpr (requires { o.seed; }) o.seed = seed;
    if constexpr (requires { net_.retrieve(cues, o); })
      return net_.retrieve(cues, o);
    else
      return net_.recall(cues, o);
  }

 private:
  Net net_;
  Options options_;
  std::string description_;
};

template <class Net, class Options>
std::unique_ptr<FamilyRecall> facade(Net net, Options options, std::string description) {
  return std::make_unique<FacadeRecall<Net, Options>>(std::move(net), options,
                                                      std::move(description));
}

std::unique_ptr<FamilyRecall> classical(const RecallConfig& c, const Mat<float>& patterns) {
  ClassicalRecallOptions o;
  o.mode = is_synchronous(c.mode) ? UpdateMode::synchronous : UpdateMode::asynchronous;
  o.max_iterations = c.max_steps.value_or(100);
  const LearningRule rule = parse_learning_rule(c.rule);
  return facade(ClassicalHopfield<float>::from_patterns(patterns, rule), o,
                fmt::format("classical Hopfield ({}, {})", to_string(rule), to_string(o.mode)));
}

std::unique_ptr<FamilyRecall> continuous(const RecallConfig& c, const Mat<float>& patterns) {
  // Gain 10: tanh(10u) is nearly a sign, so the outputs end close to ±1 like the classical model's.
  const double gain = c.beta.value_or(10.0);
  const LearningRule rule = parse_learning_rule(c.rule);
  ContinuousRecallOptions o;
  o.dt = 0.1;
  o.max_steps = c.max_steps.value_or(1000);
  return facade(
      ContinuousHopfield<float>::from_patterns(patterns, rule, ContinuousActivation::tanh, gain), o,
      fmt::format("continuous Hopfield (tanh, gain {:g}, {})", gain, to_string(rule)));
}

std::unique_ptr<FamilyRecall> modern(const RecallConfig& c, const Mat<float>& patterns) {
  // β = 1 on ±1-scaled images: overlaps are in the hundreds, so the own pattern dominates.
  const double beta = c.beta.value_or(1.0);
  ModernRetrieveOptions o;
  o.max_steps = c.max_steps.value_or(100);
  return facade(ModernHopfield<float>(patterns, beta), o,
                fmt::format("modern Hopfield (beta = {:g})", beta));
}

Interaction dense_interaction(const RecallConfig& c) {
  // Binarised images share their background, so different images overlap strongly; a high power
  // is what separates them (n = 3 recalls almost none of 100 MNIST digits, n = 30 all of them).
  Interaction f = c.interaction.empty() ? Interaction::rectified_polynomial(30)
                                        : Interaction::parse(c.interaction);
  if (c.beta) {
    ENGRAM_CHECK(
        f.kind == Interaction::Kind::exponential || f.kind == Interaction::Kind::log_sum_exp,
        "beta: the DAM interaction {} has no beta (only exponential and log_sum_exp)",
        f.to_string());
    f.beta = *c.beta;
  }
  f.check();
  return f;
}

std::unique_ptr<FamilyRecall> dense(const RecallConfig& c, const Mat<float>& patterns) {
  const Interaction f = dense_interaction(c);
  DenseRecallOptions o;
  o.synchronous = is_synchronous(c.mode);
  o.max_sweeps = c.max_steps.value_or(100);
  // The energy −Σ F(ξ·σ) overflows double once F(max overlap) does (the updates do not):
  // record it only where it cannot.
  const double top = std::log(static_cast<double>(patterns.cols()) *
                              std::max(1.0f, patterns.cwiseAbs().maxCoeff()));
  o.record_trace = f.kind == Interaction::Kind::log_sum_exp ||
                   (f.kind == Interaction::Kind::exponential
                        ? f.beta * std::exp(top) < 700
                        : f.n * top < 700 - std::log(static_cast<double>(patterns.rows())));
  return facade(DenseAssociativeMemory<float>(patterns, f), o,
                fmt::format("dense associative memory ({})", f.to_string()));
}

class LinearRecall final : public FamilyRecall {
 public:
  explicit LinearRecall(const Mat<float>& patterns)
      : net_(LinearAssociativeMemory<float>::auto_associative(patterns)) {}
  std::string description() const override { return "linear associative memory (W = VᵀV)"; }
  // y = W c has an arbitrary scale; it is brought to the norm √D of a ±1 image for display and
  // scoring.
  void save(const std::filesystem::path& path) const override { save_model(path, net_); }
  Retrieval<float> recall(const MatCRef<float>& cues, std::uint64_t) const override {
    Retrieval<float> r = net_.recall(cues, {LinearNormalization::unit_norm});
    r.states *= std::sqrt(static_cast<float>(cues.cols()));
    r.energy_trace.row(r.energy_trace.rows() - 1) = net_.energy(r.states).transpose();
    return r;
  }

 private:
  LinearAssociativeMemory<float> net_;
};

}  // namespace

std::unique_ptr<FamilyRecall> make_family_recall(const RecallConfig& config,
                                                 const Mat<float>& patterns) {
  switch (config.model) {
    case ModelFamily::classical:
      check_unused(config, false, false, true);
      return classical(config, patterns);
    case ModelFamily::modern:
      check_unused(config, true, false, false);
      return modern(config, patterns);
    case ModelFamily::dense:
      check_unused(config, true, true, false);
      return dense(config, patterns);
    case ModelFamily::continuous:
      check_unused(config, true, false, true);
      return continuous(config, patterns);
    case ModelFamily::linear:
      check_unused(config, false, false, false);
      return std::make_unique<LinearRecall>(patterns);
  }
  ENGRAM_CHECK(false, "unknown model family");
  return nullptr;
}

}  // namespace engram::detail
