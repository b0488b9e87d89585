// Modern Hopfield network (SPEC M-12): energy and update against the equations written out here,
// the fused block path against the plain one, facade against its energy graph, CCCP descent,
// retrieval from the theory of Ramsauer et al. (separation, one-step retrieval, the metastable
// mean at small β), model files and bad input.
#include <engram/models/modern_hopfield.hpp>
#include <engram/synapses/memory.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"
#include "support/memory_patterns.hpp"

namespace engram {
namespace {

/// Row softmax of βL, written out: e^{β(l − max)} / Σ e^{β(l − max)}.
Mat<double> softmax_rows(const Mat<double>& L, double beta) {
  Mat<double> p(L.rows(), L.cols());
  for (Index b = 0; b < L.rows(); ++b) {
    p.row(b) = (beta * (L.row(b).array() - L.row(b).maxCoeff())).exp().matrix();
    p.row(b) /= p.row(b).sum();
  }
  return p;
}

using test::binary_patterns;
using test::flipped;

struct Small {
  Mat<double> xi, queries;
  double beta = 0.5;
  explicit Small(std::uint64_t seed) {
    Rng rng(seed);
    xi = rng.normal<double>(10, 16);
    queries = rng.normal<double>(4, 16, 0.0, 2.0);
  }
};

TEST(ModernHopfield, EnergyAndUpdateFollowTheEquations) {
  const Small s(1);
  const ModernHopfield<double> net(s.xi, s.beta);
  const Mat<double> L = s.queries * s.xi.transpose();
  const Mat<double> p = softmax_rows(L, s.beta);
  EXPECT_LT(test::max_relative_gap(net.attention(s.queries), p), 1e-14);
  EXPECT_LT(test::max_relative_gap(net.update(s.queries), Mat<double>(p * s.xi)), 1e-13);
  const Energies e = net.energy(s.queries);
  for (Index b = 0; b < 4; ++b) {
    const double top = L.row(b).maxCoeff();
    const double lse = top + std::log((s.beta * (L.row(b).array() - top)).exp().sum()) / s.beta;
    EXPECT_NEAR(e(b), -lse + 0.5 * s.queries.row(b).squaredNorm(), 1e-12 * std::abs(e(b)));
  }
  EXPECT_LT((net.attention(s.queries).rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-15);
}

TEST(ModernHopfield, FusedBlocksEqualOneBlock) {
  const Small s(2);
  const ModernHopfield<double> whole(s.xi, s.beta), blocks(s.xi, s.beta, 3);  // 3+3+3+1
  EXPECT_LT(test::max_relative_gap(blocks.update(s.queries), whole.update(s.queries)), 1e-13);
  EXPECT_LT(test::max_relative_gap(blocks.energy(s.queries), whole.energy(s.queries)), 1e-13);
  const Retrieval<double> a = whole.retrieve(s.queries), b = blocks.retrieve(s.queries);
  EXPECT_LT(test::max_relative_gap(b.states, a.states), 1e-10);
  EXPECT_EQ(a.steps, b.steps);
}

TEST(ModernHopfield, EnergyEqualsItsEnergyGraph) {
  const Small s(3);
  const ModernHopfield<double> net(s.xi, s.beta);
  const EnergyGraph<double> g = net.graph();
  State<double> state = g.zeros(4);
  state["x"] = s.queries;
  EXPECT_LT(test::max_relative_gap(g.energy(state), net.energy(s.queries)), 1e-12);
  EXPECT_EQ(g.synapse("memory").kind(), "MemorySynapse");
  EXPECT_EQ(g.layer("x").lagrangian->kind(), "identity");
}

TEST(ModernHopfield, RelaxWithUnitStepReproducesTheUpdate) {
  // dt = 1, τ = 1: x ← x − (x − Ξᵀ softmax(βΞx)) = Ξᵀ softmax(βΞx), step by step.
  const Small s(4);
  const ModernHopfield<double> net(s.xi, s.beta);
  const EnergyGraph<double> g = net.graph();
  State<double> state = g.zeros(4);
  state["x"] = s.queries;
  Mat<double> expected = s.queries;
  int checked = 0;
  RelaxOptions o;
  o.dt = 1.0;
  o.max_steps = 12;
  o.tolerance = 0.0;
  o.on_step = [&](int, const Energies&) {
    expected = net.update(expected);
    EXPECT_LT(test::max_relative_gap(state["x"], expected), 1e-10) << "step " << checked + 1;
    ++checked;
  };
  const RelaxResult r = relax(g, state, o);
  EXPECT_EQ(checked, 12);
  EXPECT_EQ(r.rejected_steps, 0);  // step control was never triggered
}

TEST(ModernHopfield, IteratedRetrievalNeverRaisesTheEnergy) {
  // CCCP (Ramsauer et al., Theorem 1): E(update(x)) ≤ E(x) for every x.
  for (std::uint64_t seed : {5, 6, 7})
    for (double beta : {0.05, 0.5, 4.0}) {
      Rng rng(seed);
      const ModernHopfield<double> net(rng.normal<double>(30, 12), beta);
      const Mat<double> q = rng.normal<double>(6, 12, 0.0, 3.0);
      ModernRetrieveOptions o;
      o.max_steps = 40;
      const Retrieval<double> r = net.retrieve(q, o);
      for (Index t = 1; t < r.energy_trace.rows(); ++t)
        for (Index b = 0; b < 6; ++b)
          EXPECT_LE(r.energy_trace(t, b),
                    r.energy_trace(t - 1, b) + 1e-12 * (1 + std::abs(r.energy_trace(t - 1, b))))
              << "seed " << seed << " beta " << beta << " step " << t;
      // The trace ends at the energy of the returned states.
      EXPECT_LT(test::max_relative_gap(Energies(r.energy_trace.bottomRows(1).transpose()),
                                       net.energy(r.states)),
                1e-12);
    }
}

TEST(ModernHopfield, RetrieveStopsAtTheToleranceAndHoldsConvergedQueries) {
  Rng rng(8);
  const Mat<double> xi = binary_patterns(8, 32, rng);
  const ModernHopfield<double> net(xi, 2.0);
  // A stored pattern is (to e^{−βΔ}) a fixed point: converged after one or two steps. A query
  // between patterns takes longer.
  Mat<double> q(2, 32);
  q.row(0) = xi.row(3);
  q.row(1) = 0.5 * (xi.row(0) + xi.row(1));
  const Retrieval<double> r = net.retrieve(q);
  EXPECT_TRUE(r.converged[0]);
  EXPECT_LE(r.steps[0], 2);
  EXPECT_LT((r.states.row(0) - xi.row(3)).cwiseAbs().maxCoeff(), 1e-8);
  // The converged query keeps its last energy in later rows.
  for (Index t = r.steps[0]; t < r.energy_trace.rows(); ++t)
    EXPECT_EQ(r.energy_trace(t, 0), r.energy_trace(r.steps[0], 0));
  // Fixed point of the update: update(x*) = x* within the tolerance.
  for (Index b = 0; b < 2; ++b) {
    if (!r.converged[b]) continue;
    EXPECT_LT((net.update(r.states.row(b)) - r.states.row(b)).cwiseAbs().maxCoeff(), 1e-6);
  }
  ModernRetrieveOptions none;
  none.max_steps = 0;
  const Retrieval<double> z = net.retrieve(q, none);
  EXPECT_EQ(z.states, q);
  EXPECT_EQ(z.energy_trace.rows(), 1);
  EXPECT_EQ(z.converged, (std::vector<bool>{false, false}));
}

TEST(ModernHopfield, GradientDescentAndIterationReachTheSameFixedPoint) {
  Rng rng(9);
  const Mat<double> xi = binary_patterns(6, 20, rng);
  const ModernHopfield<double> net(xi, 0.3);
  const Mat<double> q = flipped(xi.topRows(3), 4, rng);
  const Retrieval<double> a = net.retrieve(q);
  RelaxOptions o;
  o.dt = 0.5;
  const Retrieval<double> b = net.retrieve_by_descent(q, o);
  for (Index i = 0; i < 3; ++i) {
    EXPECT_TRUE(a.converged[i]);
    EXPECT_TRUE(b.converged[i]);
    EXPECT_GT(b.steps[i], a.steps[i]);
  }
  EXPECT_LT((a.states - b.states).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_EQ(b.energy_trace.cols(), 3);
}

TEST(ModernHopfield, OneStepRetrievalFromTheSeparationTheory) {
  // K = 200 random ±1 patterns of D = 256 (M = ‖ξ‖ = 16), queries with 20% of bits flipped.
  constexpr Index K = 200, D = 256;
  Rng rng(10);
  const Mat<double> xi = binary_patterns(K, D, rng);
  const Mat<double> q = flipped(xi, D / 5, rng);
  const double beta = 8.0 / std::sqrt(double(D)), M = std::sqrt(double(D)), N = K;

  // Ramsauer et al.: pattern i is well separated when Δ_i = ξ_iᵀξ_i − max_{j≠i} ξ_iᵀξ_j ≥
  // 2/(βN) + β⁻¹ log(2(N−1)NβM²). Then f(ξ_i) − ξ_i = Σ_{j≠i} p_j (ξ_j − ξ_i) with
  // Σ_{j≠i} p_j ≤ (N−1)e^{−βΔ_i}, so ‖f(ξ_i) − ξ_i‖ ≤ 2M(N−1)e^{−βΔ_i}.
  const Mat<double> G = xi * xi.transpose();
  const ModernHopfield<double> net(xi, beta);
  const Mat<double> fixed = net.update(xi);
  for (Index i = 0; i < K; ++i) {
    Mat<double> others = G.row(i);
    others(0, i) = -INFINITY;
    const double delta = G(i, i) - others.maxCoeff();
    ASSERT_GE(delta, 2 / (beta * N) + std::log(2 * (N - 1) * N * beta * M * M) / beta) << i;
    EXPECT_LE((fixed.row(i) - xi.row(i)).norm(),
              2 * M * (N - 1) * std::exp(-beta * delta) * (1 + 1e-12) + 1e-13);
  }

  // One step from the corrupted query: with gap g_i = ξ_iᵀq_i − max_{j≠i} ξ_jᵀq_i,
  // p_i ≥ 1/(1 + (N−1)e^{−βg_i}); every entry of f(q_i) is p_i ξ_ik plus at most 1 − p_i in size,
  // so sign f(q_i) = ξ_i whenever p_i > ½, i.e. β > log(N−1)/g_i.
  const Mat<double> overlaps = q * xi.transpose();
  const Mat<double> p = net.attention(q);
  const Mat<double> one_step = net.update(q);
  for (Index i = 0; i < K; ++i) {
    Mat<double> others = overlaps.row(i);
    others(0, i) = -INFINITY;
    const double gap = overlaps(i, i) - others.maxCoeff();
    ASSERT_GT(beta, std::log(N - 1) / gap) << "query " << i;
    EXPECT_GE(p(i, i), 1 / (1 + (N - 1) * std::exp(-beta * gap)) * (1 - 1e-12));
    EXPECT_EQ(test::signs(one_step.row(i)), xi.row(i)) << "query " << i;
  }
}

TEST(ModernHopfield, SmallBetaReturnsTheMeanOfThePatterns) {
  // p_μ ∈ [e^{−βr}/K, e^{βr}/K] with r = max m − min m, so ‖f(q) − ξ̄‖∞ ≤ (e^{βr} − 1) max|ξ|:
  // as β → 0 every query goes to the mean ξ̄ (the metastable state averaging all patterns). To
  // first order f(q) = ξ̄ + βSq with S = ΞᵀΞ/K − ξ̄ξ̄ᵀ.
  constexpr Index K = 200, D = 256;
  Rng rng(11);
  const Mat<double> xi = binary_patterns(K, D, rng);
  const Mat<double> mean = xi.colwise().mean();
  const Mat<double> S = xi.transpose() * xi / double(K) - mean.transpose() * mean;
  const Mat<double> q = flipped(xi.topRows(5), D / 5, rng);
  const double beta = 1e-6;
  const ModernHopfield<double> net(xi, beta);
  const Mat<double> f = net.update(q);
  for (Index b = 0; b < 5; ++b) {
    const Mat<double> m = q.row(b) * xi.transpose();
    const double r = m.maxCoeff() - m.minCoeff();
    const double gap = (f.row(b) - mean).cwiseAbs().maxCoeff();
    EXPECT_LE(gap, std::expm1(beta * r) * (1 + 1e-9));
    const Mat<double> linear = mean + beta * (S * q.row(b).transpose()).transpose();
    EXPECT_LE((f.row(b) - linear).cwiseAbs().maxCoeff(), 0.01 * gap);
  }

  // Iterated at β = 1e-3, distinct queries all settle on one state next to ξ̄.
  const ModernHopfield<double> warm(xi, 1e-3);
  ModernRetrieveOptions o;
  o.tolerance = 1e-12;
  const Retrieval<double> r = warm.retrieve(q, o);
  for (Index b = 0; b < 5; ++b) {
    EXPECT_TRUE(r.converged[b]);
    EXPECT_LT((r.states.row(b) - r.states.row(0)).cwiseAbs().maxCoeff(), 1e-9);
  }
  const Mat<double> m = r.states.row(0) * xi.transpose();
  EXPECT_LE((r.states.row(0) - mean).cwiseAbs().maxCoeff(),
            std::expm1(1e-3 * (m.maxCoeff() - m.minCoeff())) * (1 + 1e-6));
}

TEST(ModernHopfield, FloatAgreesWithDouble) {
  const Small s(12);
  const ModernHopfield<double> nd(s.xi, s.beta);
  const ModernHopfield<float> nf(s.xi.cast<float>(), s.beta, 4);
  const Mat<float> qf = s.queries.cast<float>();
  EXPECT_LT(test::max_relative_gap(nf.energy(qf), nd.energy(s.queries)), 1e-4);
  EXPECT_LT(test::max_relative_gap(nf.update(qf).cast<double>(), nd.update(s.queries)), 1e-4);
  EXPECT_LT(test::max_relative_gap(nf.attention(qf).cast<double>(), nd.attention(s.queries)), 1e-4);
}

TEST(ModernHopfield, ModelFileRoundTrip) {
  const Small s(13);
  const ModernHopfield<double> net(s.xi, 0.75);
  const ModelFile<double> f = net.to_file();
  EXPECT_EQ(f.kind, "modern_hopfield");
  EXPECT_EQ(f.config["beta"], 0.75);
  const ModernHopfield<double> back = ModernHopfield<double>::from_file(f);
  EXPECT_EQ(back.beta(), 0.75);
  EXPECT_EQ(back.patterns(), s.xi);

  ModelFile<double> bad = f;
  bad.kind = "dense_am";
  EXPECT_THROW_MESSAGE(ModernHopfield<double>::from_file(bad), std::invalid_argument,
                       "expected kind \"modern_hopfield\", got \"dense_am\"");
  bad = f;
  bad.config = {{"beta", "large"}};
  EXPECT_THROW_MESSAGE(ModernHopfield<double>::from_file(bad), std::invalid_argument,
                       "config needs a number \"beta\", got {\"beta\":\"large\"}");
  bad = f;
  bad.config["beta"] = -1.0;
  EXPECT_THROW_MESSAGE(ModernHopfield<double>::from_file(bad), std::invalid_argument,
                       "ModernHopfield: beta must be positive and finite, got -1");
  bad = f;
  bad.tensors.clear();
  EXPECT_THROW_MESSAGE(ModernHopfield<double>::from_file(bad), std::invalid_argument,
                       "missing tensor \"xi\"");
  bad = f;
  bad.tensors["xi"](2, 3) = NAN;
  EXPECT_THROW_MESSAGE(ModernHopfield<double>::from_file(bad), std::invalid_argument,
                       "ModernHopfield: xi contains NaN at (2, 3)");
}

TEST(ModernHopfield, RejectsBadInput) {
  const Small s(14);
  EXPECT_THROW_MESSAGE(ModernHopfield<double>(s.xi, 0.0), std::invalid_argument,
                       "ModernHopfield: beta must be positive and finite, got 0");
  EXPECT_THROW_MESSAGE(ModernHopfield<double>(s.xi, NAN), std::invalid_argument,
                       "beta must be positive and finite, got nan");
  EXPECT_THROW_MESSAGE(ModernHopfield<double>(Mat<double>(0, 16), 1.0), std::invalid_argument,
                       "xi must be non-empty (K x D), got 0x16");
  EXPECT_THROW_MESSAGE(ModernHopfield<double>(s.xi, 1.0, 0), std::invalid_argument,
                       "block must be >= 1, got 0");
  const ModernHopfield<double> net(s.xi, 1.0);
  EXPECT_THROW_MESSAGE(net.update(Mat<double>::Zero(2, 15)), std::invalid_argument,
                       "ModernHopfield::update: states must have D = 16 columns, got 15");
  EXPECT_THROW_MESSAGE(net.attention(Mat<double>::Zero(2, 17)), std::invalid_argument,
                       "ModernHopfield::attention: states must have D = 16 columns, got 17");
  Mat<double> q = s.queries;
  q(1, 2) = NAN;
  EXPECT_THROW_MESSAGE(net.retrieve(q), std::invalid_argument,
                       "ModernHopfield::retrieve: states contains NaN at (1, 2)");
  EXPECT_THROW_MESSAGE(net.energy(q), std::invalid_argument, "contains NaN at (1, 2)");
  EXPECT_THROW_MESSAGE(net.retrieve_by_descent(q), std::invalid_argument, "contains NaN at (1, 2)");
  ModernRetrieveOptions o;
  o.max_steps = -1;
  EXPECT_THROW_MESSAGE(net.retrieve(s.queries, o), std::invalid_argument,
                       "max_steps must be >= 0, got -1");
  o.max_steps = 5;
  o.tolerance = -1e-3;
  EXPECT_THROW_MESSAGE(net.retrieve(s.queries, o), std::invalid_argument,
                       "tolerance must be finite and >= 0, got -0.001");
}

}  // namespace
}  // namespace engram
