// GaussianBernoulliRBM<T>: real visible units with a fixed width σ and binary hidden units (SPEC
// M-15, M-33): energy, free energy, score, exact sampling of v and exact log Z for few hidden
// units.
#pragma once

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"

namespace engram {

/// M-15/M-33: v ∈ ℝ^V, h ∈ {0,1}^H, W (V × H), b (1 × V), c (1 × H), σ > 0 fixed:
///   E(v, h) = ‖v − b‖²/(2σ²) − cᵀh − vᵀWh/σ².
/// Completing the square, E = ‖v − (b + Wh)‖²/(2σ²) − cᵀh − (‖b + Wh‖² − ‖b‖²)/(2σ²), so
///   v | h ~ N(b + Wh, σ² I),   P(h) ∝ exp(cᵀh + (‖b + Wh‖² − ‖b‖²)/(2σ²)),
/// and P(v) is a mixture of 2^H Gaussians. Summing h out,
///   F(v) = ‖v − b‖²/(2σ²) − Σ_j softplus(c_j + (Wᵀv)_j/σ²),
///   s(v) = −∇F(v) = −(v − b)/σ² + W σ(c + Wᵀv/σ²)/σ²       (the score),
///   Z = (2πσ²)^{V/2} Σ_h exp(cᵀh + (‖b + Wh‖² − ‖b‖²)/(2σ²)).
template <class T>
class GaussianBernoulliRBM {
 public:
  /// W (V × H), b (1 × V), c (1 × H), all finite; σ > 0.
  GaussianBernoulliRBM(Mat<T> W, Mat<T> b, Mat<T> c, double sigma);

  Index visible() const { return W_.rows(); }
  Index hidden() const { return W_.cols(); }
  const Mat<T>& W() const { return W_; }
  const Mat<T>& b() const { return b_; }
  const Mat<T>& c() const { return c_; }
  double sigma() const { return sigma_; }
  /// Replaces W, b, c (same shapes, finite).
  void set_parameters(Mat<T> W, Mat<T> b, Mat<T> c);

  /// E(v, h) per row of v (B × V) and h (B × H).
  Energies energy(const MatCRef<T>& v, const MatCRef<T>& h) const;
  /// F(v) per row of v (B × V).
  Energies free_energy(const MatCRef<T>& v) const;
  /// s(v) = −∇F(v) for each row of v; B × V.
  Mat<T> score(const MatCRef<T>& v) const;
  /// p(h = 1 | v) = σ(c + Wᵀv/σ²); B × H.
  Mat<T> hidden_probabilities(const MatCRef<T>& v) const;

  /// `count` exact draws of v: h from P(h) by enumeration, then v ~ N(b + Wh, σ² I). H ≤ 20.
  Mat<T> sample(Index count, Rng& rng) const;
  /// log Z exactly, by enumerating h (H ≤ 20).
  double log_partition() const;

 private:
  /// log of the unnormalised P(h) for every h (row r of `states` is h with the bits of r).
  Eigen::VectorXd log_hidden_weights(Mat<double>& states) const;

  Mat<T> W_, b_, c_;
  double sigma_;
};

}  // namespace engram
