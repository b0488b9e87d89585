// Boltzmann machine (SPEC M-15): single-spin Gibbs and Metropolis, exact enumeration.
#include "engram/sampling/boltzmann.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

namespace {

constexpr Index kMaxEnumerated = 20;

void check_spins(const Eigen::VectorXd& s, Index n, const char* who) {
  ENGRAM_CHECK(s.size() == n, "{}: state of {} spins, the machine has {}", who, s.size(), n);
  for (Index i = 0; i < n; ++i)
    ENGRAM_CHECK(s(i) == 1.0 || s(i) == -1.0, "{}: spin {} is {}, not +1 or -1", who, i, s(i));
}

}  // namespace

BoltzmannMachine::BoltzmannMachine(Eigen::MatrixXd W, Eigen::VectorXd b, double temperature)
    : W_(std::move(W)), b_(std::move(b)), temperature_(temperature) {
  const Index n = b_.size();
  ENGRAM_CHECK(n > 0, "BoltzmannMachine: b is empty");
  check_shape(W_, n, n, "BoltzmannMachine: W");
  check_finite(W_, "BoltzmannMachine: W");
  check_finite(b_, "BoltzmannMachine: b");
  ENGRAM_CHECK(std::isfinite(temperature) && temperature > 0,
               "BoltzmannMachine: temperature must be finite and > 0, got {}", temperature);
  const double scale = std::max(1.0, W_.cwiseAbs().maxCoeff());
  for (Index i = 0; i < n; ++i) {
    ENGRAM_CHECK(W_(i, i) == 0.0, "BoltzmannMachine: W must have a zero diagonal, W({0},{0}) = {1}",
                 i, W_(i, i));
    for (Index j = 0; j < i; ++j)
      ENGRAM_CHECK(std::abs(W_(i, j) - W_(j, i)) <= 1e-12 * scale,
                   "BoltzmannMachine: W must be symmetric, W({0},{1}) = {2} but W({1},{0}) = {3}",
                   i, j, W_(i, j), W_(j, i));
  }
  W_ = 0.5 * (W_ + W_.transpose()).eval();
}

double BoltzmannMachine::energy(const Eigen::VectorXd& s) const {
  check_spins(s, size(), "BoltzmannMachine::energy");
  return -0.5 * s.dot(W_ * s) - b_.dot(s);
}

namespace {

/// N single-spin updates of s with its local fields h = Ws + b kept current: a flip of s_i moves
/// every field by W_·i Δs_i, so only flips cost O(N).
void sweep_fields(const Eigen::MatrixXd& W, double temperature, Eigen::VectorXd& s,
                  Eigen::VectorXd& h, SpinUpdate update, Scan scan, Rng& rng) {
  const Index n = s.size();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<Index> pick(0, n - 1);
  auto& e = rng.engine();
  const double beta = 1.0 / temperature;
  for (Index k = 0; k < n; ++k) {
    const Index i = scan == Scan::sequential ? k : pick(e);
    double next = s(i);
    if (update == SpinUpdate::gibbs) {
      next = unit(e) * (1.0 + std::exp(-2.0 * beta * h(i))) < 1.0 ? 1.0 : -1.0;
    } else {
      const double dE = 2.0 * s(i) * h(i);
      if (dE <= 0.0 || unit(e) < std::exp(-beta * dE)) next = -s(i);
    }
    if (next != s(i)) {
      h += (next - s(i)) * W.col(i);  // W_ii = 0: h_i itself does not move
      s(i) = next;
    }
  }
}

}  // namespace

void BoltzmannMachine::sweep(Eigen::VectorXd& s, SpinUpdate update, Scan scan, Rng& rng) const {
  check_spins(s, size(), "BoltzmannMachine::sweep");
  Eigen::VectorXd h = W_ * s + b_;
  sweep_fields(W_, temperature_, s, h, update, scan, rng);
}

double BoltzmannMachine::log_partition() const {
  const Index n = size();
  ENGRAM_CHECK(n <= kMaxEnumerated, "BoltzmannMachine: enumeration needs N <= {}, got N = {}",
               kMaxEnumerated, n);
  const std::uint32_t count = 1u << n;
  Eigen::VectorXd logw(count);
  for (std::uint32_t k = 0; k < count; ++k) {
    const Eigen::VectorXd s = spin_state(k, n);
    logw(k) = (0.5 * s.dot(W_ * s) + b_.dot(s)) / temperature_;
  }
  const double top = logw.maxCoeff();
  return top + std::log((logw.array() - top).exp().sum());
}

Eigen::VectorXd BoltzmannMachine::exact_distribution() const {
  const double log_z = log_partition();
  const Index n = size();
  Eigen::VectorXd p(Index{1} << n);
  for (Index k = 0; k < p.size(); ++k) {
    const Eigen::VectorXd s = spin_state(static_cast<std::uint32_t>(k), n);
    p(k) = std::exp((0.5 * s.dot(W_ * s) + b_.dot(s)) / temperature_ - log_z);
  }
  return p;
}

Eigen::VectorXd BoltzmannMachine::empirical_distribution(SpinUpdate update, Scan scan, Index chains,
                                                         Index samples, Index burn_in, Index thin,
                                                         Rng& rng) const {
  const Index n = size();
  ENGRAM_CHECK(n <= kMaxEnumerated, "empirical_distribution: needs N <= {}, got N = {}",
               kMaxEnumerated, n);
  ENGRAM_CHECK(chains > 0 && samples > 0,
               "empirical_distribution: chains and samples must be > 0, got {} and {}", chains,
               samples);
  ENGRAM_CHECK(burn_in >= 0 && thin >= 1,
               "empirical_distribution: need burn_in >= 0 and thin >= 1, got {} and {}", burn_in,
               thin);
  Eigen::VectorXd counts = Eigen::VectorXd::Zero(Index{1} << n);
  for (Index c = 0; c < chains; ++c) {
    Eigen::VectorXd s = spin_state(static_cast<std::uint32_t>(rng.index(Index{1} << n)), n);
    Eigen::VectorXd h = W_ * s + b_;
    for (Index k = 0; k < burn_in; ++k) sweep_fields(W_, temperature_, s, h, update, scan, rng);
    for (Index m = 0; m < samples; ++m) {
      for (Index k = 0; k < thin; ++k) sweep_fields(W_, temperature_, s, h, update, scan, rng);
      counts(spin_index(s)) += 1.0;
    }
  }
  return counts / counts.sum();
}

Eigen::VectorXd spin_state(std::uint32_t k, Index n) {
  Eigen::VectorXd s(n);
  for (Index i = 0; i < n; ++i) s(i) = (k >> i) & 1u ? 1.0 : -1.0;
  return s;
}

std::uint32_t spin_index(const Eigen::VectorXd& s) {
  ENGRAM_CHECK(s.size() <= 31, "spin_index: at most 31 spins, got {}", s.size());
  std::uint32_t k = 0;
  for (Index i = 0; i < s.size(); ++i)
    if (s(i) > 0) k |= 1u << i;
  return k;
}

double total_variation(const Eigen::VectorXd& p, const Eigen::VectorXd& q) {
  ENGRAM_CHECK(p.size() == q.size(), "total_variation: laws of {} and {} states", p.size(),
               q.size());
  return 0.5 * (p - q).cwiseAbs().sum();
}

double entropy(const Eigen::VectorXd& p) {
  double h = 0;
  for (Index k = 0; k < p.size(); ++k)
    if (p(k) > 0) h -= p(k) * std::log(p(k));
  return h;
}

}  // namespace engram
