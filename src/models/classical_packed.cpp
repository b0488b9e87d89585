#include "classical_packed.hpp"

#include <bit>
#include <type_traits>

#include "engram/core/error.hpp"

namespace engram::detail {
namespace {

constexpr Index kBits = 64;

/// Packs one row of ±1/0 values: a sign bit (set for −1) and a known bit (set for ±1) per unit.
template <class Row>
void pack_row(const Row& row, Index words, std::uint64_t* sign, std::uint64_t* known) {
  for (Index w = 0; w < words; ++w) sign[w] = known[w] = 0;
  for (Index i = 0; i < row.size(); ++i) {
    const std::uint64_t bit = std::uint64_t{1} << (i % kBits);
    if (row(i) < 0) sign[i / kBits] |= bit;
    if (row(i) != 0) known[i / kBits] |= bit;
  }
}

}  // namespace

PackedPatterns::PackedPatterns(const Mat<double>& patterns)
    : words_((patterns.cols() + kBits - 1) / kBits),
      bits_(static_cast<std::size_t>(patterns.rows() * words_)),
      xi_(patterns) {
  // |Σ_μ ξ_μi m_μ| ≤ P·N: below 2^24 the field GEMM is exact in float, at twice the speed.
  if (patterns.rows() * patterns.cols() < (Index{1} << 24)) xi_float_ = patterns.cast<float>();
  std::vector<std::uint64_t> known(static_cast<std::size_t>(words_));
  for (Index mu = 0; mu < patterns.rows(); ++mu)
    pack_row(patterns.row(mu), words_, bits_.data() + mu * words_, known.data());
}

template <class T>
void PackedPatterns::overlaps(const MatCRef<T>& states, Mat<double>& M) const {
  ENGRAM_ASSERT(states.cols() == size());
  const Index B = states.rows(), P = count();
  std::vector<std::uint64_t> sign(static_cast<std::size_t>(words_)), known(sign.size());
  M.resize(B, P);
  for (Index b = 0; b < B; ++b) {
    pack_row(states.row(b), words_, sign.data(), known.data());
    std::int64_t known_count = 0;
    for (Index w = 0; w < words_; ++w) known_count += std::popcount(known[w]);
    for (Index mu = 0; mu < P; ++mu) {
      // ξ·s = (#agreeing known units) − (#disagreeing known units) = |known| − 2·#disagreeing.
      const std::uint64_t* x = bits_.data() + mu * words_;
      std::int64_t differ = 0;
      for (Index w = 0; w < words_; ++w) differ += std::popcount((x[w] ^ sign[w]) & known[w]);
      M(b, mu) = static_cast<double>(known_count - 2 * differ);
    }
  }
}

template <class T>
void PackedPatterns::step(const MatCRef<T>& states, Mat<T>& next, Energies& energy) const {
  const Index B = states.rows(), N = size();
  const double P = static_cast<double>(count());
  Mat<double> M;
  overlaps<T>(states, M);
  next.resize(B, N);
  energy.resize(B);
  // M-10: N h_i = Σ_μ ξ_μi m_μ − P s_i; only its sign and whether it is 0 matter.
  auto apply = [&](const auto& H) {  // H = M Ξ (B × N), integers
    using F = typename std::decay_t<decltype(H)>::Scalar;
    for (Index b = 0; b < B; ++b)
      for (Index i = 0; i < N; ++i)
        next(b, i) =
            next_unit(states(b, i), H(b, i) - static_cast<F>(P) * static_cast<F>(states(b, i)));
  };
  if (xi_float_.size() > 0)  // every partial sum is an integer below 2^24: exact in float
    apply(Mat<float>(M.cast<float>() * xi_float_));
  else
    apply(Mat<double>(M * xi_));
  for (Index b = 0; b < B; ++b) {
    double known = 0.0;
    for (Index i = 0; i < N; ++i) known += std::abs(static_cast<double>(states(b, i)));
    energy(b) = -(M.row(b).squaredNorm() - P * known) / (2.0 * static_cast<double>(N));
  }
}

template void PackedPatterns::overlaps<float>(const MatCRef<float>&, Mat<double>&) const;
template void PackedPatterns::overlaps<double>(const MatCRef<double>&, Mat<double>&) const;
template void PackedPatterns::step<float>(const MatCRef<float>&, Mat<float>&, Energies&) const;
template void PackedPatterns::step<double>(const MatCRef<double>&, Mat<double>&, Energies&) const;

}  // namespace engram::detail
