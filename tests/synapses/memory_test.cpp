// The memory synapse (SPEC M-12, M-13): its interaction functions in closed form, log-sum-exp
// stability and bounds, float against double, and the errors for bad interactions and patterns.
// (Finite-difference checks are in synapse_test.cpp with every other synapse.)
#include <engram/synapses/memory.hpp>

#include <cmath>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using Kind = Interaction::Kind;

/// Ξ = [[1, 0], [0, 1], [1, 1]] and x̂ = [2, −1]: overlaps m = [2, −1, 1].
Mat<double> small_xi() {
  Mat<double> xi(3, 2);
  xi << 1, 0, 0, 1, 1, 1;
  return xi;
}
Mat<double> small_x() {
  Mat<double> x(1, 2);
  x << 2, -1;
  return x;
}

TEST(MemorySynapse, PolynomialEnergyAndGradientInClosedForm) {
  const MemorySynapse<double> syn(small_xi(), Interaction::polynomial(3));
  // E = −(2³ + (−1)³ + 1³) = −8; ∂E/∂x̂ = −Σ_μ 3m_μ² ξ_μ = −(12·[1,0] + 3·[0,1] + 3·[1,1]).
  EXPECT_DOUBLE_EQ(syn.energy({small_x()})(0), -8.0);
  const Mat<double> g = syn.grad({small_x()})[0];
  EXPECT_DOUBLE_EQ(g(0, 0), -15.0);
  EXPECT_DOUBLE_EQ(g(0, 1), -6.0);
  // ∂E/∂Ξ = −3m² x̂ᵀ per row μ.
  const Mat<double> pg = syn.param_grad({small_x()})[0];
  EXPECT_DOUBLE_EQ(pg(0, 0), -24.0);
  EXPECT_DOUBLE_EQ(pg(1, 1), 3.0);
  EXPECT_DOUBLE_EQ(pg(2, 0), -6.0);
}

TEST(MemorySynapse, RectifiedPolynomialIgnoresNegativeOverlaps) {
  const MemorySynapse<double> syn(small_xi(), Interaction::rectified_polynomial(2));
  // E = −(2² + 0 + 1²) = −5; ∂E/∂x̂ = −(4·[1,0] + 0 + 2·[1,1]).
  EXPECT_DOUBLE_EQ(syn.energy({small_x()})(0), -5.0);
  const Mat<double> g = syn.grad({small_x()})[0];
  EXPECT_DOUBLE_EQ(g(0, 0), -6.0);
  EXPECT_DOUBLE_EQ(g(0, 1), -2.0);
}

TEST(MemorySynapse, ExponentialAndLogSumExpInClosedForm) {
  const double beta = 0.7;
  const double e2 = std::exp(2 * beta), em1 = std::exp(-beta), e1 = std::exp(beta);
  const MemorySynapse<double> ex(small_xi(), Interaction::exponential(beta));
  EXPECT_NEAR(ex.energy({small_x()})(0), -(e2 + em1 + e1), 1e-14);
  const Mat<double> gx = ex.grad({small_x()})[0];
  EXPECT_NEAR(gx(0, 0), -beta * (e2 + e1), 1e-14);
  EXPECT_NEAR(gx(0, 1), -beta * (em1 + e1), 1e-14);

  const MemorySynapse<double> lse(small_xi(), Interaction::log_sum_exp(beta));
  const double z = e2 + em1 + e1;
  EXPECT_NEAR(lse.energy({small_x()})(0), -std::log(z) / beta, 1e-14);
  const Mat<double> gl = lse.grad({small_x()})[0];  // −Ξᵀ softmax(βm)
  EXPECT_NEAR(gl(0, 0), -(e2 + e1) / z, 1e-15);
  EXPECT_NEAR(gl(0, 1), -(em1 + e1) / z, 1e-15);
}

