// The partition function of a BernoulliRBM (SPEC M-15, M-32): exactly, by enumerating the smaller
// layer, and estimated by annealed importance sampling (Salakhutdinov & Murray 2008).
#pragma once

#include <cstdint>
#include <vector>

#include "engram/models/rbm.hpp"

namespace engram {

/// The most units exact_log_partition enumerates (2^25 states).
inline constexpr Index kMaxEnumeratedUnits = 25;

/// log Z = log Σ_{v,h} exp(−E(v, h)), exactly, by enumerating the smaller layer with a
/// log-sum-exp in double: with H ≤ V, log Z = lse_h [cᵀh + Σ_i softplus(b_i + (Wh)_i)]; else
/// log Z = lse_v [−F(v)]. Throws std::invalid_argument when min(V, H) > 25.
template <class T>
double exact_log_partition(const BernoulliRBM<T>& rbm);

/// Settings of ais_log_partition.
struct AisOptions {
  /// Inverse temperatures 0 = β_0 < β_1 < ... < β_K = 1; empty: ais_schedule(betas).
  std::vector<double> schedule;
  Index betas = 14500;  ///< K + 1 when `schedule` is empty (≥ 2)
  Index runs = 100;     ///< M parallel annealing runs (≥ 2)
  std::uint64_t seed = 1;
};

/// AIS's estimate of log Z with its spread over the M runs.
struct AisResult {
  double log_z;  ///< log Ẑ = log Z_A + log mean_m w_m
  double log_z_low;  ///< log(Ẑ − 3 σ̂) (−inf when Ẑ − 3 σ̂ ≤ 0), σ̂ = std(w) Z_A / √M
  double log_z_high;                ///< log(Ẑ + 3 σ̂)
  double log_z_base;                ///< log Z_A of the base-rate model
  std::vector<double> log_weights;  ///< log w_m per run
};

/// Salakhutdinov & Murray's schedule of `count` ≥ 2 inverse temperatures from 0 to 1: a tenth of
/// the points evenly on [0, 0.5), four tenths on [0.5, 0.9), the rest on [0.9, 1] (their 1,000 /
/// 4,000 / 10,000 split for count = 14,500, up to rounding).
std::vector<double> ais_schedule(Index count);

/// Visible biases of the base-rate model from `data` (N × V, in [0, 1]): b_A,i = logit(p_i) with
/// p_i = (Σ_n v_ni + 1) / (N + 2) (the mean smoothed so that no bias is infinite).
template <class T>
Mat<T> base_rate_biases(const MatCRef<T>& data);

/// M-32: annealed importance sampling of log Z (Salakhutdinov & Murray 2008). Intermediate models
///   p_k*(v) = exp((1−β_k) b_Aᵀv + β_k bᵀv) Π_j (1 + exp(β_k (c_j + (Wᵀv)_j))),
/// from the base rate model p_0 (independent units with biases `base_biases`, 1 × V; Z_0 =
/// 2^H Π_i (1 + e^{b_A,i})) to the RBM (β_K = 1). Each of the M runs draws v_1 ~ p_0, then for
/// k = 1..K adds log p_k*(v_k) − log p_{k−1}*(v_k) to log w and moves v_k → v_{k+1} by one block
/// Gibbs step leaving p_k invariant. E[w] = Z / Z_0.
template <class T>
AisResult ais_log_partition(const BernoulliRBM<T>& rbm, const MatCRef<T>& base_biases,
                            const AisOptions& options = {});

/// The average log-likelihood of the rows of `data` (N × V): mean(−F(v)) − log Z.
template <class T>
double average_log_likelihood(const BernoulliRBM<T>& rbm, const MatCRef<T>& data, double log_z);

}  // namespace engram
