// ClassicalHopfield recall: the synchronous loop (shared by the plain GEMM step and the bit-packed
// step, so both count steps and detect fixed points and 2-cycles the same way) and the
// asynchronous sweeps with an incrementally maintained field.
#include <algorithm>
#include <numeric>

#include "../synapses/bilinear.hpp"
#include "classical_packed.hpp"
#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "engram/models/classical_hopfield.hpp"
#include "unit_sweep.hpp"

namespace engram {
namespace {

template <class T>
void check_cues(const MatCRef<T>& cues, Index N) {
  ENGRAM_CHECK(cues.rows() > 0 && cues.cols() == N,
               "ClassicalHopfield::recall: cues must be B x {} with B > 0, got {}x{}", N,
               cues.rows(), cues.cols());
  for (Index b = 0; b < cues.rows(); ++b)
    for (Index i = 0; i < N; ++i) {
      const T v = cues(b, i);
      ENGRAM_CHECK(v == T(1) || v == T(-1) || v == T(0),
                   "ClassicalHopfield::recall: cues must hold -1, 0 or +1, got {} at ({}, {})",
                   static_cast<double>(v), b, i);
    }
}

/// M-10 synchronous recall. `step(S, next, energy)` writes sign(W S) (ties kept) into `next` and
/// the energy of S into `energy`. Pass t evaluates the state after t updates, so the last pass of
/// a sample gives both its final energy and whether it is a fixed point.
template <class T, class Step>
Retrieval<T> run_synchronous(const MatCRef<T>& cues, int max_iterations, const Step& step) {
  const Index B = cues.rows(), N = cues.cols();
  Retrieval<T> out;
  out.states = cues;
  out.steps.assign(B, 0);
  out.converged.assign(B, false);
  Mat<T> previous = out.states;  // the state before the current one, to detect 2-cycles
  std::vector<Index> active(static_cast<std::size_t>(B));
  std::iota(active.begin(), active.end(), Index{0});
  std::vector<Eigen::VectorXd> rows;
  Eigen::VectorXd current(B);
  Mat<T> S, next;
  Energies energy;
  for (int pass = 0; !active.empty(); ++pass) {
    S.resize(static_cast<Index>(active.size()), N);
    for (std::size_t k = 0; k < active.size(); ++k) S.row(k) = out.states.row(active[k]);
    step(S, next, energy);
    std::vector<Index> still;
    for (std::size_t k = 0; k < active.size(); ++k) {
      const Index b = active[k];
      current(b) = energy(k);
      if (next.row(k) == S.row(k)) {
        out.converged[b] = true;
      } else if (pass < max_iterations &&
                 !(out.steps[b] > 0 && next.row(k) == previous.row(b))) {  // not a 2-cycle
        previous.row(b) = S.row(k);
        out.states.row(b) = next.row(k);
        ++out.steps[b];
        still.push_back(b);
      }
    }
    rows.push_back(current);
    active = std::move(still);
  }
  out.energy_trace = detail::stack_rows(rows, B);
  return out;
}

}  // namespace

template <class T>
Retrieval<T> ClassicalHopfield<T>::recall(const MatCRef<T>& cues,
                                          const ClassicalRecallOptions& options) const {
  check_cues(cues, size());
  ENGRAM_CHECK(options.max_iterations >= 0,
               "ClassicalHopfield::recall: max_iterations must be >= 0, got {}",
               options.max_iterations);
  if (options.packed == PackedMode::on) {
    ENGRAM_CHECK(has_packed_path(),
                 "ClassicalHopfield::recall: packed = on needs a model built by from_patterns "
                 "with the hebbian rule, but this one {}",
                 rule_ ? "uses the " + to_string(*rule_) + " rule" : "was built from W");
  }
  const BitKernel kernel = resolve(options.bit_kernel);  // throws for an unsupported choice
  const bool packed = has_packed_path() && options.packed != PackedMode::off;
  if (options.mode == UpdateMode::asynchronous)
    return packed
               ? packed_->recall_asynchronous<T>(cues, options.max_iterations, options.seed, kernel)
               : recall_asynchronous(cues, options);
  if (packed) return packed_->recall_synchronous<T>(cues, options.max_iterations, kernel);
  return run_synchronous<T>(
      cues, options.max_iterations, [this](const Mat<T>& S, Mat<T>& next, Energies& energy) {
        const Mat<T> H = S * W_;  // M-10: h = W s for the batch as one GEMM
        energy = -0.5 * detail::rowwise_dot<T>(S, H);
        next = S.binaryExpr(H, [](T s, T h) { return detail::next_unit(s, h); });
      });
}

template <class T>
Retrieval<T> ClassicalHopfield<T>::recall_asynchronous(const MatCRef<T>& cues,
                                                       const ClassicalRecallOptions& o) const {
  const Index B = cues.rows(), N = size();
  Retrieval<T> out;
  out.states = cues;
  out.steps.assign(B, 0);
  out.converged.assign(B, false);
  std::vector<Rng> rngs = detail::sample_streams(o.seed, B);
  std::vector<Index> order(static_cast<std::size_t>(N));
  std::vector<Index> active(static_cast<std::size_t>(B));
  std::iota(active.begin(), active.end(), Index{0});
  std::vector<Eigen::VectorXd> rows;
  Eigen::VectorXd current(B);
  Mat<T> S, H;
  for (int pass = 0; !active.empty(); ++pass) {
    // Fresh fields and energies for every sample still running: one GEMM per sweep.
    S.resize(static_cast<Index>(active.size()), N);
    for (std::size_t k = 0; k < active.size(); ++k) S.row(k) = out.states.row(active[k]);
    H = S * W_;
    const Energies energy = -0.5 * detail::rowwise_dot<T>(S, H);
    std::vector<Index> still;
    for (std::size_t k = 0; k < active.size(); ++k) {
      const Index b = active[k];
      current(b) = energy(k);
      if (detail::is_fixed_point(S.row(k), H.row(k))) {
        out.converged[b] = true;
        continue;
      }
      if (pass >= o.max_iterations) continue;
      // M-10: one sweep in random order, s_i ← sign(h_i) (ties kept), the field kept up to date.
      detail::random_order_sweep(out.states.row(b), H.row(k), W_, order, rngs[b],
                                 [](T s, T h) { return detail::next_unit(s, h); });
      ++out.steps[b];
      still.push_back(b);
    }
    rows.push_back(current);
    active = std::move(still);
  }
  out.energy_trace = detail::stack_rows(rows, B);
  return out;
}

template Retrieval<float> ClassicalHopfield<float>::recall(const MatCRef<float>&,
                                                           const ClassicalRecallOptions&) const;
template Retrieval<double> ClassicalHopfield<double>::recall(const MatCRef<double>&,
                                                             const ClassicalRecallOptions&) const;
template Retrieval<float> ClassicalHopfield<float>::recall_asynchronous(
    const MatCRef<float>&, const ClassicalRecallOptions&) const;
template Retrieval<double> ClassicalHopfield<double>::recall_asynchronous(
    const MatCRef<double>&, const ClassicalRecallOptions&) const;

}  // namespace engram