TEST(MemorySynapse, LogSumExpIsStableAndBoundedByTheLargestOverlap) {
  // −max m − log(K)/β ≤ −β⁻¹ lse(βm) ≤ −max m, for overlaps of order 1e5 and β = 1e3.
  Rng rng(11);
  const Mat<double> xi = rng.normal<double>(20, 8);
  const Mat<double> x = rng.normal<double>(4, 8, 0.0, 1e4);
  for (double beta : {1e-3, 1.0, 1e3}) {
    const MemorySynapse<double> syn(xi, Interaction::log_sum_exp(beta));
    const Energies e = syn.energy({x});
    const Eigen::VectorXd top = (x * xi.transpose()).rowwise().maxCoeff();
    for (Index b = 0; b < x.rows(); ++b) {
      ASSERT_TRUE(std::isfinite(e(b)));
      EXPECT_LE(e(b), -top(b) + 1e-12 * std::abs(top(b)));
      EXPECT_GE(e(b), -top(b) - std::log(20.0) / beta - 1e-12 * std::abs(top(b)));
    }
    EXPECT_TRUE(syn.grad({x})[0].allFinite());
  }
}

TEST(MemorySynapse, ExponentialOverflowIsReportedAsNonFiniteEnergy) {
  // Documented limit: F(m) = e^{βm} cannot be shifted; β·m = 1000 overflows double.
  Mat<double> xi(1, 1), x(1, 1);
  xi << 1.0;
  x << 1000.0;
  const MemorySynapse<double> syn(xi, Interaction::exponential(1.0));
  EXPECT_EQ(syn.energy({x})(0), -INFINITY);
  x << 700.0;
  EXPECT_TRUE(std::isfinite(syn.energy({x})(0)));
}

TEST(MemorySynapse, FloatAgreesWithDouble) {
  Rng rng(12);
  const Mat<double> xi = rng.normal<double>(10, 6), x = rng.normal<double>(3, 6);
  for (const Interaction& f : {Interaction::polynomial(3), Interaction::rectified_polynomial(2),
                               Interaction::exponential(0.3), Interaction::log_sum_exp(2.0)}) {
    const MemorySynapse<double> sd(xi, f);
    const MemorySynapse<float> sf(xi.cast<float>(), f);
    const Energies ed = sd.energy({x}), ef = sf.energy({x.cast<float>()});
    EXPECT_LT(test::max_relative_gap(ef, ed), 1e-4) << f.to_string();
    const Mat<double> gf = sf.grad({x.cast<float>()})[0].cast<double>();
    EXPECT_LT(test::max_relative_gap(gf, sd.grad({x})[0]), 1e-4) << f.to_string();
  }
}

TEST(MemorySynapse, NameKindAndHyperparameters) {
  const MemorySynapse<double> syn(small_xi(), Interaction::exponential(0.25));
  EXPECT_EQ(syn.kind(), "MemorySynapse");
  EXPECT_EQ(syn.name(), "memory(3x2, exponential(beta=0.25))");
  const Hyperparameters h = syn.hyperparameters();
  EXPECT_EQ(h.at("interaction"), 2.0);
  EXPECT_EQ(h.at("beta"), 0.25);
  EXPECT_EQ(syn.param_names(), std::vector<std::string>{"xi"});
  EXPECT_EQ(syn.operand_sizes(), std::vector<Index>{2});
}

TEST(Interaction, TextRoundTrips) {
  for (const Interaction& f :
       {Interaction::polynomial(3), Interaction::rectified_polynomial(2.5),
        Interaction::exponential(0.125), Interaction::log_sum_exp(1.0 / 3.0)})
    EXPECT_EQ(Interaction::parse(f.to_string()), f) << f.to_string();
  EXPECT_EQ(Interaction::parse(" polynomial( n = 4 ) "), Interaction::polynomial(4));
  EXPECT_EQ(Interaction::parse("log_sum_exp"), Interaction::log_sum_exp(1.0));
  EXPECT_EQ(Interaction::parse("exponential()"), Interaction::exponential(1.0));
  EXPECT_EQ(Interaction::polynomial(3).to_string(), "polynomial(n=3)");
  EXPECT_EQ(Interaction::kind_from_name("rectified_polynomial"), Kind::rectified_polynomial);
}

