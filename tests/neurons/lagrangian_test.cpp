// Every Lagrangian against finite differences in double (activation = ∇L, hvp = ∇x̂ · v), the
// Legendre identity ∂E/∂x̂ = x, convexity, and finiteness at extreme inputs in float and double.
#include <engram/neurons.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::central_difference;
using test::expect_derivative;
using test::fd_step;

struct LagrangianCase {
  std::string label;
  std::function<LagrangianPtr<double>(double beta)> make_double;
  std::function<LagrangianPtr<float>(double beta)> make_float;
  double beta;  ///< the case's inverse temperature (ignored by families without one)
};

void PrintTo(const LagrangianCase& c, std::ostream* os) {
  *os << c.label;
}

template <template <class> class F>
LagrangianCase with_beta(std::string label, double beta) {
  return {std::move(label), [](double b) { return std::make_shared<const F<double>>(b); },
          [](double b) { return std::make_shared<const F<float>>(b); }, beta};
}

template <template <class> class F>
LagrangianCase plain(std::string label) {
  return {std::move(label), [](double) { return std::make_shared<const F<double>>(); },
          [](double) { return std::make_shared<const F<float>>(); }, 1.0};
}

LagrangianCase polynomial(std::string label, double n) {
  return {std::move(label),
          [n](double) { return std::make_shared<const RectifiedPolynomial<double>>(n); },
          [n](double) { return std::make_shared<const RectifiedPolynomial<float>>(n); }, 1.0};
}

std::vector<LagrangianCase> all_cases() {
  return {plain<Identity>("identity"),
          with_beta<Sigmoid>("sigmoid_beta1", 1.0),
          with_beta<Sigmoid>("sigmoid_beta_seed001", 1.0 / 60.0),
          with_beta<Tanh>("tanh_beta1", 1.0),
          with_beta<Tanh>("tanh_beta2_5", 2.5),
          with_beta<Softmax>("softmax_beta1", 1.0),
          with_beta<Softmax>("softmax_beta4", 4.0),
          with_beta<Softplus>("softplus_beta1", 1.0),
          with_beta<Softplus>("softplus_beta0_3", 0.3),
          plain<Relu>("relu"),
          plain<HardSigmoid>("hard_sigmoid"),
          polynomial("rectified_polynomial_3", 3.0),
          polynomial("rectified_polynomial_4_5", 4.5)};
}

/// Inputs on the family's natural scale 1/β, kept away from 0 where ReLU-like families have a kink;
/// `large` gives |x| in [500, 1000] / min(β, 1) with random signs.
Mat<double> inputs(std::uint64_t seed, double beta, bool large) {
  Rng rng(seed);
  const double scale = 1.0 / std::min(beta, 1.0);
  Mat<double> x = large ? rng.uniform<double>(3, 5, 500.0, 1000.0) * scale
                        : rng.normal<double>(3, 5, 0.0, 1.5 * scale);
  const Mat<double> sign = rng.uniform<double>(3, 5, -1.0, 1.0);
  for (Index i = 0; i < x.size(); ++i) {
    double& v = x.data()[i];
    if (large) v = sign.data()[i] < 0 ? -v : v;
    v += (v < 0 ? -0.1 : 0.1) * scale;
  }
  return x;
}

class LagrangianTest : public ::testing::TestWithParam<LagrangianCase> {
 protected:
  LagrangianPtr<double> L = GetParam().make_double(GetParam().beta);
  double beta = GetParam().beta;
};

TEST_P(LagrangianTest, ActivationIsGradientOfValue) {
  for (std::uint64_t seed : {1, 2, 3})
    for (bool large : {false, true}) {
      const Mat<double> x = inputs(seed, beta, large);
      const Mat<double> xhat = L->activation(x);
      auto f = [&](const Mat<double>& y) { return L->value(y).sum(); };
      for (Index b = 0; b < x.rows(); ++b)
        for (Index i = 0; i < x.cols(); ++i) {
          Mat<double> d = Mat<double>::Zero(x.rows(), x.cols());
          d(b, i) = 1.0;
          expect_derivative(xhat(b, i), central_difference(f, x, d, fd_step(1.0 / beta)), 1e-6,
                            fmt::format("dL/dx({},{}) seed {} large {}", b, i, seed, large));
        }
    }
}

