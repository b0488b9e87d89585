// BernoulliRBM (SPEC M-15): energy and free energy against brute-force sums over the hidden layer,
// conditionals, block Gibbs sampling against the exact P(v) ∝ exp(−F(v)), the energy graph, the
// model file, and bad input.
#include <engram/models/rbm.hpp>

#include <cmath>

#include "engram/io/model_file.hpp"
#include "engram/synapses/synapse.hpp"
#include "support/check.hpp"
#include "support/rbm_cases.hpp"
#include "support/scratch.hpp"

namespace engram {
namespace {

using test::all_binary;
using test::random_rbm;

TEST(BernoulliRBM, EnergyIsTheBilinearFormAndFreeEnergyMarginalisesTheHiddenLayer) {
  const auto rbm = random_rbm(5, 3, 1.0, 1);
  const Mat<double> V = all_binary(5), Hs = all_binary(3);
  for (Index r = 0; r < V.rows(); ++r) {
    double sum = 0;
    for (Index s = 0; s < Hs.rows(); ++s) {
      const Mat<double> v = V.row(r), h = Hs.row(s);
      const double e = -(v * rbm.W() * h.transpose())(0, 0) - (rbm.b() * v.transpose())(0, 0) -
                       (rbm.c() * h.transpose())(0, 0);
      EXPECT_NEAR(rbm.energy(v, h)(0), e, 1e-12);
      sum += std::exp(-e);
    }
    EXPECT_NEAR(rbm.free_energy(V.row(r))(0), -std::log(sum), 1e-12);  // F(v) = −log Σ_h e^{−E}
  }
}

TEST(BernoulliRBM, FreeEnergyIsStableForLargeFields) {
  const BernoulliRBM<float> rbm(Mat<float>::Constant(2, 1, 400.0f), Mat<float>::Zero(1, 2),
                                Mat<float>::Constant(1, 1, -100.0f));
  const Mat<float> v = Mat<float>::Ones(1, 2);
  EXPECT_NEAR(rbm.free_energy(v)(0), -700.0, 1e-3);  // softplus(700) = 700 without overflow
  EXPECT_TRUE(std::isfinite(rbm.free_energy(Mat<float>::Zero(1, 2))(0)));
}

TEST(BernoulliRBM, ConditionalsAreRatiosOfTheJointDistribution) {
  const auto rbm = random_rbm(4, 3, 1.0, 2);
  const Mat<double> V = all_binary(4), Hs = all_binary(3);
  const Mat<double> ph = rbm.hidden_probabilities(V);
  for (Index r = 0; r < V.rows(); ++r)
    for (Index j = 0; j < 3; ++j) {  // p(h_j = 1 | v) = Σ_{h: h_j=1} e^{−E} / Σ_h e^{−E}
      double num = 0, den = 0;
      for (Index s = 0; s < Hs.rows(); ++s) {
        const double w = std::exp(-rbm.energy(V.row(r), Hs.row(s))(0));
        den += w;
        if (Hs(s, j) == 1) num += w;
      }
      EXPECT_NEAR(ph(r, j), num / den, 1e-12);
    }
  const Mat<double> pv = rbm.visible_probabilities(Hs);
  for (Index s = 0; s < Hs.rows(); ++s)
    for (Index i = 0; i < 4; ++i) {
      double num = 0, den = 0;
      for (Index r = 0; r < V.rows(); ++r) {
        const double w = std::exp(-rbm.energy(V.row(r), Hs.row(s))(0));
        den += w;
        if (V(r, i) == 1) num += w;
      }
      EXPECT_NEAR(pv(s, i), num / den, 1e-12);
    }
}

TEST(BernoulliRBM, BlockGibbsSamplesTheExactMarginal) {
  const auto rbm = random_rbm(4, 3, 1.0, 3);
  const Mat<double> V = all_binary(4);
  const Energies F = rbm.free_energy(V);
  const Eigen::ArrayXd p = (-(F.array() - F.minCoeff())).exp();
  const Eigen::ArrayXd P = p / p.sum();  // P(v) ∝ exp(−F(v)), by enumeration
  const Index n = 20000;                 // independent chains, 40 steps each from v = 0
  Rng rng(4);
  const Mat<double> samples = rbm.gibbs(Mat<double>::Zero(n, 4), 40, rng);
  Eigen::ArrayXd counts = Eigen::ArrayXd::Zero(V.rows());
  for (Index r = 0; r < n; ++r) {
    Index code = 0;
    for (Index i = 0; i < 4; ++i) code |= static_cast<Index>(samples(r, i)) << i;
    counts(code) += 1;
  }
  const double tv = 0.5 * (counts / n - P).abs().sum();
  // E[TV] ≤ ½ Σ_x sqrt(P(x)(1 − P(x))/n); TV moves by ≤ 1/n per sample, so by McDiarmid
  // P(TV > E[TV] + t) ≤ exp(−2 n t²) = e^{−16} for t = 0.02.
  const double bound = 0.5 * (P * (1 - P) / n).sqrt().sum() + 0.02;
  EXPECT_LT(tv, bound) << "TV " << tv;
}

TEST(BernoulliRBM, GraphSynapseEnergiesAtBinaryActivationsAreTheRbmEnergy) {
  const auto rbm = random_rbm(6, 4, 1.0, 5);
  const EnergyGraph<double> g = rbm.to_graph();
  ASSERT_EQ(g.layers().size(), 2U);
  ASSERT_EQ(g.synapses().size(), 3U);
  const Mat<double> V = all_binary(6).topRows(20), Hs = all_binary(4).replicate(2, 1).topRows(20);
  Energies total = Energies::Zero(20);
  for (const auto& s : g.synapses()) {
    std::vector<MatCRef<double>> ops;
    for (std::size_t l : s.layers) ops.emplace_back(g.layers()[l].name == "v" ? V : Hs);
    total += s.synapse->energy(Operands<double>(ops.data(), ops.size()));
  }
  EXPECT_LT((total - rbm.energy(V, Hs)).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(BernoulliRBM, ModelFileRoundTrip) {
  test::ScratchDir dir("rbm_file");
  Rng rng(6);
  const auto rbm = BernoulliRBM<float>::random(7, 3, 0.5, rng);
  save_model(dir("rbm.safetensors"), rbm);
  EXPECT_EQ(model_file_kind(dir("rbm.safetensors")), "bernoulli_rbm");
  const auto back = load_model<BernoulliRBM<float>>(dir("rbm.safetensors"));
  EXPECT_EQ(back.W(), rbm.W());
  EXPECT_EQ(back.b(), rbm.b());
  EXPECT_EQ(back.c(), rbm.c());
  ModelFile<float> bad = rbm.to_file();
  bad.tensors["c"] = Mat<float>::Zero(1, 4);
  EXPECT_THROW_MESSAGE(BernoulliRBM<float>::from_file(bad), std::invalid_argument, "'c'");
  bad = rbm.to_file();
  bad.kind = "linear_am";
  EXPECT_THROW_MESSAGE(BernoulliRBM<float>::from_file(bad), std::invalid_argument, "bernoulli_rbm");
}

TEST(BernoulliRBM, RejectsBadInput) {
  const Mat<double> W = Mat<double>::Zero(3, 2);
  EXPECT_THROW_MESSAGE(BernoulliRBM<double>(W, Mat<double>::Zero(1, 2), Mat<double>::Zero(1, 2)),
                       std::invalid_argument, "b: expected shape 1x3");
  EXPECT_THROW_MESSAGE(BernoulliRBM<double>(W, Mat<double>::Zero(1, 3), Mat<double>::Zero(2, 1)),
                       std::invalid_argument, "c: expected shape 1x2");
  Mat<double> Wn = W;
  Wn(1, 1) = std::nan("");
  EXPECT_THROW_MESSAGE(BernoulliRBM<double>(Wn, Mat<double>::Zero(1, 3), Mat<double>::Zero(1, 2)),
                       std::invalid_argument, "NaN");
  Rng rng(1);
  EXPECT_THROW_MESSAGE(BernoulliRBM<double>::random(0, 2, 1.0, rng), std::invalid_argument,
                       "visible");
  EXPECT_THROW_MESSAGE(BernoulliRBM<double>::random(2, 2, -1.0, rng), std::invalid_argument,
                       "stddev");
  const BernoulliRBM<double> rbm(W, Mat<double>::Zero(1, 3), Mat<double>::Zero(1, 2));
  EXPECT_THROW_MESSAGE(rbm.free_energy(Mat<double>::Zero(2, 4)), std::invalid_argument,
                       "v must be B x 3");
  EXPECT_THROW_MESSAGE(rbm.energy(Mat<double>::Zero(2, 3), Mat<double>::Zero(3, 2)),
                       std::invalid_argument, "rows");
  EXPECT_THROW_MESSAGE(rbm.gibbs(Mat<double>::Zero(2, 3), -1, rng), std::invalid_argument, "steps");
}

}  // namespace
}  // namespace engram
