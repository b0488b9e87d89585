// ContinuousHopfield recall: explicit Euler on τ du/dt = −u + W V + b (the same steps and stopping
// test as relax() on graph()), and the discrete maps V ← φ(W V + b), synchronous or asynchronous.
#include <algorithm>
#include <numeric>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "engram/models/continuous_hopfield.hpp"
#include "engram/neurons/sigmoid.hpp"
#include "engram/neurons/softplus.hpp"
#include "engram/neurons/tanh.hpp"
#include "unit_sweep.hpp"

namespace engram {
namespace {

/// φ of one unit through the Lagrangian family's own scalar activation.
template <class T>
T phi_unit(const Lagrangian<T>& L, ContinuousActivation a, T x) {
  switch (a) {
    case ContinuousActivation::tanh:
      return static_cast<const Tanh<T>&>(L).phi(x);
    case ContinuousActivation::sigmoid:
      return static_cast<const Sigmoid<T>&>(L).phi(x);
    case ContinuousActivation::softplus:
      return static_cast<const Softplus<T>&>(L).phi(x);
  }
  return x;
}

}  // namespace

template <class T>
Retrieval<T> ContinuousHopfield<T>::recall(const MatCRef<T>& cues,
                                           const ContinuousRecallOptions& options) const {
  const char* who = "ContinuousHopfield::recall";
  ENGRAM_CHECK(cues.rows() > 0 && cues.cols() == size(),
               "{}: cues must be B x {} with B > 0, got {}x{}", who, size(), cues.rows(),
               cues.cols());
  check_finite(cues, fmt::format("{}: cues", who));
  check_positive(options.dt, fmt::format("{}: dt", who));
  ENGRAM_CHECK(options.max_steps >= 0, "{}: max_steps must be >= 0, got {}", who,
               options.max_steps);
  if (options.tolerance)
    ENGRAM_CHECK(std::isfinite(*options.tolerance) && *options.tolerance >= 0,
                 "{}: tolerance must be finite and >= 0, got {}", who, *options.tolerance);
  const double m = options.cue_margin;
  ENGRAM_CHECK(m > 0 && m < 0.5, "{}: cue_margin must be in (0, 0.5), got {}", who, m);
  const double tol =
      options.tolerance.value_or(std::sqrt(static_cast<double>(Eigen::NumTraits<T>::epsilon())));

  // The first outputs: the cues clipped `m` inside φ's range.
  const T lo = static_cast<T>(activation_ == ContinuousActivation::tanh ? -1.0 + m : m);
  const T hi = static_cast<T>(activation_ == ContinuousActivation::softplus ? INFINITY : 1.0 - m);
  Mat<T> V = cues.unaryExpr([lo, hi](T v) { return std::clamp(v, lo, hi); });
  if (options.mode == ContinuousMode::continuous)
    return recall_continuous(std::move(V), options, tol);
  return recall_discrete(std::move(V), options, tol);
}

template <class T>
Retrieval<T> ContinuousHopfield<T>::recall_continuous(Mat<T> V, const ContinuousRecallOptions& o,
                                                      double tol) const {
  const Index B = V.rows();
  Mat<T> u = internal(V), G, VW;
  Energies energy;
  auto evaluate = [&] {  // V = φ(u), G = ∂E/∂V = u − W V − b (= −τ du/dt), E via Legendre
    lagrangian_->activation(u, V);
    VW.noalias() = V * W_;
    G = u - VW;
    G.rowwise() -= b_.row(0);
    // M-11 via the Legendre transform (unchecked: a diverging sample is stopped, not thrown).
    energy = synapse_term(V, VW) + lagrangian_->energy(u);
  };

  enum class Status { running, converged, stopped };
  std::vector<Status> status(static_cast<std::size_t>(B), Status::running);
  Retrieval<T> out;
  out.steps.assign(B, 0);
  // relax()'s test: max|du/dt| ≤ tol·(1 + max|u|); a non-finite sample is stopped (diverged).
  auto update_status = [&] {
    bool any = false;
    for (Index b = 0; b < B; ++b) {
      if (status[b] != Status::running) continue;
      if (!std::isfinite(energy(b)) || !G.row(b).allFinite() || !u.row(b).allFinite()) {
        status[b] = Status::stopped;
        continue;
      }
      const double speed = static_cast<double>(G.row(b).cwiseAbs().maxCoeff()) / tau_;
      const double scale = static_cast<double>(u.row(b).cwiseAbs().maxCoeff());
      if (speed <= tol * (1.0 + scale)) status[b] = Status::converged;
      any = any || status[b] == Status::running;
    }
    return any;
  };

  evaluate();
  std::vector<Eigen::VectorXd> rows{energy};
  const T coefficient = static_cast<T>(o.dt) * (T(1) / static_cast<T>(tau_));
  for (int step = 0; step < o.max_steps && update_status(); ++step) {
    for (Index b = 0; b < B; ++b)  // M-11: u ← u + (dt/τ)(−u + W V + b)
      if (status[b] == Status::running) {
        u.row(b) -= coefficient * G.row(b);
        ++out.steps[b];
      }
    evaluate();
    rows.push_back(energy);
  }
  update_status();
  out.states = std::move(V);
  for (Status s : status) out.converged.push_back(s == Status::converged);
  out.energy_trace = detail::stack_rows(rows, B);
  return out;
}

template <class T>
Retrieval<T> ContinuousHopfield<T>::recall_discrete(Mat<T> V, const ContinuousRecallOptions& o,
                                                    double tol) const {
  const Index B = V.rows(), N = size();
  const bool asynchronous = o.mode == ContinuousMode::discrete_asynchronous;
  Retrieval<T> out;
  out.steps.assign(B, 0);
  out.converged.assign(B, false);
  std::vector<Rng> rngs = asynchronous ? detail::sample_streams(o.seed, B) : std::vector<Rng>{};
  std::vector<Index> order(static_cast<std::size_t>(N));
  std::vector<Index> active(static_cast<std::size_t>(B));
  std::iota(active.begin(), active.end(), Index{0});
  std::vector<Eigen::VectorXd> rows;
  Eigen::VectorXd current(B);
  Mat<T> S, H, next;
  for (int pass = 0; !active.empty(); ++pass) {
    S.resize(static_cast<Index>(active.size()), N);
    for (std::size_t k = 0; k < active.size(); ++k) S.row(k) = V.row(active[k]);
    H = S * W_;  // fields W V + b (the diagonal included: the map as written)
    H.rowwise() += b_.row(0);
    next = lagrangian_->activation(H);
    // E(V) in closed form; −½VᵀWV − bᵀV = −½ V·(H − b) − b·V.
    const Mat<T> SW = H.rowwise() - b_.row(0);
    const Energies e = synapse_term(S, SW) + integral_term(S, nullptr);
    std::vector<Index> still;
    for (std::size_t k = 0; k < active.size(); ++k) {
      const Index b = active[k];
      current(b) = e(k);
      if (static_cast<double>((next.row(k) - S.row(k)).cwiseAbs().maxCoeff()) <= tol) {
        out.converged[b] = true;
        continue;
      }
      if (pass >= o.max_steps || !next.row(k).allFinite()) continue;
      if (!asynchronous) {
        V.row(b) = next.row(k);  // M-11: V ← φ(W V + b)
      } else {
        // One sweep in random order: V_i ← φ(h_i), then h += W[:, i] ΔV_i.
        detail::random_order_sweep(V.row(b), H.row(k), W_, order, rngs[b], [this](T, T h) {
          return phi_unit(*lagrangian_, activation_, h);
        });
      }
      ++out.steps[b];
      still.push_back(b);
    }
    rows.push_back(current);
    active = std::move(still);
  }
  out.states = std::move(V);
  out.energy_trace = detail::stack_rows(rows, B);
  return out;
}

template Retrieval<float> ContinuousHopfield<float>::recall(const MatCRef<float>&,
                                                            const ContinuousRecallOptions&) const;
template Retrieval<double> ContinuousHopfield<double>::recall(const MatCRef<double>&,
                                                              const ContinuousRecallOptions&) const;
template Retrieval<float> ContinuousHopfield<float>::recall_continuous(
    Mat<float>, const ContinuousRecallOptions&, double) const;
template Retrieval<double> ContinuousHopfield<double>::recall_continuous(
    Mat<double>, const ContinuousRecallOptions&, double) const;
template Retrieval<float> ContinuousHopfield<float>::recall_discrete(Mat<float>,
                                                                     const ContinuousRecallOptions&,
                                                                     double) const;
template Retrieval<double> ContinuousHopfield<double>::recall_discrete(
    Mat<double>, const ContinuousRecallOptions&, double) const;

}  // namespace engram
