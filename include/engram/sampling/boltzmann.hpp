// BoltzmannMachine: a binary Hopfield network at temperature T (SPEC M-15), sampled by Gibbs
// (heat-bath) or Metropolis single-spin updates and checked against exact enumeration.
#pragma once

#include <cstdint>

#include <Eigen/Core>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"

namespace engram {

/// How a sweep visits the N spins: in order 0..N−1, or N spins drawn uniformly at random.
enum class Scan { sequential, random };

/// The single-spin update rule.
enum class SpinUpdate {
  gibbs,       ///< heat bath: s_i = +1 with probability 1/(1 + exp(−2h_i/T))
  metropolis,  ///< flip s_i with probability min(1, exp(−ΔE/T)), ΔE = 2 s_i h_i
};

/// M-15: states s ∈ {−1, +1}^N with energy E(s) = −½ sᵀWs − bᵀs (W symmetric, zero diagonal) and
/// the Boltzmann law P(s) = exp(−E(s)/T)/Z at temperature T > 0. The local field of spin i is
/// h_i = Σ_j W_ij s_j + b_i, and E(s with s_i flipped) − E(s) = 2 s_i h_i.
/// Enumeration indexes a state by k = Σ_i [s_i = +1] 2^i.
class BoltzmannMachine {
 public:
  /// Throws std::invalid_argument unless W is N × N, finite, symmetric (to 1e-12 relative) with a
  /// zero diagonal, b has N finite entries, and T is finite and > 0.
  BoltzmannMachine(Eigen::MatrixXd W, Eigen::VectorXd b, double temperature = 1.0);

  Index size() const { return b_.size(); }
  const Eigen::MatrixXd& weights() const { return W_; }
  const Eigen::VectorXd& bias() const { return b_; }
  double temperature() const { return temperature_; }

  /// E(s) for one state s ∈ {−1, +1}^N (checked).
  double energy(const Eigen::VectorXd& s) const;

  /// One sweep of N single-spin updates of `s` (in place; entries must be ±1).
  void sweep(Eigen::VectorXd& s, SpinUpdate update, Scan scan, Rng& rng) const;

  /// The exact law by enumeration of the 2^N states, P_k = exp(−E_k/T − log Z) with
  /// log Z = logsumexp(−E/T). N ≤ 20.
  Eigen::VectorXd exact_distribution() const;
  /// log Z by the same enumeration.
  double log_partition() const;

  /// Empirical law of `chains` independent chains started at random states: `burn_in` sweeps,
  /// then `samples` states per chain, one every `thin` sweeps, counted by index k (N ≤ 20).
  Eigen::VectorXd empirical_distribution(SpinUpdate update, Scan scan, Index chains, Index samples,
                                         Index burn_in, Index thin, Rng& rng) const;

 private:
  Eigen::MatrixXd W_;
  Eigen::VectorXd b_;
  double temperature_;
};

/// The state of index k: s_i = +1 when bit i of k is set, else −1.
Eigen::VectorXd spin_state(std::uint32_t k, Index n);
/// The index Σ_i [s_i = +1] 2^i of a ±1 state (N ≤ 31).
std::uint32_t spin_index(const Eigen::VectorXd& s);

/// Total-variation distance ½ Σ_k |p_k − q_k| between two laws of the same length.
double total_variation(const Eigen::VectorXd& p, const Eigen::VectorXd& q);

/// Shannon entropy −Σ_k p_k log p_k (nats; 0 log 0 = 0).
double entropy(const Eigen::VectorXd& p);

}  // namespace engram
