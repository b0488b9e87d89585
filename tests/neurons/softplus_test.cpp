// The dilogarithm against its defining derivative, exact special values and the duplication
// formula; the softplus Lagrangian's energy against a quadrature of ∫ φ⁻¹ (SPEC M-01, M-11).
#include <engram/neurons/softplus.hpp>

#include <numbers>

#include "support/check.hpp"

namespace engram {
namespace {

constexpr double kPi2 = std::numbers::pi * std::numbers::pi;

TEST(Dilog, SpecialValuesFromTheSeriesDefinition) {
  const double ln2 = std::log(2.0);
  EXPECT_EQ(dilog(0.0), 0.0);
  EXPECT_NEAR(dilog(1.0), kPi2 / 6.0, 1e-15);
  EXPECT_NEAR(dilog(-1.0), -kPi2 / 12.0, 1e-15);
  EXPECT_NEAR(dilog(0.5), kPi2 / 12.0 - 0.5 * ln2 * ln2, 1e-15);
  for (double x : {0.1, -0.3, 0.45}) {
    double sum = 0.0;
    for (int k = 1; k < 80; ++k) sum += std::pow(x, k) / (k * k);
    EXPECT_NEAR(dilog(x), sum, 1e-16 + 1e-15 * std::abs(sum)) << "x = " << x;
  }
}

TEST(Dilog, DerivativeIsMinusLogOneMinusXOverX) {
  // Li₂'(x) = −ln(1 − x)/x; the stencils straddle the branch points −1, −½ and ½.
  for (double x : {-80.0, -3.0, -1.2, -1.0, -0.8, -0.5, -0.3, 0.2, 0.5, 0.7, 0.9, 0.98}) {
    const Mat<double> at = Mat<double>::Constant(1, 1, x), d = Mat<double>::Ones(1, 1);
    auto f = [](const Mat<double>& y) { return dilog(y(0, 0)); };
    // Li₂' varies on the scale 1 − x near the singularity at 1.
    const double h = std::pow(std::numeric_limits<double>::epsilon(), 0.2) * std::min(1.0, 1.0 - x);
    test::expect_derivative(-std::log1p(-x) / x, test::central_difference(f, at, d, h), 1e-9,
                            fmt::format("Li2'({})", x));
  }
}

TEST(Dilog, DuplicationFormulaHolds) {
  // Li₂(x) + Li₂(−x) = ½ Li₂(x²): relates values computed on different branches.
  for (double x : {0.3, 0.6, 0.75, 0.9, 0.99, 1.0})
    EXPECT_NEAR(dilog(x) + dilog(-x), 0.5 * dilog(x * x), 2e-15) << "x = " << x;
}

TEST(Dilog, RejectsTheComplexBranch) {
  EXPECT_THROW_MESSAGE(dilog(1.5), std::invalid_argument,
                       "dilog: x must be <= 1 (the real branch), got 1.5");
  EXPECT_TRUE(std::isnan(dilog(std::nan(""))));
}

/// ∫₀^V β⁻¹ ln(e^s − 1) ds by Simpson's rule after s = t² (the log singularity at 0 becomes
/// t ln t, which the rule integrates to ~1e-9 with this many panels).
double integral_of_inverse(double V, double beta) {
  const int n = 20000;
  const double a = 0.0, b = std::sqrt(V), h = (b - a) / n;
  auto g = [&](double t) {
    if (t == 0.0) return 0.0;
    const double s = t * t;
    return 2.0 * t * (s + std::log(-std::expm1(-s))) / beta;  // ln(e^s − 1) = s + ln(1 − e^−s)
  };
  double sum = g(a) + g(b);
  for (int i = 1; i < n; ++i) sum += (i % 2 ? 4.0 : 2.0) * g(a + i * h);
  return sum * h / 3.0;
}

TEST(Softplus, EnergyIsTheIntegralOfTheInverseActivation) {
  for (double beta : {1.0, 0.4, 3.0}) {
    Mat<double> x(1, 7);
    x << -6.0, -1.0, -0.2, 0.0, 0.3, 2.0, 9.0;
    x /= beta;
    const Softplus<double> L(beta);
    const Mat<double> v = L.activation(x);
    for (Index i = 0; i < x.cols(); ++i) {
      const double energy = L.energy(x.col(i))(0);
      EXPECT_NEAR(energy, integral_of_inverse(v(0, i), beta), 1e-7)
          << "beta " << beta << " x " << x(0, i);
    }
    // The minimum −π²/(12β) per unit, at x = 0 where x̂ = log 2 = φ⁻¹'s root.
    EXPECT_NEAR(L.energy(Mat<double>::Zero(1, 3))(0), -3.0 * kPi2 / (12.0 * beta), 1e-14);
    EXPECT_NEAR(v(0, 3), std::log(2.0), 1e-15);
  }
}

TEST(Softplus, LagrangianIsMinusDilogOfMinusExp) {
  const Softplus<double> L(0.5);
  Mat<double> x(1, 4);
  x << -4.0, -0.5, 0.7, 3.0;  // βx = −2, −0.25, 0.35, 1.5: e^{βx} ≤ e^{1.5}, direct formula is fine
  for (Index i = 0; i < 4; ++i)
    EXPECT_NEAR(L.value(x.col(i))(0), -dilog(-std::exp(0.5 * x(0, i))) / 0.5, 1e-14);
  EXPECT_THROW_MESSAGE(Softplus<double>(0.0), std::invalid_argument, "Softplus: beta");
  EXPECT_EQ(L.kind(), "softplus");
  EXPECT_EQ(L.hyperparameters().at("beta"), 0.5);
}

}  // namespace
}  // namespace engram
