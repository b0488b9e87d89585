// ClassicalHopfield: construction, energy and model files. Recall lives in classical_recall.cpp,
// the bit-packed kernel in classical_packed.cpp.
#include "engram/models/classical_hopfield.hpp"

#include "../synapses/bilinear.hpp"
#include "classical_packed.hpp"
#include "engram/core/error.hpp"
#include "model_file_checks.hpp"
#include "recurrent_weights.hpp"

namespace engram {

std::string to_string(UpdateMode mode) {
  return mode == UpdateMode::synchronous ? "synchronous" : "asynchronous";
}

UpdateMode parse_update_mode(std::string_view name) {
  if (name == "synchronous") return UpdateMode::synchronous;
  if (name == "asynchronous") return UpdateMode::asynchronous;
  detail::throw_invalid(
      fmt::format("update mode must be 'synchronous' or 'asynchronous', got '{}'", name));
}

template <class T>
ClassicalHopfield<T>::ClassicalHopfield(Mat<T> W) : W_(std::move(W)) {
  detail::check_recurrent_weights(W_, "ClassicalHopfield", /*zero_diagonal=*/true);
  patterns_.resize(0, W_.cols());
}

template <class T>
ClassicalHopfield<T>::ClassicalHopfield(Mat<T> W, Mat<T> patterns, LearningRule rule)
    : ClassicalHopfield(std::move(W)) {
  patterns_ = std::move(patterns);
  rule_ = rule;
  if (rule == LearningRule::hebbian)
    packed_ = std::make_shared<const detail::PackedPatterns>(patterns_.template cast<double>());
}

template <class T>
ClassicalHopfield<T> ClassicalHopfield<T>::from_patterns(const MatCRef<T>& patterns,
                                                         LearningRule rule) {
  ENGRAM_CHECK(patterns.rows() > 0 && patterns.cols() > 0,
               "ClassicalHopfield::from_patterns: patterns must be P x N with P, N > 0, got {}x{}",
               patterns.rows(), patterns.cols());
  for (Index mu = 0; mu < patterns.rows(); ++mu)
    for (Index i = 0; i < patterns.cols(); ++i) {
      const T v = patterns(mu, i);
      ENGRAM_CHECK(v == T(1) || v == T(-1),
                   "ClassicalHopfield::from_patterns: patterns must hold only -1 and +1, got {} at "
                   "({}, {})",
                   static_cast<double>(v), mu, i);
    }
  return ClassicalHopfield(learn<T>(patterns, rule), Mat<T>(patterns), rule);
}

template <class T>
Energies ClassicalHopfield<T>::energy(const MatCRef<T>& states) const {
  ENGRAM_CHECK(states.cols() == size(),
               "ClassicalHopfield::energy: states must be B x {}, got {}x{}", size(), states.rows(),
               states.cols());
  check_finite(states, "ClassicalHopfield::energy: states");
  // M-10: E = −½ sᵀWs; W symmetric, so s W is (W s)ᵀ row by row.
  const Mat<T> field = states * W_;
  return -0.5 * detail::rowwise_dot<T>(states, field);
}

template <class T>
ModelFile<T> ClassicalHopfield<T>::to_file() const {
  ModelFile<T> file;
  file.kind = "classical_hopfield";
  file.config["size"] = size();
  file.config["rule"] = rule_ ? nlohmann::json(to_string(*rule_)) : nlohmann::json(nullptr);
  file.tensors["W"] = W_;
  if (rule_) file.tensors["patterns"] = patterns_;
  return file;
}

template <class T>
ClassicalHopfield<T> ClassicalHopfield<T>::from_file(const ModelFile<T>& file) {
  const char* who = "ClassicalHopfield::from_file";
  detail::require_kind(file, "classical_hopfield", who);
  detail::require_known_tensors(file, {"W", "patterns"}, who);
  const Index N = detail::config_integer(file.config, "size", who);
  ENGRAM_CHECK(N > 0, "{}: config 'size' must be positive, got {}", who, N);
  const Mat<T>& W = detail::require_tensor(file, "W", N, N, who);
  const bool has_rule = file.config.contains("rule") && !file.config["rule"].is_null();
  if (!has_rule) {
    ENGRAM_CHECK(!file.tensors.contains("patterns"),
                 "{}: tensor 'patterns' needs a learning rule in config 'rule'", who);
    return ClassicalHopfield(W);
  }
  const std::string rule_name = detail::config_string(file.config, "rule", who);
  LearningRule rule;
  try {
    rule = parse_learning_rule(rule_name);
  } catch (const std::invalid_argument& e) {
    detail::throw_invalid(fmt::format("{}: config 'rule': {}", who, e.what()));
  }
  const Mat<T>& patterns = detail::require_tensor(file, "patterns", -1, N, who);
  ClassicalHopfield model = from_patterns(patterns, rule);
  // The packed path reads the patterns, the plain path W: they must describe the same network.
  const double gap = static_cast<double>((model.W_ - W).cwiseAbs().maxCoeff());
  const double tol = 1e3 * static_cast<double>(Eigen::NumTraits<T>::epsilon()) *
                     std::max(1.0, static_cast<double>(model.W_.cwiseAbs().maxCoeff()));
  ENGRAM_CHECK(gap <= tol,
               "{}: tensor 'W' does not match the {} rule applied to tensor 'patterns' (max "
               "difference {})",
               who, to_string(rule), gap);
  return model;
}

template class ClassicalHopfield<float>;
template class ClassicalHopfield<double>;

}  // namespace engram
