#include "engram/models/linear_am.hpp"

#include <limits>

#include "../synapses/bilinear.hpp"
#include "engram/core/error.hpp"
#include "model_file_checks.hpp"
#include "recurrent_weights.hpp"

namespace engram {
namespace {

template <class T>
void check_rows(const MatCRef<T>& m, const char* who, const char* what) {
  ENGRAM_CHECK(m.rows() > 0 && m.cols() > 0, "{}: {} must be P x D with P, D > 0, got {}x{}", who,
               what, m.rows(), m.cols());
  check_finite(m, fmt::format("{}: {}", who, what));
}

}  // namespace

template <class T>
LinearAssociativeMemory<T>::LinearAssociativeMemory(Mat<T> W, bool auto_associative)
    : W_(std::move(W)), auto_(auto_associative) {
  if (auto_) {
    detail::check_recurrent_weights(W_, "LinearAssociativeMemory", /*zero_diagonal=*/false);
  } else {
    ENGRAM_CHECK(W_.rows() > 0 && W_.cols() > 0,
                 "LinearAssociativeMemory: W must be non-empty, got {}x{}", W_.rows(), W_.cols());
    check_finite(W_, "LinearAssociativeMemory: W");
  }
}

template <class T>
LinearAssociativeMemory<T> LinearAssociativeMemory<T>::auto_associative(
    const MatCRef<T>& patterns) {
  check_rows(patterns, "LinearAssociativeMemory::auto_associative", "patterns");
  Mat<T> W = patterns.transpose() * patterns;  // M-14: W = Σ_μ v_μ v_μᵀ
  W = (T(0.5) * (W + W.transpose())).eval();   // exactly symmetric whatever the GEMM's rounding
  return LinearAssociativeMemory(std::move(W), true);
}

template <class T>
LinearAssociativeMemory<T> LinearAssociativeMemory<T>::hetero_associative(
    const MatCRef<T>& keys, const MatCRef<T>& values) {
  const char* who = "LinearAssociativeMemory::hetero_associative";
  check_rows(keys, who, "keys");
  check_rows(values, who, "values");
  ENGRAM_CHECK(keys.rows() == values.rows(), "{}: {} keys but {} values", who, keys.rows(),
               values.rows());
  return LinearAssociativeMemory(values.transpose() * keys, false);  // M-14: W = Σ_μ y_μ x_μᵀ
}

template <class T>
Retrieval<T> LinearAssociativeMemory<T>::recall(const MatCRef<T>& cues,
                                                const LinearRecallOptions& options) const {
  ENGRAM_CHECK(cues.rows() > 0 && cues.cols() == key_size(),
               "LinearAssociativeMemory::recall: cues must be B x {} with B > 0, got {}x{}",
               key_size(), cues.rows(), cues.cols());
  check_finite(cues, "LinearAssociativeMemory::recall: cues");
  const Index B = cues.rows();
  Retrieval<T> out;
  out.states = cues * W_.transpose();  // M-14: y = W c, one row per cue
  if (options.normalization == LinearNormalization::unit_norm)
    for (Index b = 0; b < B; ++b) {
      const T norm = out.states.row(b).norm();
      if (norm > T(0)) out.states.row(b) /= norm;
    }
  out.steps.assign(B, 1);
  out.converged.assign(B, true);
  out.energy_trace.resize(2, B);
  if (auto_) {
    out.energy_trace.row(0) = energy(cues).transpose();
    out.energy_trace.row(1) = energy(out.states).transpose();
  } else {
    out.energy_trace.setConstant(std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

template <class T>
Energies LinearAssociativeMemory<T>::energy(const MatCRef<T>& states) const {
  ENGRAM_CHECK(auto_,
               "LinearAssociativeMemory::energy: only an auto-associative memory has an energy");
  ENGRAM_CHECK(states.cols() == key_size(),
               "LinearAssociativeMemory::energy: states must be B x {}, got {}x{}", key_size(),
               states.rows(), states.cols());
  check_finite(states, "LinearAssociativeMemory::energy: states");
  const Mat<T> field = states * W_;  // W symmetric
  return -0.5 * detail::rowwise_dot<T>(states, field);
}

template <class T>
ModelFile<T> LinearAssociativeMemory<T>::to_file() const {
  ModelFile<T> file;
  file.kind = "linear_am";
  file.config = {{"associative", auto_ ? "auto" : "hetero"},
                 {"key_size", key_size()},
                 {"value_size", value_size()}};
  file.tensors["W"] = W_;
  return file;
}

template <class T>
LinearAssociativeMemory<T> LinearAssociativeMemory<T>::from_file(const ModelFile<T>& file) {
  const char* who = "LinearAssociativeMemory::from_file";
  detail::require_kind(file, "linear_am", who);
  detail::require_known_tensors(file, {"W"}, who);
  const std::string associative = detail::config_string(file.config, "associative", who);
  ENGRAM_CHECK(associative == "auto" || associative == "hetero",
               "{}: config 'associative' must be 'auto' or 'hetero', got '{}'", who, associative);
  const Index keys = detail::config_integer(file.config, "key_size", who);
  const Index values = detail::config_integer(file.config, "value_size", who);
  ENGRAM_CHECK(keys > 0 && values > 0,
               "{}: config 'key_size' and 'value_size' must be positive, got {} and {}", who, keys,
               values);
  return LinearAssociativeMemory(detail::require_tensor(file, "W", values, keys, who),
                                 associative == "auto");
}

template class LinearAssociativeMemory<float>;
template class LinearAssociativeMemory<double>;

}  // namespace engram
