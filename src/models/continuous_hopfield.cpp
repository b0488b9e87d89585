// ContinuousHopfield: construction, the activation and its inverse, the energy in both forms, the
// energy graph and model files. Recall lives in continuous_recall.cpp.
#include "engram/models/continuous_hopfield.hpp"

#include <cmath>
#include <numbers>

#include "../synapses/bilinear.hpp"
#include "engram/core/error.hpp"
#include "engram/neurons/sigmoid.hpp"
#include "engram/neurons/softplus.hpp"
#include "engram/neurons/tanh.hpp"
#include "engram/synapses/bias.hpp"
#include "engram/synapses/dense.hpp"
#include "model_file_checks.hpp"
#include "recurrent_weights.hpp"

namespace engram {
namespace {

constexpr double kPi2Over6 = std::numbers::pi * std::numbers::pi / 6.0;

template <class T>
LagrangianPtr<T> make_lagrangian(ContinuousActivation a, double beta) {
  switch (a) {
    case ContinuousActivation::tanh:
      return std::make_shared<const Tanh<T>>(beta);
    case ContinuousActivation::sigmoid:
      return std::make_shared<const Sigmoid<T>>(beta);
    case ContinuousActivation::softplus:
      return std::make_shared<const Softplus<T>>(beta);
  }
  detail::throw_invalid(
      fmt::format("ContinuousHopfield: unknown activation {}", static_cast<int>(a)));
}

/// φ's closed range as text, for messages.
const char* range_text(ContinuousActivation a) {
  switch (a) {
    case ContinuousActivation::tanh:
      return "[-1, 1]";
    case ContinuousActivation::sigmoid:
      return "[0, 1]";
    case ContinuousActivation::softplus:
      return "[0, inf)";
  }
  return "?";
}

/// Whether v lies in φ's range: the closed range, or the open one when `open`.
bool in_range(ContinuousActivation a, double v, bool open) {
  switch (a) {
    case ContinuousActivation::tanh:
      return open ? std::abs(v) < 1.0 : std::abs(v) <= 1.0;
    case ContinuousActivation::sigmoid:
      return open ? v > 0.0 && v < 1.0 : v >= 0.0 && v <= 1.0;
    case ContinuousActivation::softplus:
      return open ? v > 0.0 && v < INFINITY : v >= 0.0 && v < INFINITY;
  }
  return false;
}

/// p ln p, continued by 0 at p = 0.
double xlogx(double p) {
  return p > 0.0 ? p * std::log(p) : 0.0;
}

/// M-11: ∫₀^v φ⁻¹(s) ds at gain β (v in φ's closed range).
double integral_of_inverse(ContinuousActivation a, double beta, double v) {
  switch (a) {
    case ContinuousActivation::tanh:  // ½[(1+v) ln(1+v) + (1−v) ln(1−v)]
      return 0.5 * (xlogx(1.0 + v) + xlogx(1.0 - v)) / beta;
    case ContinuousActivation::sigmoid:  // v ln v + (1−v) ln(1−v)
      return (xlogx(v) + xlogx(1.0 - v)) / beta;
    case ContinuousActivation::softplus:  // ∫₀^v ln(e^s − 1) = v²/2 + Li₂(e^{−v}) − π²/6
      return (0.5 * v * v + dilog(std::exp(-v)) - kPi2Over6) / beta;
  }
  return NAN;
}

/// φ⁻¹(v) at gain β, for v strictly inside φ's range.
double inverse_activation(ContinuousActivation a, double beta, double v) {
  switch (a) {
    case ContinuousActivation::tanh:
      return std::atanh(v) / beta;
    case ContinuousActivation::sigmoid:
      return (std::log(v) - std::log1p(-v)) / beta;
    case ContinuousActivation::softplus:  // ln(e^v − 1) = v + ln(1 − e^{−v})
      return (v + std::log(-std::expm1(-v))) / beta;
  }
  return NAN;
}

}  // namespace

std::string to_string(ContinuousActivation activation) {
  switch (activation) {
    case ContinuousActivation::tanh:
      return "tanh";
    case ContinuousActivation::sigmoid:
      return "sigmoid";
    case ContinuousActivation::softplus:
      return "softplus";
  }
  return "unknown";
}

ContinuousActivation parse_continuous_activation(std::string_view name) {
  for (ContinuousActivation a :
       {ContinuousActivation::tanh, ContinuousActivation::sigmoid, ContinuousActivation::softplus})
    if (name == to_string(a)) return a;
  detail::throw_invalid(
      fmt::format("activation must be one of tanh, sigmoid, softplus, got '{}'", name));
}

template <class T>
ContinuousHopfield<T>::ContinuousHopfield(Mat<T> W, Mat<T> b, ContinuousActivation activation,
                                          double gain, double tau)
    : W_(std::move(W)), b_(std::move(b)), activation_(activation), gain_(gain), tau_(tau) {
  detail::check_recurrent_weights(W_, "ContinuousHopfield", /*zero_diagonal=*/false);
  check_shape(b_, 1, W_.rows(), "ContinuousHopfield: b");
  check_finite(b_, "ContinuousHopfield: b");
  check_positive(gain, "ContinuousHopfield: gain");
  check_positive(tau, "ContinuousHopfield: tau");
  lagrangian_ = make_lagrangian<T>(activation, gain);
}

template <class T>
ContinuousHopfield<T> ContinuousHopfield<T>::from_patterns(const MatCRef<T>& patterns,
                                                           LearningRule rule,
                                                           ContinuousActivation activation,
                                                           double gain, double tau) {
  Mat<T> W = learn<T>(patterns, rule);
  const Index N = W.rows();
  return ContinuousHopfield(std::move(W), Mat<T>::Zero(1, N), activation, gain, tau);
}

template <class T>
Mat<T> ContinuousHopfield<T>::output(const MatCRef<T>& u) const {
  ENGRAM_CHECK(u.cols() == size(), "ContinuousHopfield::output: u must be B x {}, got {}x{}",
               size(), u.rows(), u.cols());
  return lagrangian_->activation(u);
}

template <class T>
Mat<T> ContinuousHopfield<T>::internal(const MatCRef<T>& V) const {
  ENGRAM_CHECK(V.cols() == size(), "ContinuousHopfield::internal: V must be B x {}, got {}x{}",
               size(), V.rows(), V.cols());
  Mat<T> u(V.rows(), V.cols());
  for (Index r = 0; r < V.rows(); ++r)
    for (Index i = 0; i < V.cols(); ++i) {
      const double v = static_cast<double>(V(r, i));
      ENGRAM_CHECK(in_range(activation_, v, /*open=*/true),
                   "ContinuousHopfield::internal: V must lie strictly inside {} for {}, got {} at "
                   "({}, {})",
                   range_text(activation_), to_string(activation_), v, r, i);
      u(r, i) = static_cast<T>(inverse_activation(activation_, gain_, v));
    }
  return u;
}

template <class T>
Energies ContinuousHopfield<T>::integral_term(const MatCRef<T>& V, const char* who) const {
  Energies out(V.rows());
  for (Index r = 0; r < V.rows(); ++r) {
    double sum = 0.0;
    for (Index i = 0; i < V.cols(); ++i) {
      const double v = static_cast<double>(V(r, i));
      if (!in_range(activation_, v, /*open=*/false)) {
        ENGRAM_CHECK(who == nullptr, "{}: V must lie in {} for {}, got {} at ({}, {})", who,
                     range_text(activation_), to_string(activation_), v, r, i);
        sum = NAN;
        break;
      }
      sum += integral_of_inverse(activation_, gain_, v);
    }
    out(r) = sum;
  }
  return out;
}

template <class T>
Energies ContinuousHopfield<T>::synapse_term(const MatCRef<T>& V, const MatCRef<T>& VW) const {
  Energies out(V.rows());
  for (Index r = 0; r < V.rows(); ++r) {  // −½ V·(WV) − b·V, accumulated in double
    double quadratic = 0.0, linear = 0.0;
    for (Index i = 0; i < V.cols(); ++i) {
      const double v = static_cast<double>(V(r, i));
      quadratic += v * static_cast<double>(VW(r, i));
      linear += v * static_cast<double>(b_(0, i));
    }
    out(r) = -0.5 * quadratic - linear;
  }
  return out;
}

template <class T>
Energies ContinuousHopfield<T>::energy(const MatCRef<T>& V) const {
  ENGRAM_CHECK(V.cols() == size(), "ContinuousHopfield::energy: V must be B x {}, got {}x{}",
               size(), V.rows(), V.cols());
  check_finite(V, "ContinuousHopfield::energy: V");
  // M-11: E = −½VᵀWV − bᵀV + Σ_i ∫₀^{V_i} φ⁻¹; W symmetric, so row r of V W is (W V_r)ᵀ.
  const Mat<T> VW = V * W_;
  return synapse_term(V, VW) + integral_term(V, "ContinuousHopfield::energy");
}

template <class T>
Energies ContinuousHopfield<T>::energy_of_internal(const MatCRef<T>& u) const {
  ENGRAM_CHECK(u.cols() == size(),
               "ContinuousHopfield::energy_of_internal: u must be B x {}, got {}x{}", size(),
               u.rows(), u.cols());
  check_finite(u, "ContinuousHopfield::energy_of_internal: u");
  // M-01: Σ ∫₀^V φ⁻¹ = V·u − L(u), the Lagrangian's Legendre transform.
  const Mat<T> V = lagrangian_->activation(u);
  const Mat<T> VW = V * W_;
  return synapse_term(V, VW) + lagrangian_->energy(u);
}

template <class T>
EnergyGraph<T> ContinuousHopfield<T>::graph() const {
  const Index N = size();
  Mat<T> off_diagonal = W_;
  off_diagonal.diagonal().setZero();
  EnergyGraph<T> g;
  g.add_layer("x", {N}, lagrangian_, tau_)
      .add_synapse("W", {"x"}, RecurrentSynapse<T>(off_diagonal));
  if (!W_.diagonal().isZero(0)) {
    // −x̂ᵀ(½D)x̂ = −½ Σ_i W_ii x̂_i², as a bipartite synapse with both operands on layer x.
    Mat<T> half_diagonal = Mat<T>::Zero(N, N);
    half_diagonal.diagonal() = T(0.5) * W_.diagonal();
    g.add_synapse("W_diagonal", {"x", "x"}, DenseSynapse<T>(std::move(half_diagonal)));
  }
  g.add_synapse("b", {"x"}, BiasSynapse<T>(b_));
  return g;
}

template <class T>
ModelFile<T> ContinuousHopfield<T>::to_file() const {
  ModelFile<T> file;
  file.kind = "continuous_hopfield";
  file.config = {
      {"size", size()}, {"activation", to_string(activation_)}, {"gain", gain_}, {"tau", tau_}};
  file.tensors["W"] = W_;
  file.tensors["b"] = b_;
  return file;
}

template <class T>
ContinuousHopfield<T> ContinuousHopfield<T>::from_file(const ModelFile<T>& file) {
  const char* who = "ContinuousHopfield::from_file";
  detail::require_kind(file, "continuous_hopfield", who);
  detail::require_known_tensors(file, {"W", "b"}, who);
  const Index N = detail::config_integer(file.config, "size", who);
  ENGRAM_CHECK(N > 0, "{}: config 'size' must be positive, got {}", who, N);
  const std::string name = detail::config_string(file.config, "activation", who);
  ContinuousActivation activation;
  try {
    activation = parse_continuous_activation(name);
  } catch (const std::invalid_argument& e) {
    detail::throw_invalid(fmt::format("{}: config 'activation': {}", who, e.what()));
  }
  const double gain = detail::config_number(file.config, "gain", who);
  const double tau = detail::config_number(file.config, "tau", who);
  return ContinuousHopfield(detail::require_tensor(file, "W", N, N, who),
                            detail::require_tensor(file, "b", 1, N, who), activation, gain, tau);
}

template class ContinuousHopfield<float>;
template class ContinuousHopfield<double>;

}  // namespace engram
