// Log-sum-exp retrieval partials (SPEC M-12; DESIGN.md, "Growing past one machine"): shards of
// memories merge to the unsplit answer in any grouping, and agree with the memory synapse.
#include <engram/models/retrieval_partials.hpp>
#include <engram/synapses/memory.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

struct Data {
  Mat<double> xi, queries;
};

Data make_data(std::uint64_t seed, double query_scale = 1.0) {
  Rng rng(seed);
  return {rng.normal<double>(23, 7), rng.normal<double>(5, 7, 0.0, query_scale)};
}

template <class T>
void expect_same(const LsePartial<T>& a, const LsePartial<T>& b, double tol) {
  // Partials are defined up to their common factor e^{max}: compare the finished quantities.
  EXPECT_LT(test::max_relative_gap(lse_value<T>(a), lse_value<T>(b)), tol);
  Mat<T> ya(a.weighted.rows(), a.weighted.cols()), yb(ya.rows(), ya.cols());
  lse_average<T>(a, ya);
  lse_average<T>(b, yb);
  EXPECT_LT(test::max_relative_gap(ya.template cast<double>(), yb.template cast<double>()), tol);
}

TEST(LsePartial, ThreeUnequalShardsMergeToTheUnsplitAnswerInAnyGrouping) {
  for (double scale : {1.0, 1e3}) {  // 1e3: logits of order 1e4, far beyond exp's range
    const Data d = make_data(1, scale);
    const double beta = 0.8;
    const LsePartial<double> whole = lse_partial<double>(d.xi, d.queries, beta);
    // Shards of 11, 2 and 10 memories.
    const LsePartial<double> a = lse_partial<double>(d.xi.topRows(11), d.queries, beta);
    const LsePartial<double> b = lse_partial<double>(d.xi.middleRows(11, 2), d.queries, beta);
    const LsePartial<double> c = lse_partial<double>(d.xi.bottomRows(10), d.queries, beta);
    expect_same(lse_merge(lse_merge(a, b), c), whole, 1e-12);
    expect_same(lse_merge(a, lse_merge(b, c)), whole, 1e-12);
    expect_same(lse_merge(lse_merge(c, a), b), whole, 1e-12);
    // The raw statistics too (the merged maximum is the overall one).
    const LsePartial<double> m = lse_merge(lse_merge(a, b), c);
    EXPECT_LT(test::max_relative_gap(m.max, whole.max), 1e-12);
    EXPECT_LT(test::max_relative_gap(m.sum, whole.sum), 1e-12);
    EXPECT_LT(test::max_relative_gap(m.weighted, whole.weighted), 1e-12);
  }
}

TEST(LsePartial, EmptyPartialIsTheIdentity) {
  const Data d = make_data(2);
  const LsePartial<double> p = lse_partial<double>(d.xi, d.queries, 1.5);
  const LsePartial<double> e = LsePartial<double>::empty(5, 7);
  const LsePartial<double> left = lse_merge(e, p), right = lse_merge(p, e);
  EXPECT_EQ(left.max, p.max);
  EXPECT_EQ(right.sum, p.sum);
  EXPECT_EQ(left.weighted, p.weighted);
  const LsePartial<double> none = lse_partial<double>(d.xi.topRows(0), d.queries, 1.5);
  EXPECT_EQ(none.sum, Vec<double>::Zero(5));
  EXPECT_TRUE(std::isinf(lse_value(none)(0)));
  const LsePartial<double> both_empty = lse_merge(e, none);  // −∞ − (−∞) must not make NaN
  EXPECT_FALSE(both_empty.sum.hasNaN());
  EXPECT_FALSE(both_empty.weighted.hasNaN());
}

TEST(LsePartial, AccumulatingBlocksEqualsOnePartial) {
  const Data d = make_data(3);
  const LsePartial<double> whole = lse_partial<double>(d.xi, d.queries, 2.0);
  LsePartial<double> acc = LsePartial<double>::empty(5, 7);
  Mat<double> scratch;
  for (Index k0 = 0; k0 < 23; k0 += 4)
    lse_accumulate<double>(acc, d.xi.middleRows(k0, std::min<Index>(4, 23 - k0)), d.queries, 2.0,
                           scratch);
  expect_same(acc, whole, 1e-12);
}

TEST(LsePartial, FinishedValuesMatchTheMemorySynapse) {
  // lse(βΞq)/β = −E_memory and Ξᵀ softmax(βΞq) = −∂E_memory/∂q for the log-sum-exp synapse.
  const Data d = make_data(4, 3.0);
  const double beta = 0.6;
  const MemorySynapse<double> syn(d.xi, Interaction::log_sum_exp(beta));
  const LsePartial<double> p = lse_partial<double>(d.xi, d.queries, beta);
  EXPECT_LT(
      test::max_relative_gap(Energies(lse_value(p) / beta), Energies(-syn.energy({d.queries}))),
      1e-12);
  Mat<double> y(5, 7);
  lse_average<double>(p, y);
  EXPECT_LT(test::max_relative_gap(y, Mat<double>(-syn.grad({d.queries})[0])), 1e-12);
}

TEST(LsePartial, FloatAgreesWithDouble) {
  const Data d = make_data(5, 2.0);
  const LsePartial<double> pd = lse_partial<double>(d.xi, d.queries, 1.0);
  const Mat<float> xf = d.xi.cast<float>(), qf = d.queries.cast<float>();
  const LsePartial<float> pf = lse_merge(lse_partial<float>(xf.topRows(9), qf, 1.0),
                                         lse_partial<float>(xf.bottomRows(14), qf, 1.0));
  EXPECT_LT(test::max_relative_gap(lse_value(pf), lse_value(pd)), 1e-5);
  Mat<float> yf(5, 7);
  Mat<double> yd(5, 7);
  lse_average<float>(pf, yf);
  lse_average<double>(pd, yd);
  EXPECT_LT(test::max_relative_gap(yf.cast<double>(), yd), 1e-5);
}

TEST(LsePartial, RejectsMismatchedShapes) {
  const Data d = make_data(6);
  const LsePartial<double> p = lse_partial<double>(d.xi, d.queries, 1.0);
  EXPECT_THROW_MESSAGE(lse_merge(p, LsePartial<double>::empty(4, 7)), std::invalid_argument,
                       "lse_merge: partials of different shapes, 5x7 and 4x7");
  EXPECT_THROW_MESSAGE(lse_partial<double>(d.xi.leftCols(6), d.queries, 1.0), std::invalid_argument,
                       "xi_block has 6 columns but queries have 7");
  EXPECT_THROW_MESSAGE(lse_partial<double>(d.xi, d.queries, 0.0), std::invalid_argument,
                       "lse_accumulate: beta must be positive and finite, got 0");
  LsePartial<double> broken = p;
  broken.sum.resize(3);
  EXPECT_THROW_MESSAGE(lse_value(broken), std::invalid_argument,
                       "inconsistent partial: 5 maxima, 3 sums, 5 weighted rows");
  Mat<double> wrong(5, 6);
  EXPECT_THROW_MESSAGE(lse_average<double>(p, wrong), std::invalid_argument,
                       "lse_average: out: expected shape 5x7, got 5x6");
  const LsePartial<double> empty = LsePartial<double>::empty(5, 7);
  Mat<double> y(5, 7);
  EXPECT_THROW_MESSAGE(lse_average<double>(empty, y), std::invalid_argument,
                       "query 0 has no memories");
}

}  // namespace
}  // namespace engram
