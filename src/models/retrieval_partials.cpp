#include "engram/models/retrieval_partials.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engram/core/error.hpp"

namespace engram {
namespace {

/// e^{from − to} for a running maximum `to` ≥ `from`, with e^{−∞ − (−∞)} taken as 0 (an empty
/// partial carries no weight).
template <class T>
T rescale(T from, T to) {
  return from == -std::numeric_limits<T>::infinity() ? T(0) : std::exp(from - to);
}

template <class T>
void check_partial(const LsePartial<T>& p, const char* who) {
  ENGRAM_CHECK(p.max.size() == p.sum.size() && p.max.size() == p.weighted.rows(),
               "{}: inconsistent partial: {} maxima, {} sums, {} weighted rows", who, p.max.size(),
               p.sum.size(), p.weighted.rows());
}

}  // namespace

template <class T>
LsePartial<T> LsePartial<T>::empty(Index batch, Index dim) {
  ENGRAM_CHECK(batch >= 0 && dim >= 0, "LsePartial::empty: negative size {}x{}", batch, dim);
  return {Vec<T>::Constant(batch, -std::numeric_limits<T>::infinity()), Vec<T>::Zero(batch),
          Mat<T>::Zero(batch, dim)};
}

template <class T>
void lse_accumulate(LsePartial<T>& acc, const MatCRef<T>& xi_block, const MatCRef<T>& queries,
                    double beta, Mat<T>& logits) {
  check_partial(acc, "lse_accumulate");
  const Index B = queries.rows(), K = xi_block.rows(), D = queries.cols();
  ENGRAM_CHECK(xi_block.cols() == D, "lse_accumulate: xi_block has {} columns but queries have {}",
               xi_block.cols(), D);
  check_shape(acc.weighted, B, D, "lse_accumulate: acc.weighted (queries' shape)");
  check_positive(beta, "lse_accumulate: beta");
  if (K == 0) return;
  if (logits.rows() < B || logits.cols() < K)
    logits.resize(std::max(B, logits.rows()), std::max(K, logits.cols()));
  auto L = logits.topLeftCorner(B, K);
  L.noalias() = queries * xi_block.transpose();  // overlaps m = Q Ξ_bᵀ
  L *= static_cast<T>(beta);
  for (Index b = 0; b < B; ++b) {
    // M-12: the running maximum keeps every exponent ≤ 0; older terms are rescaled to it.
    const T top = std::max(acc.max(b), L.row(b).maxCoeff());
    const T scale = rescale(acc.max(b), top);
    L.row(b) = (L.row(b).array() - top).exp().matrix();
    acc.sum(b) = acc.sum(b) * scale + L.row(b).sum();
    if (scale != T(1)) acc.weighted.row(b) *= scale;
    acc.max(b) = top;
  }
  acc.weighted.noalias() += L * xi_block;
}

template <class T>
LsePartial<T> lse_partial(const MatCRef<T>& xi_block, const MatCRef<T>& queries, double beta) {
  LsePartial<T> p = LsePartial<T>::empty(queries.rows(), queries.cols());
  Mat<T> logits;
  lse_accumulate<T>(p, xi_block, queries, beta, logits);
  return p;
}

template <class T>
LsePartial<T> lse_merge(const LsePartial<T>& a, const LsePartial<T>& b) {
  check_partial(a, "lse_merge");
  check_partial(b, "lse_merge");
  ENGRAM_CHECK(a.weighted.rows() == b.weighted.rows() && a.weighted.cols() == b.weighted.cols(),
               "lse_merge: partials of different shapes, {}x{} and {}x{}", a.weighted.rows(),
               a.weighted.cols(), b.weighted.rows(), b.weighted.cols());
  LsePartial<T> out = LsePartial<T>::empty(a.weighted.rows(), a.weighted.cols());
  for (Index q = 0; q < a.max.size(); ++q) {
    const T top = std::max(a.max(q), b.max(q));
    const T sa = rescale(a.max(q), top), sb = rescale(b.max(q), top);
    out.max(q) = top;
    out.sum(q) = sa * a.sum(q) + sb * b.sum(q);
    out.weighted.row(q) = sa * a.weighted.row(q) + sb * b.weighted.row(q);
  }
  return out;
}

template <class T>
Energies lse_value(const LsePartial<T>& p) {
  check_partial(p, "lse_value");
  Energies out(p.max.size());
  for (Index q = 0; q < p.max.size(); ++q)
    out(q) = static_cast<double>(p.max(q)) + std::log(static_cast<double>(p.sum(q)));
  return out;
}

template <class T>
void lse_average(const LsePartial<T>& p, MatRef<T> out) {
  check_partial(p, "lse_average");
  check_shape(out, p.weighted.rows(), p.weighted.cols(), "lse_average: out");
  for (Index q = 0; q < p.weighted.rows(); ++q) {
    ENGRAM_CHECK(p.sum(q) > T(0), "lse_average: query {} has no memories (empty partial)", q);
    out.row(q) = p.weighted.row(q) / p.sum(q);
  }
}

#define ENGRAM_INSTANTIATE(T)                                                                   \
  template struct LsePartial<T>;                                                                \
  template LsePartial<T> lse_partial<T>(const MatCRef<T>&, const MatCRef<T>&, double);          \
  template LsePartial<T> lse_merge<T>(const LsePartial<T>&, const LsePartial<T>&);              \
  template void lse_accumulate<T>(LsePartial<T>&, const MatCRef<T>&, const MatCRef<T>&, double, \
                                  Mat<T>&);                                                     \
  template Energies lse_value<T>(const LsePartial<T>&);                                         \
  template void lse_average<T>(const LsePartial<T>&, MatRef<T>);
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram
