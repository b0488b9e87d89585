#include "engram/learning/rbm_partition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../models/rbm_math.hpp"
#include "engram/core/error.hpp"

namespace engram {
namespace {

using detail::bernoulli;
using detail::logistic;
using detail::softplus;
using detail::softplus_rows;

/// Running log-sum-exp.
struct LogSumExp {
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;
  void add(double x) {
    if (x <= max) {
      sum += std::exp(x - max);
    } else {
      sum = sum * std::exp(max - x) + 1;
      max = x;
    }
  }
  double value() const { return max + std::log(sum); }
};

/// Rows `first`..`first + n` of the binary enumeration of {0,1}^units (bit i of the index is unit
/// i).
Mat<double> binary_states(std::uint64_t first, Index n, Index units) {
  Mat<double> s(n, units);
  for (Index r = 0; r < n; ++r)
    for (Index i = 0; i < units; ++i) s(r, i) = static_cast<double>(((first + r) >> i) & 1U);
  return s;
}

}  // namespace

template <class T>
double exact_log_partition(const BernoulliRBM<T>& rbm) {
  const Index V = rbm.visible(), H = rbm.hidden();
  const bool over_hidden = H <= V;
  const Index units = std::min(V, H);
  ENGRAM_CHECK(units <= kMaxEnumeratedUnits,
               "exact_log_partition: the smaller layer has {} units; enumeration is limited to {} "
               "(use ais_log_partition)",
               units, kMaxEnumeratedUnits);
  const Mat<double> W = rbm.W().template cast<double>();
  const Mat<double> b = rbm.b().template cast<double>(), c = rbm.c().template cast<double>();
  // Enumerated layer x with bias u, other layer's field bias w + x K (K = Wᵀ or W).
  const Mat<double>& u = over_hidden ? c : b;
  const Mat<double>& w = over_hidden ? b : c;
  const Mat<double> K = over_hidden ? Mat<double>(W.transpose()) : W;
  const std::uint64_t total = std::uint64_t{1} << units;
  const Index chunk = static_cast<Index>(std::min<std::uint64_t>(total, 4096));
  LogSumExp lse;
  for (std::uint64_t first = 0; first < total; first += static_cast<std::uint64_t>(chunk)) {
    const Mat<double> x = binary_states(first, chunk, units);
    const Mat<double> a = (x * K).rowwise() + w.row(0);
    const Eigen::VectorXd terms = x * u.transpose() + softplus_rows(a);
    for (Index r = 0; r < chunk; ++r) lse.add(terms(r));
  }
  return lse.value();
}

std::vector<double> ais_schedule(Index count) {
  ENGRAM_CHECK(count >= 2, "ais_schedule: count must be >= 2, got {}", count);
  if (count < 10) {
    std::vector<double> betas(static_cast<std::size_t>(count));
    for (Index k = 0; k < count; ++k) betas[k] = static_cast<double>(k) / (count - 1);
    return betas;
  }
  const Index n1 = count / 10, n2 = 4 * count / 10, n3 = count - n1 - n2;
  std::vector<double> betas;
  betas.reserve(static_cast<std::size_t>(count));
  for (Index k = 0; k < n1; ++k) betas.push_back(0.5 * k / n1);
  for (Index k = 0; k < n2; ++k) betas.push_back(0.5 + 0.4 * k / n2);
  for (Index k = 0; k < n3; ++k) betas.push_back(0.9 + 0.1 * k / (n3 - 1));
  return betas;
}

template <class T>
Mat<T> base_rate_biases(const MatCRef<T>& data) {
  ENGRAM_CHECK(data.rows() > 0 && data.cols() > 0,
               "base_rate_biases: data must be N x V with N, V > 0, got {}x{}", data.rows(),
               data.cols());
  check_finite(data, "base_rate_biases: data");
  ENGRAM_CHECK(data.minCoeff() >= 0 && data.maxCoeff() <= 1,
               "base_rate_biases: data must lie in [0, 1], found values in [{}, {}]",
               static_cast<double>(data.minCoeff()), static_cast<double>(data.maxCoeff()));
  const Eigen::RowVectorXd p = (data.template cast<double>().colwise().sum().array() + 1.0) /
                               (static_cast<double>(data.rows()) + 2.0);
  return (p.array() / (1.0 - p.array())).log().matrix().template cast<T>();
}

template <class T>
AisResult ais_log_partition(const BernoulliRBM<T>& rbm, const MatCRef<T>& base_biases,
                            const AisOptions& options) {
  const Index V = rbm.visible(), H = rbm.hidden(), M = options.runs;
  check_shape(base_biases, 1, V, "ais_log_partition: base_biases");
  check_finite(base_biases, "ais_log_partition: base_biases");
  ENGRAM_CHECK(M >= 2, "ais_log_partition: runs must be >= 2, got {}", M);
  const std::vector<double> betas =
      options.schedule.empty() ? ais_schedule(options.betas) : options.schedule;
  ENGRAM_CHECK(betas.size() >= 2 && betas.front() == 0.0 && betas.back() == 1.0,
               "ais_log_partition: schedule must run from 0 to 1 with at least 2 points");
  for (std::size_t k = 1; k < betas.size(); ++k)
    ENGRAM_CHECK(betas[k] > betas[k - 1],
                 "ais_log_partition: schedule must increase strictly, got {} then {} at {}",
                 betas[k - 1], betas[k], k);
  const Mat<T> bA = base_biases;
  const Mat<T>& W = rbm.W();
  const Mat<T>& b = rbm.b();
  const Mat<T>& c = rbm.c();
  Rng rng(options.seed);
  // log p_k*(v) = (1−β) b_Aᵀv + β bᵀv + Σ_j softplus(β a_j), a = c + vW (shared by every k).
  auto log_p = [&](double beta, const Mat<T>& a, const Eigen::VectorXd& vbA,
                   const Eigen::VectorXd& vb) {
    Eigen::VectorXd out = (1 - beta) * vbA + beta * vb;
    for (Index r = 0; r < a.rows(); ++r)
      for (Index j = 0; j < H; ++j) out(r) += softplus(beta * static_cast<double>(a(r, j)));
    return out;
  };
  Mat<T> v = bernoulli(logistic<T>(bA.replicate(M, 1)), rng);
  Eigen::VectorXd log_w = Eigen::VectorXd::Zero(M);
  for (std::size_t k = 1; k < betas.size(); ++k) {
    const Mat<T> a = (v * W).rowwise() + c.row(0);
    const Eigen::VectorXd vbA = v.template cast<double>() * bA.template cast<double>().transpose();
    const Eigen::VectorXd vb = v.template cast<double>() * b.template cast<double>().transpose();
    log_w += log_p(betas[k], a, vbA, vb) - log_p(betas[k - 1], a, vbA, vb);
    if (k + 1 == betas.size()) break;
    const T beta = static_cast<T>(betas[k]);  // one Gibbs step leaving p_k invariant
    const Mat<T> h = bernoulli(logistic<T>(beta * a), rng);
    const Mat<T> bias = (T(1) - beta) * bA + beta * b;
    const Mat<T> field = (beta * (h * W.transpose())).rowwise() + bias.row(0);
    v = bernoulli(logistic<T>(field), rng);
  }
  AisResult r;
  r.log_z_base = H * std::log(2.0);
  for (Index i = 0; i < V; ++i) r.log_z_base += softplus(static_cast<double>(bA(0, i)));
  const double top = log_w.maxCoeff();
  const Eigen::ArrayXd w = (log_w.array() - top).exp();
  const double mean = w.mean();
  const double sd = std::sqrt((w - mean).square().sum() / static_cast<double>(M - 1));
  const double spread = 3 * sd / std::sqrt(static_cast<double>(M));
  r.log_z = r.log_z_base + top + std::log(mean);
  r.log_z_low = mean > spread ? r.log_z_base + top + std::log(mean - spread)
                              : -std::numeric_limits<double>::infinity();
  r.log_z_high = r.log_z_base + top + std::log(mean + spread);
  r.log_weights.assign(log_w.data(), log_w.data() + M);
  return r;
}

template <class T>
double average_log_likelihood(const BernoulliRBM<T>& rbm, const MatCRef<T>& data, double log_z) {
  ENGRAM_CHECK(data.rows() > 0, "average_log_likelihood: data has no rows");
  ENGRAM_CHECK(std::isfinite(log_z), "average_log_likelihood: log_z must be finite, got {}", log_z);
  return -rbm.free_energy(data).mean() - log_z;
}

#define ENGRAM_INSTANTIATE(T)                                                     \
  template double exact_log_partition(const BernoulliRBM<T>&);                    \
  template Mat<T> base_rate_biases(const MatCRef<T>&);                            \
  template AisResult ais_log_partition(const BernoulliRBM<T>&, const MatCRef<T>&, \
                                       const AisOptions&);                        \
  template double average_log_likelihood(const BernoulliRBM<T>&, const MatCRef<T>&, double);
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram
