// Seed 001 reproduced (SPEC M-05): the CHN and the DAM built from the framework follow the seed's
// update equations exactly, their energy never rises, and the DAM settles on the memory the
// equations predict.
#include <engram/dynamics/relax.hpp>
#include <engram/models/bipartite_memory.hpp>
#include <engram/neurons.hpp>
#include <engram/synapses/l2.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

constexpr Index K = 100, D = 30;

template <class T>
struct Seed001 {
  Mat<T> Xi = Rng(55).template uniform<T>(K, D);  // Ξ ~ U(0,1)
  Mat<T> v0 = Rng(3).template uniform<T>(1, D);
  Mat<T> m0 = Rng(4).template normal<T>(1, K);

  RelaxResult run(const EnergyGraph<T>& g, State<T>& s, double alpha, int steps) const {
    s = g.zeros(1);
    s["v"] = v0;
    s["m"] = m0;
    RelaxOptions o;
    o.dt = alpha;
    o.max_steps = steps;
    o.tolerance = 0.0;
    return relax(g, s, o);
  }
};

/// The seed's loop written out by hand: v ← v − α(v − Ξᵀm̂), m ← m − α(m − Ξv̂), v̂ = σ(v/2D).
Mat<double> hand_written_seed_loop(const Mat<double>& Xi, Mat<double> v, Mat<double> m,
                                   bool softmax, double alpha, int steps) {
  for (int t = 0; t < steps; ++t) {
    const Mat<double> vhat = (1.0 / (1.0 + (-v.array() / (2.0 * D)).exp())).matrix();
    Mat<double> mhat = m;
    if (softmax) {
      mhat = (m.array() - m.maxCoeff()).exp().matrix();
      mhat /= mhat.sum();
    }
    const Mat<double> dv = v - mhat * Xi, dm = m - vhat * Xi.transpose();
    v -= alpha * dv;
    m -= alpha * dm;
  }
  Mat<double> vm(1, D + K);
  vm << v, m;
  return vm;
}

bool never_rises(const Eigen::VectorXd& e) {
  for (Index t = 1; t < e.size(); ++t)
    if (e(t) > e(t - 1)) return false;
  return true;
}

TEST(Seed001, ClassicalHopfieldEnergyNeverRises) {
  const Seed001<double> seed;
  const auto chn = bipartite_memory_graph<double>(seed.Xi, std::make_shared<Identity<double>>());
  State<double> s;
  const RelaxResult r = seed.run(chn, s, 0.03, 150);
  EXPECT_EQ(r.steps, 150);
  EXPECT_EQ(r.rejected_steps, 0);
  EXPECT_TRUE(never_rises(r.trace.col(0)));
  EXPECT_LT(r.energy(0), r.trace(0, 0));
}

TEST(Seed001, DenseAssociativeMemoryEnergyNeverRises) {
  const Seed001<double> seed;
  const auto dam = bipartite_memory_graph<double>(seed.Xi, std::make_shared<Softmax<double>>(1.0));
  State<double> s;
  const RelaxResult r = seed.run(dam, s, 0.01, 500);
  EXPECT_EQ(r.steps, 500);
  EXPECT_EQ(r.rejected_steps, 0);
  EXPECT_TRUE(never_rises(r.trace.col(0)));
}

TEST(Seed001, GraphDynamicsEqualTheSeedsHandWrittenUpdates) {
  const Seed001<double> seed;
  for (bool softmax : {false, true}) {
    LagrangianPtr<double> memory;
    if (softmax)
      memory = std::make_shared<Softmax<double>>(1.0);
    else
      memory = std::make_shared<Identity<double>>();
    const auto g = bipartite_memory_graph<double>(seed.Xi, memory);
    State<double> s;
    const double alpha = softmax ? 0.01 : 0.03;
    const int steps = softmax ? 500 : 150;
    seed.run(g, s, alpha, steps);
    const Mat<double> expected =
        hand_written_seed_loop(seed.Xi, seed.v0, seed.m0, softmax, alpha, steps);
    EXPECT_LT(test::max_relative_gap(s["v"], expected.leftCols(D)), 1e-11) << "softmax " << softmax;
    EXPECT_LT(test::max_relative_gap(s["m"], expected.rightCols(K)), 1e-11)
        << "softmax " << softmax;
  }
}

TEST(Seed001, DamSettlesOnTheMemoryWithTheLargestOverlapWithTheCuesActivation) {
  // At the DAM's fixed point m = Ξ v̂: the memory it weights most is argmax_μ ξ_μ · v̂. The cue's
  // activation starts that competition and the dynamics keep its winner.
  const Seed001<double> seed;
  const auto dam = bipartite_memory_graph<double>(seed.Xi, std::make_shared<Softmax<double>>(1.0));
  State<double> s;
  seed.run(dam, s, 0.01, 500);
  const auto& v_lagrangian = *dam.layer("v").lagrangian;
  const Mat<double> vhat0 = v_lagrangian.activation(seed.v0);
  Index cue_best, final_best, heaviest, largest_sum;
  (seed.Xi * vhat0.transpose()).col(0).maxCoeff(&cue_best);
  (seed.Xi * v_lagrangian.activation(s["v"]).transpose()).col(0).maxCoeff(&final_best);
  const Mat<double> mhat = dam.layer("m").lagrangian->activation(s["m"]);
  mhat.row(0).maxCoeff(&heaviest);
  EXPECT_EQ(final_best, cue_best);
  EXPECT_EQ(heaviest, cue_best);
  // The final visible state is the m̂-weighted mixture of memories, Ξᵀ m̂, up to the unfinished
  // decay.
  EXPECT_LT((s["v"] - mhat * seed.Xi).cwiseAbs().maxCoeff(), 0.05);
  // Why the seed's DAM retrieves no pattern sharply: with β_v = 1/(2D) and v in (0, 1), every v̂ is
  // within 0.005 of ½, so ξ_μ · v̂ ≈ ½ Σ_i ξ_μi ranks memories by their sums.
  EXPECT_LT((vhat0.array() - 0.5).abs().maxCoeff(), 0.005);
  seed.Xi.rowwise().sum().maxCoeff(&largest_sum);
  EXPECT_EQ(cue_best, largest_sum);
  EXPECT_LT(mhat.maxCoeff(), 0.2);
}

TEST(Seed001, L2MemoryRetrievesTheStoredPatternNearestTheCue) {
  // The seed's demo synapse (L2 similarity) with identity visible neurons and softmax memories
  // ranks memories by distance: a corrupted cue relaxes onto the stored pattern nearest to it.
  const Seed001<double> seed;
  EnergyGraph<double> g;
  g.add_layer("x", {D}, Identity<double>())
      .add_layer("z", {K}, Softmax<double>(5.0))
      .add_synapse("xi", {"x", "z"}, L2Synapse<double>(seed.Xi));
  Rng rng(11);
  for (Index mu : {3, 17, 42, 77}) {
    Mat<double> cue = seed.Xi.row(mu);
    for (int k = 0; k < 6; ++k) cue(0, rng.index(D)) = rng.real(0.0, 1.0);  // 20% of entries
    Index nearest_to_cue;
    (seed.Xi.rowwise() - cue.row(0)).rowwise().squaredNorm().minCoeff(&nearest_to_cue);
    State<double> s = g.zeros(1);
    s["x"] = cue;
    const RelaxResult r = relax(g, s);
    EXPECT_TRUE(r.converged);
    Index retrieved;
    const double d2 =
        (seed.Xi.rowwise() - s["x"].row(0)).rowwise().squaredNorm().minCoeff(&retrieved);
    EXPECT_EQ(retrieved, nearest_to_cue) << "cue from memory " << mu;
    EXPECT_LT(std::sqrt(d2), 0.05) << "cue from memory " << mu;
  }
}

TEST(Seed001, FloatModelsReproduceTheDoubleTrace) {
  const Seed001<float> seed32;
  const Seed001<double> seed64;
  const auto dam32 =
      bipartite_memory_graph<float>(seed32.Xi, std::make_shared<Softmax<float>>(1.0));
  const auto dam64 =
      bipartite_memory_graph<double>(seed64.Xi, std::make_shared<Softmax<double>>(1.0));
  State<float> s32;
  State<double> s64;
  const RelaxResult r32 = seed32.run(dam32, s32, 0.01, 500);
  const RelaxResult r64 = seed64.run(dam64, s64, 0.01, 500);
  EXPECT_EQ(r32.rejected_steps, 0);
  EXPECT_LT(test::max_relative_gap(r32.trace, r64.trace), 1e-6);
}

}  // namespace
}  // namespace engram
