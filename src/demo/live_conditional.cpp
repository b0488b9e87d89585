#include "engram/demo/live_conditional.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

ConditionalVariants::ConditionalVariants(ConditionalMemory<double> base)
    : base_(std::make_shared<const ConditionalMemory<double>>(std::move(base))) {
  ENGRAM_CHECK(base_->size() > 0, "ConditionalVariants: the base memory holds no memories");
}

std::shared_ptr<const ConditionalMemory<double>> ConditionalVariants::get(double beta,
                                                                          double lambda) const {
  check_positive(beta, "ConditionalVariants::get: beta");
  check_positive(lambda, "ConditionalVariants::get: lambda");
  if (beta == base_->options().beta && lambda == base_->lambda()) return base_;
  const std::lock_guard lock(mutex_);
  std::weak_ptr<const ConditionalMemory<double>>& slot = cache_[{beta, lambda}];
  if (auto shared = slot.lock()) return shared;
  ConditionalOptions options = base_->options();
  options.beta = beta;
  options.lambda = lambda;
  ConditionalMemory<double> memory(base_->image_size(), base_->num_classes(), options);
  memory.insert(base_->memory_images(), base_->memory_labels());
  auto shared = std::make_shared<const ConditionalMemory<double>>(std::move(memory));
  slot = shared;
  std::erase_if(cache_, [](const auto& entry) { return entry.second.expired(); });
  return shared;
}

const char* to_string(LiveMode mode) {
  return mode == LiveMode::generate ? "generate" : "classify";
}

void LiveSettings::check() const {
  ENGRAM_CHECK(std::isfinite(beta) && beta > 0 && beta <= 1e4,
               "LiveSettings: beta must be in (0, 1e4], got {}", beta);
  ENGRAM_CHECK(std::isfinite(lambda) && lambda > 0 && lambda <= 1e6,
               "LiveSettings: lambda must be in (0, 1e6], got {}", lambda);
  ENGRAM_CHECK(std::isfinite(dt) && dt > 0 && dt <= 1, "LiveSettings: dt must be in (0, 1], got {}",
               dt);
  ENGRAM_CHECK(steps_per_frame >= 1 && steps_per_frame <= 100,
               "LiveSettings: steps_per_frame must be in [1, 100], got {}", steps_per_frame);
}

LiveConditional::LiveConditional(std::shared_ptr<const ConditionalVariants> memories,
                                 LiveSettings settings, int label,
                                 std::shared_ptr<const PrincipalComponents> plane)
    : memories_(std::move(memories)), plane_(std::move(plane)), settings_(settings) {
  ENGRAM_CHECK(memories_ != nullptr, "LiveConditional: memories must not be null");
  settings_.check();
  if (plane_)
    ENGRAM_CHECK(
        plane_->mean.size() == memories_->base().image_size() && plane_->components.rows() >= 2,
        "LiveConditional: plane must have at least 2 components of size {}",
        memories_->base().image_size());
  memory_ = memories_->get(settings_.beta, settings_.lambda);
  label_ = label;
  reset();
}

void LiveConditional::clamp_label(int label) {
  const Index C = memory_->num_classes();
  ENGRAM_CHECK(label >= 0 && label < C, "LiveConditional: label must be in [0, {}), got {}", C,
               label);
  label_ = label;
  state_["y"].setZero();
  state_["y"](0, label) = memory_->options().label_logit;
}

void LiveConditional::generate(int label) {
  clamp_label(label);
  mode_ = LiveMode::generate;
  ++segment_;
}

void LiveConditional::classify(const Eigen::VectorXd& image) {
  ENGRAM_CHECK(image.size() == memory_->image_size(),
               "LiveConditional::classify: image must have {} values, got {}",
               memory_->image_size(), image.size());
  check_finite(image, "LiveConditional::classify: image");
  state_["x"] = image.transpose();
  state_["y"].setZero();
  state_["z"] = memory_->memories_at_rest(state_["x"]);
  mode_ = LiveMode::classify;
  ++segment_;
}

void LiveConditional::set_settings(const LiveSettings& settings) {
  settings.check();
  if (settings.beta != settings_.beta || settings.lambda != settings_.lambda) {
    memory_ = memories_->get(settings.beta, settings.lambda);
    ++segment_;
  }
  settings_ = settings;
}

void LiveConditional::reset() {
  state_ = memory_->graph().zeros(1);
  state_["x"] = memory_->memory_images().colwise().mean();
  clamp_label(label_);
  mode_ = LiveMode::generate;
  ++segment_;
}

LiveFrame LiveConditional::advance() {
  RelaxOptions options = memory_->options().relax;
  options.dt = settings_.dt;
  options.max_steps = settings_.steps_per_frame;
  options.record_trace = false;
  options.clamped = {mode_ == LiveMode::generate ? "y" : "x"};
  const RelaxResult result = relax(memory_->graph(), state_, options);
  step_ += result.steps;
  return make_frame(result.energy(0));
}

LiveFrame LiveConditional::frame() const {
  return make_frame(memory_->graph().energy(state_)(0));
}

LiveFrame LiveConditional::make_frame(double energy) const {
  const EnergyGraph<double>& g = memory_->graph();
  LiveFrame f;
  f.step = step_;
  f.segment = segment_;
  f.mode = mode_;
  f.image = state_["x"].row(0).transpose();  // identity Lagrangian: x̂ = x
  f.probabilities = g.layer("y").lagrangian->activation(state_["y"]).row(0).transpose();
  f.energy = energy;
  if (mode_ == LiveMode::generate) {
    f.label = label_;
  } else {
    Index k;
    f.probabilities.maxCoeff(&k);
    f.label = static_cast<int>(k);
  }
  if (plane_) {
    const Eigen::VectorXd c = plane_->components.topRows(2) * (f.image - plane_->mean);
    f.plane = std::array<double, 2>{c(0), c(1)};
  }
  return f;
}

}  // namespace engram