TEST_P(LagrangianTest, HvpMatchesDifferencesOfActivations) {
  for (std::uint64_t seed : {4, 5, 6})
    for (bool large : {false, true}) {
      const Mat<double> x = inputs(seed, beta, large);
      const Mat<double> v = Rng(seed + 100).normal<double>(x.rows(), x.cols());
      const Mat<double> Hv = L->hvp(x, v);
      for (Index b = 0; b < x.rows(); ++b)
        for (Index i = 0; i < x.cols(); ++i) {
          auto f = [&](const Mat<double>& y) { return L->activation(y)(b, i); };
          expect_derivative(Hv(b, i), central_difference(f, x, v, fd_step(1.0 / beta)), 1e-6,
                            fmt::format("(Hv)({},{}) seed {} large {}", b, i, seed, large));
        }
    }
}

TEST_P(LagrangianTest, LegendreIdentityEnergyGradientIsState) {
  // ∂E/∂x̂ = x  ⇔  along any direction d, dE = x · dx̂ = x · (∇²L d).
  for (std::uint64_t seed : {7, 8, 9})
    for (bool large : {false, true}) {
      const Mat<double> x = inputs(seed, beta, large);
      const Mat<double> d = Rng(seed + 100).normal<double>(x.rows(), x.cols());
      const double analytic = x.cwiseProduct(L->hvp(x, d)).sum();
      auto f = [&](const Mat<double>& y) { return L->energy(y).sum(); };
      // E = x̂·x − L(x) is formed from pieces this large; its rounding is relative to them.
      const double pieces =
          L->activation(x).cwiseProduct(x).cwiseAbs().sum() + L->value(x).cwiseAbs().sum();
      const double h = fd_step(1.0 / beta);
      expect_derivative(analytic, central_difference(f, x, d, h), 1e-6,
                        fmt::format("dE along d, seed {} large {}", seed, large),
                        100 * std::numeric_limits<double>::epsilon() * pieces / h);
    }
}

TEST_P(LagrangianTest, EnergyIsLegendreTransformOfValue) {
  for (std::uint64_t seed : {10, 11}) {
    const Mat<double> x = inputs(seed, beta, false);
    const Energies naive = L->activation(x).cwiseProduct(x).rowwise().sum() - L->value(x);
    const Energies stable = L->energy(x);
    for (Index b = 0; b < x.rows(); ++b)
      EXPECT_NEAR(stable(b), naive(b), 1e-10 * std::max(1.0, L->value(x).cwiseAbs().maxCoeff()));
  }
}

TEST_P(LagrangianTest, ActivationIsMonotoneBecauseLIsConvex) {
  // (∇L(x) − ∇L(y)) · (x − y) ≥ 0 for a convex L; and vᵀ ∇²L v ≥ 0.
  for (std::uint64_t seed : {12, 13, 14}) {
    const Mat<double> x = inputs(seed, beta, false), y = inputs(seed + 50, beta, false);
    const Mat<double> v = Rng(seed).normal<double>(x.rows(), x.cols());
    EXPECT_GE((L->activation(x) - L->activation(y)).cwiseProduct(x - y).rowwise().sum().minCoeff(),
              -1e-12);
    EXPECT_GE(L->hvp(x, v).cwiseProduct(v).rowwise().sum().minCoeff(), -1e-12);
  }
}

template <class T>
void expect_all_finite(const Lagrangian<T>& L, const Mat<T>& x) {
  const Mat<T> v = Mat<T>::Ones(x.rows(), x.cols());
  EXPECT_TRUE(L.value(x).allFinite()) << L.name();
  EXPECT_TRUE(L.energy(x).allFinite()) << L.name();
  EXPECT_TRUE(L.activation(x).allFinite()) << L.name();
  EXPECT_TRUE(L.hvp(x, v).allFinite()) << L.name();
}

TEST_P(LagrangianTest, FiniteAtAbsXOf1e4AndBetaOf1e3) {
  Mat<double> x(3, 4);
  x << 1e4, -1e4, 0.0, 1e-30, -1e4, -1e4, -1e4, -1e4, 1e4, 1e4, 1e4, 3.0;
  for (double b : {beta, 1e3}) {
    expect_all_finite<double>(*GetParam().make_double(b), x);
    expect_all_finite<float>(*GetParam().make_float(b), x.cast<float>());
  }
}

TEST_P(LagrangianTest, FloatAgreesWithDouble) {
  const Mat<float> xf = inputs(15, beta, false).cast<float>();
  const Mat<double> x = xf.cast<double>();
  const auto Lf = GetParam().make_float(beta);
  EXPECT_LT(test::max_relative_gap(Lf->activation(xf).cast<double>(), L->activation(x)), 1e-5);
  // Values and energies are formed in double from the same inputs.
  EXPECT_LT(test::max_relative_gap(Lf->energy(xf), L->energy(x)), 1e-12);
  EXPECT_LT(test::max_relative_gap(Lf->value(xf), L->value(x)), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, LagrangianTest, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace engram
