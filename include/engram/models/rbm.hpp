// BernoulliRBM<T>: the restricted Boltzmann machine with binary visible and hidden units (SPEC
// M-15): its energy, free energy, conditionals, block Gibbs sampling, model file and energy graph.
#pragma once

#include <cstdint>

#include "engram/core/rng.hpp"
#include "engram/graph.hpp"
#include "engram/io/model_file.hpp"

namespace engram {

/// M-15: binary v ∈ {0,1}^V, h ∈ {0,1}^H, weights W (V × H), visible bias b (1 × V), hidden bias
/// c (1 × H), one sample per row:
///   E(v, h) = −vᵀWh − bᵀv − cᵀh,      P(v, h) = exp(−E(v, h)) / Z,
///   F(v)    = −bᵀv − Σ_j softplus(c_j + (Wᵀv)_j)    (so P(v) = exp(−F(v)) / Z),
///   p(h_j = 1 | v) = σ(c_j + (Wᵀv)_j),   p(v_i = 1 | h) = σ(b_i + (Wh)_i).
/// Energies are returned in double (softplus in its stable form max(x, 0) + log1p(e^{−|x|})).
///
///   auto rbm = BernoulliRBM<float>::random(784, 500, 0.01, rng);
///   Energies f = rbm.free_energy(images);          // images: B × 784 in {0, 1}
///   Mat<float> v = rbm.gibbs(images, 1000, rng);   // B chains, 1000 block Gibbs steps each
template <class T>
class BernoulliRBM {
 public:
  /// W (V × H), b (1 × V), c (1 × H), finite, V, H ≥ 1.
  BernoulliRBM(Mat<T> W, Mat<T> b, Mat<T> c);

  /// W with entries N(0, stddev²) (stddev > 0), b = c = 0.
  static BernoulliRBM random(Index visible, Index hidden, double stddev, Rng& rng);

  Index visible() const { return W_.rows(); }
  Index hidden() const { return W_.cols(); }
  const Mat<T>& W() const { return W_; }
  const Mat<T>& b() const { return b_; }
  const Mat<T>& c() const { return c_; }

  /// Replaces the parameters (same shapes, finite; checked as by the constructor).
  void set_parameters(Mat<T> W, Mat<T> b, Mat<T> c);

  /// E(v, h) per row of `v` (B × V) and `h` (B × H).
  Energies energy(const MatCRef<T>& v, const MatCRef<T>& h) const;
  /// F(v) per row of `v` (B × V).
  Energies free_energy(const MatCRef<T>& v) const;

  /// p(h = 1 | v) = σ(c + vW) for each row of `v` (B × V); B × H.
  Mat<T> hidden_probabilities(const MatCRef<T>& v) const;
  /// p(v = 1 | h) = σ(b + hWᵀ) for each row of `h` (B × H); B × V.
  Mat<T> visible_probabilities(const MatCRef<T>& h) const;
  /// h ~ p(h | v), each unit an independent Bernoulli draw; B × H in {0, 1}.
  Mat<T> sample_hidden(const MatCRef<T>& v, Rng& rng) const;
  /// v ~ p(v | h); B × V in {0, 1}.
  Mat<T> sample_visible(const MatCRef<T>& h, Rng& rng) const;
  /// `steps` ≥ 0 block Gibbs steps v → h ~ p(h|v) → v ~ p(v|h) from each row of `v` (B × V).
  Mat<T> gibbs(const MatCRef<T>& v, int steps, Rng& rng) const;

  /// Mean-field reconstruction error: mean over rows and pixels of (v − σ(b + p(h|v) Wᵀ))².
  double reconstruction_error(const MatCRef<T>& v) const;

  /// kind "bernoulli_rbm"; config {"visible", "hidden"}; tensors "W" (V × H), "b" (1 × V),
  /// "c" (1 × H).
  ModelFile<T> to_file() const;
  static BernoulliRBM from_file(const ModelFile<T>& file);

  /// The same model as an energy graph: layers "v" (V) and "h" (H) with sigmoid Lagrangians
  /// (β = 1), synapses "W" = DenseSynapse(W) on (v, h) and "b", "c" = BiasSynapse on v and h.
  /// At binary activations the synapse energies sum to E(v, h).
  EnergyGraph<T> to_graph() const;

 private:
  void check_batch(const MatCRef<T>& m, Index cols, const char* who, const char* what) const;

  Mat<T> W_, b_, c_;
};

}  // namespace engram