TEST(Interaction, ValueAndDerivative) {
  EXPECT_DOUBLE_EQ(Interaction::polynomial(3).value(-2), -8);
  EXPECT_DOUBLE_EQ(Interaction::polynomial(3).derivative(-2), 12);
  EXPECT_DOUBLE_EQ(Interaction::rectified_polynomial(3).value(-2), 0);
  EXPECT_DOUBLE_EQ(Interaction::rectified_polynomial(3).derivative(2), 12);
  EXPECT_DOUBLE_EQ(Interaction::exponential(2).derivative(0.5), 2 * std::exp(1.0));
}

TEST(Interaction, RejectsBadSpecsAndParameters) {
  EXPECT_THROW_MESSAGE(Interaction::parse("cubic"), std::invalid_argument,
                       "unknown kind \"cubic\"; expected polynomial");
  EXPECT_THROW_MESSAGE(Interaction::parse("polynomial"), std::invalid_argument,
                       "polynomial needs its degree, e.g. polynomial(n=3)");
  EXPECT_THROW_MESSAGE(Interaction::parse("polynomial(n=2.5)"), std::invalid_argument,
                       "n must be an integer >= 2, got 2.5");
  EXPECT_THROW_MESSAGE(Interaction::parse("polynomial(n=1)"), std::invalid_argument,
                       "n must be an integer >= 2, got 1");
  EXPECT_THROW_MESSAGE(Interaction::parse("rectified_polynomial(n=1.5)"), std::invalid_argument,
                       "n must be finite and >= 2, got 1.5");
  EXPECT_THROW_MESSAGE(Interaction::parse("exponential(beta=0)"), std::invalid_argument,
                       "Interaction exponential: beta must be positive and finite, got 0");
  EXPECT_THROW_MESSAGE(Interaction::parse("log_sum_exp(beta=-1)"), std::invalid_argument,
                       "beta must be positive and finite, got -1");
  EXPECT_THROW_MESSAGE(Interaction::parse("log_sum_exp(beta=fast)"), std::invalid_argument,
                       "\"fast\" is not a number");
  EXPECT_THROW_MESSAGE(Interaction::parse("log_sum_exp(n=3)"), std::invalid_argument,
                       "unknown parameter \"n\" for log_sum_exp; expected beta");
  EXPECT_THROW_MESSAGE(Interaction::parse("polynomial(n=3"), std::invalid_argument, "missing ')'");
  EXPECT_THROW_MESSAGE(Interaction::parse("polynomial(3)"), std::invalid_argument,
                       "expected key=value, got \"3\"");
  EXPECT_THROW_MESSAGE(Interaction::polynomial(NAN), std::invalid_argument, "got nan");
  EXPECT_THROW_MESSAGE(Interaction::exponential(INFINITY), std::invalid_argument, "got inf");
}

TEST(MemorySynapse, RejectsBadPatternsAndInteractions) {
  EXPECT_THROW_MESSAGE(MemorySynapse<double>(Mat<double>(0, 3), Interaction::polynomial(2)),
                       std::invalid_argument, "xi must be non-empty (K x D), got 0x3");
  Mat<double> xi = small_xi();
  xi(1, 0) = NAN;
  EXPECT_THROW_MESSAGE(MemorySynapse<double>(xi, Interaction::polynomial(2)), std::invalid_argument,
                       "MemorySynapse: xi contains NaN at (1, 0)");
  Interaction bad = Interaction::polynomial(2);
  bad.n = 2.5;  // a hand-edited interaction is checked again
  EXPECT_THROW_MESSAGE(MemorySynapse<double>(small_xi(), bad), std::invalid_argument,
                       "n must be an integer >= 2, got 2.5");
  const MemorySynapse<double> syn(small_xi(), Interaction::log_sum_exp(1));
  EXPECT_THROW_MESSAGE(syn.energy({Mat<double>::Zero(2, 3)}), std::invalid_argument,
                       "operand 0 must have 2 columns, got 3");
}

}  // namespace
}  // namespace engram
