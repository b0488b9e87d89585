// The model families behind the recall and capacity experiments, with their defaults.
#include "family_recall.hpp"

#include <algorithm>
#include <cmath>

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

class ClassicalRecall final : public FamilyRecall {
 public:
  ClassicalRecall(const RecallConfig& c, const Mat<float>& patterns)
      : net_(ClassicalHopfield<float>::from_patterns(patterns, parse_learning_rule(c.rule))) {
    options_.mode = is_synchronous(c.mode) ? UpdateMode::synchronous : UpdateMode::asynchronous;
    options_.max_iterations = c.max_steps.value_or(100);
  }
  std::string description() const override {
    return fmt::format("classical Hopfield ({}, {})", to_string(*net_.rule()),
                       to_string(options_.mode));
  }
  void save(const std::filesystem::path& path) const override { save_model(path, net_); }
  Retrieval<float> recall(const MatCRef<float>& cues, std::uint64_t seed) const override {
    ClassicalRecallOptions o = options_;
    o.seed = seed;
    return net_.recall(cues, o);
  }

 private:
  ClassicalHopfield<float> net_;
  ClassicalRecallOptions options_;
};

class ModernRecall final : public FamilyRecall {
 public:
  // β = 1 on ±1-scaled images: overlaps are in the hundreds, so the own pattern dominates.
  ModernRecall(const RecallConfig& c, const Mat<float>& patterns)
      : net_(patterns, c.beta.value_or(1.0)) {
    options_.max_steps = c.max_steps.value_or(100);
  }
  std::string description() const override {
    return fmt::format("modern Hopfield (beta = {:g})", net_.beta());
  }
  void save(const std::filesystem::path& path) const override { save_model(path, net_); }
  Retrieval<float> recall(const MatCRef<float>& cues, std::uint64_t) const override {
    return net_.retrieve(cues, options_);
  }

 private:
  ModernHopfield<float> net_;
  ModernRetrieveOptions options_;
};

class DenseRecall final : public FamilyRecall {
 public:
  DenseRecall(const RecallConfig& c, const Mat<float>& patterns)
      : net_(patterns, make_interaction(c)) {
    options_.synchronous = is_synchronous(c.mode);
    options_.max_sweeps = c.max_steps.value_or(100);
    // The energy −Σ F(ξ·σ) overflows double once F(max overlap) does (the updates do not):
    // record it only where it cannot.
    const Interaction& f = net_.interaction();
    const double top = std::log(static_cast<double>(patterns.cols()) *
                                std::max(1.0f, patterns.cwiseAbs().maxCoeff()));
    options_.record_trace =
        f.kind == Interaction::Kind::log_sum_exp ||
        (f.kind == Interaction::Kind::exponential
             ? f.beta * std::exp(top) < 700
             : f.n * top < 700 - std::log(static_cast<double>(patterns.rows())));
  }
  std::string description() const override {
    return fmt::format("dense associative memory ({})", net_.interaction().to_string());
  }
  void save(const std::filesystem::path& path) const override { save_model(path, net_); }
  Retrieval<float> recall(const MatCRef<float>& cues, std::uint64_t seed) const override {
    DenseRecallOptions o = options_;
    o.seed = seed;
    return net_.recall(cues, o);
  }

 private:
  static Interaction make_interaction(const RecallConfig& c) {
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
  DenseAssociativeMemory<float> net_;
  DenseRecallOptions options_;
};

class ContinuousRecall final : public FamilyRecall {
 public:
  // Gain 10: tanh(10u) is nearly a sign, so the outputs end close to ±1 like the classical model's.
  ContinuousRecall(const RecallConfig& c, const Mat<float>& patterns)
      : net_(ContinuousHopfield<float>::from_patterns(patterns, parse_learning_rule(c.rule),
                                                      ContinuousActivation::tanh,
                                                      c.beta.value_or(10.0))),
        rule_(c.rule) {
    options_.dt = 0.1;
    options_.max_steps = c.max_steps.value_or(1000);
  }
  std::string description() const override {
    return fmt::format("continuous Hopfield (tanh, gain {:g}, {})", net_.gain(),
                       to_string(parse_learning_rule(rule_)));
  }
  void save(const std::filesystem::path& path) const override { save_model(path, net_); }
  Retrieval<float> recall(const MatCRef<float>& cues, std::uint64_t seed) const override {
    ContinuousRecallOptions o = options_;
    o.seed = seed;
    return net_.recall(cues, o);
  }

 private:
  ContinuousHopfield<float> net_;
  ContinuousRecallOptions options_;
  std::string rule_;
};

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
      return std::make_unique<ClassicalRecall>(config, patterns);
    case ModelFamily::modern:
      check_unused(config, true, false, false);
      return std::make_unique<ModernRecall>(config, patterns);
    case ModelFamily::dense:
      check_unused(config, true, true, false);
      return std::make_unique<DenseRecall>(config, patterns);
    case ModelFamily::continuous:
      check_unused(config, true, false, true);
      return std::make_unique<ContinuousRecall>(config, patterns);
    case ModelFamily::linear:
      check_unused(config, false, false, false);
      return std::make_unique<LinearRecall>(patterns);
  }
  ENGRAM_CHECK(false, "unknown model family");
  return nullptr;
}

}  // namespace engram::detail
