#include "classical_packed.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

#include "../core/parallel.hpp"
#include "bit_kernels.hpp"
#include "engram/core/error.hpp"
#include "unit_sweep.hpp"

namespace engram::detail {
namespace {

constexpr Index kBits = 64;

/// Packs one row of ±1/0 values: a sign bit (set for −1) and a known bit (set for ±1) per unit.
template <class Row>
void pack_row(const Row& row, Index words, std::uint64_t* sign, std::uint64_t* known) {
  std::fill(sign, sign + words, 0);
  std::fill(known, known + words, 0);
  for (Index i = 0; i < row.size(); ++i) {
    const std::uint64_t bit = std::uint64_t{1} << (i % kBits);
    if (row(i) < 0) sign[i / kBits] |= bit;
    if (row(i) != 0) known[i / kBits] |= bit;
  }
}

template <class Row>
void unpack_row(const std::uint64_t* sign, const std::uint64_t* known, Row row) {
  using T = typename Row::Scalar;
  for (Index i = 0; i < row.size(); ++i) {
    const std::uint64_t bit = std::uint64_t{1} << (i % kBits);
    row(i) = (known[i / kBits] & bit) ? ((sign[i / kBits] & bit) ? T(-1) : T(1)) : T(0);
  }
}

Index popcount(const std::uint64_t* words, Index n) {
  Index c = 0;
  for (Index w = 0; w < n; ++w) c += std::popcount(words[w]);
  return c;
}

/// M-10: E = −(Σ_μ m_μ² − P·|known|) / (2N), in double (Σ m² reaches P·N², beyond float).
template <class Overlaps>
double packed_energy(const Overlaps& m, Index P, Index known, Index N) {
  return -(m.template cast<double>().squaredNorm() -
           static_cast<double>(P) * static_cast<double>(known)) /
         (2.0 * static_cast<double>(N));
}

}  // namespace

PackedPatterns::PackedPatterns(const Mat<double>& patterns)
    : P_(patterns.rows()),
      N_(patterns.cols()),
      words_((patterns.cols() + kBits - 1) / kBits),
      bits_(static_cast<std::size_t>(patterns.rows() * words_)) {
  // |Σ_μ ξ_μi m_μ| ≤ P·N: below 2^24 every field is exact in float, at twice the speed.
  if (P_ * N_ < (Index{1} << 24)) {
    xi_float_ = patterns.cast<float>();
    xi_t_float_ = xi_float_.transpose();
  } else {
    xi_double_ = patterns;
    xi_t_double_ = patterns.transpose();
  }
  std::vector<std::uint64_t> known(static_cast<std::size_t>(words_));
  for (Index mu = 0; mu < P_; ++mu)
    pack_row(patterns.row(mu), words_, bits_.data() + mu * words_, known.data());
}

template <class T>
Retrieval<T> PackedPatterns::recall_synchronous(const MatCRef<T>& cues, int max_iterations,
                                                BitKernel kernel) const {
  return xi_float_.size() > 0 ? synchronous<float, T>(cues, max_iterations, kernel, xi_float_)
                              : synchronous<double, T>(cues, max_iterations, kernel, xi_double_);
}

template <class T>
Retrieval<T> PackedPatterns::recall_asynchronous(const MatCRef<T>& cues, int max_iterations,
                                                 std::uint64_t seed, BitKernel kernel) const {
  return xi_float_.size() > 0
             ? asynchronous<float, T>(cues, max_iterations, seed, kernel, xi_t_float_)
             : asynchronous<double, T>(cues, max_iterations, seed, kernel, xi_t_double_);
}

template <class F, class T>
Retrieval<T> PackedPatterns::synchronous(const MatCRef<T>& cues, int max_iterations,
                                         BitKernel kernel, const Mat<F>& xi) const {
  ENGRAM_ASSERT(cues.cols() == N_);
  const Index B = cues.rows(), W = words_;
  const auto row_words = [W](std::vector<std::uint64_t>& v, Index b) { return v.data() + b * W; };
  std::vector<std::uint64_t> sign(static_cast<std::size_t>(B * W)), known(sign.size());
  for (Index b = 0; b < B; ++b) pack_row(cues.row(b), W, row_words(sign, b), row_words(known, b));
  std::vector<std::uint64_t> prev_sign = sign, prev_known = known;
  // Every unit is known after its first update: the known bits of all N units.
  std::vector<std::uint64_t> all(static_cast<std::size_t>(W), ~std::uint64_t{0});
  if (N_ % kBits) all.back() = (std::uint64_t{1} << (N_ % kBits)) - 1;
  std::vector<std::uint64_t> next(static_cast<std::size_t>(W));
  std::vector<std::int32_t> differ(static_cast<std::size_t>(P_));

  Retrieval<T> out;
  out.steps.assign(B, 0);
  out.converged.assign(B, false);
  std::vector<Index> active(static_cast<std::size_t>(B));
  std::iota(active.begin(), active.end(), Index{0});
  std::vector<Eigen::VectorXd> rows;
  Eigen::VectorXd current(B);
  Mat<F> M, H;
  const auto same = [W](const std::uint64_t* a, const std::uint64_t* b) {
    return std::equal(a, a + W, b);
  };
  for (int pass = 0; !active.empty(); ++pass) {
    const Index n = static_cast<Index>(active.size());
    M.resize(n, P_);
    for (Index k = 0; k < n; ++k) {  // m_μ = |known| − 2·#disagreeing known units
      const Index b = active[k];
      const Index known_count = popcount(row_words(known, b), W);
      count_disagreements(kernel, bits_.data(), P_, W, row_words(sign, b), row_words(known, b),
                          differ.data());
      for (Index mu = 0; mu < P_; ++mu) M(k, mu) = static_cast<F>(known_count - 2 * differ[mu]);
      current(b) = packed_energy(M.row(k), P_, known_count, N_);
    }
    H.noalias() = M * xi;  // M-10: N h + P s = Σ_μ ξ_μi m_μ, exact integers
    std::vector<Index> still;
    for (Index k = 0; k < n; ++k) {
      const Index b = active[k];
      std::uint64_t *s = row_words(sign, b), *kn = row_words(known, b);
      next_signs(kernel, H.row(k).data(), N_, static_cast<F>(P_), s, kn, next.data());
      const bool fixed = same(next.data(), s) && same(all.data(), kn);
      const bool two_cycle = out.steps[b] > 0 && same(next.data(), row_words(prev_sign, b)) &&
                             same(all.data(), row_words(prev_known, b));
      if (fixed) {
        out.converged[b] = true;
      } else if (pass < max_iterations && !two_cycle) {
        std::copy(s, s + W, row_words(prev_sign, b));
        std::copy(kn, kn + W, row_words(prev_known, b));
        std::copy(next.begin(), next.end(), s);
        std::copy(all.begin(), all.end(), kn);
        ++out.steps[b];
        still.push_back(b);
      }
    }
    rows.push_back(current);
    active = std::move(still);
  }
  out.states.resize(B, N_);
  for (Index b = 0; b < B; ++b)
    unpack_row(row_words(sign, b), row_words(known, b), out.states.row(b));
  out.energy_trace = stack_rows(rows, B);
  return out;
}

template <class F, class T>
Retrieval<T> PackedPatterns::asynchronous(const MatCRef<T>& cues, int max_iterations,
                                          std::uint64_t seed, BitKernel kernel,
                                          const Mat<F>& xi_t) const {
  ENGRAM_ASSERT(cues.cols() == N_);
  const Index B = cues.rows(), W = words_;
  const F P = static_cast<F>(P_);
  std::vector<Rng> rngs = sample_streams(seed, B);
  Retrieval<T> out;
  out.states = cues;
  out.steps.assign(B, 0);
  out.converged.assign(B, false);
  std::vector<std::vector<double>> energies(static_cast<std::size_t>(B));
  std::vector<char> converged(static_cast<std::size_t>(B), 0);  // vector<bool> is not thread-safe

  // Samples are independent (each has its own stream), so they run on all cores.
  parallel_ranges(B, 8, [&](Index begin, Index end) {
    Eigen::Matrix<F, 1, Eigen::Dynamic> m(P_);
    std::vector<std::uint64_t> sign(static_cast<std::size_t>(W)), known(sign.size());
    std::vector<std::int32_t> differ(static_cast<std::size_t>(P_));
    std::vector<Index> order(static_cast<std::size_t>(N_));
    std::vector<F> s(static_cast<std::size_t>(N_));
    for (Index b = begin; b < end; ++b) {
      for (Index i = 0; i < N_; ++i) s[i] = static_cast<F>(cues(b, i));
      pack_row(cues.row(b), W, sign.data(), known.data());
      Index known_count = popcount(known.data(), W);
      count_disagreements(kernel, bits_.data(), P_, W, sign.data(), known.data(), differ.data());
      for (Index mu = 0; mu < P_; ++mu) m(mu) = static_cast<F>(known_count - 2 * differ[mu]);
      // M-10: N h_i = Ξ[:, i]·m − P s_i.
      const auto field = [&](Index i) { return xi_t.row(i).dot(m) - P * s[i]; };
      for (int pass = 0;; ++pass) {
        energies[b].push_back(packed_energy(m, P_, known_count, N_));
        if (pass >= max_iterations) {  // out of sweeps: converged only if already a fixed point
          bool fixed = true;
          for (Index i = 0; i < N_ && fixed; ++i) fixed = next_unit(s[i], field(i)) == s[i];
          converged[b] = fixed;
          break;
        }
        std::iota(order.begin(), order.end(), Index{0});
        std::shuffle(order.begin(), order.end(), rngs[b].engine());
        Index flips = 0;
        for (Index i : order) {  // one sweep; the overlaps follow every flip
          const F updated = next_unit(s[i], field(i));
          if (updated == s[i]) continue;
          if (s[i] == F(0)) ++known_count;
          m.noalias() += (updated - s[i]) * xi_t.row(i);
          s[i] = updated;
          ++flips;
        }
        if (flips == 0) {  // the sweep changed nothing: it was a fixed point
          converged[b] = true;
          break;
        }
        ++out.steps[b];
      }
      for (Index i = 0; i < N_; ++i) out.states(b, i) = static_cast<T>(s[i]);
    }
  });

  std::size_t passes = 0;
  for (const auto& e : energies) passes = std::max(passes, e.size());
  out.energy_trace.resize(static_cast<Index>(passes), B);
  for (Index b = 0; b < B; ++b) {
    out.converged[b] = converged[b] != 0;
    const auto& e = energies[b];
    for (std::size_t t = 0; t < passes; ++t)
      out.energy_trace(static_cast<Index>(t), b) = e[std::min(t, e.size() - 1)];
  }
  return out;
}

#define ENGRAM_INSTANTIATE(T)                                                                    \
  template Retrieval<T> PackedPatterns::recall_synchronous<T>(const MatCRef<T>&, int, BitKernel) \
      const;                                                                                     \
  template Retrieval<T> PackedPatterns::recall_asynchronous<T>(const MatCRef<T>&, int,           \
                                                               std::uint64_t, BitKernel) const;
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram::detail
