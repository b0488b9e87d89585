// Second derivatives of every synapse (Synapse::grad_directional) against central differences of
// its gradient in double, and the symmetry of the Hessian they define (SPEC M-02, M-23).
#include <engram/synapses.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"
#include "support/synapse_cases.hpp"

namespace engram {
namespace {

using test::central_difference;
using test::expect_derivative;

using test::all_cases;
using test::Case;
using test::random_operands;
using test::views;

class GradDirectionalTest : public ::testing::TestWithParam<Case> {};

TEST_P(GradDirectionalTest, MatchesCentralDifferencesOfTheGradient) {
  for (std::uint64_t seed : {1, 2, 3})
    for (double scale : {0.5, 2.0}) {
      Rng rng(seed);
      const auto syn = GetParam().make(rng);
      const std::vector<Mat<double>> xs = random_operands(*syn, rng, scale);
      const std::vector<Mat<double>> us = random_operands(*syn, rng, 1.0);
      const std::vector<Mat<double>> hu = syn->grad_directional(views(xs), views(us));
      ASSERT_EQ(hu.size(), xs.size());
      double length = 0.0;
      for (const auto& x : xs) length = std::max(length, x.cwiseAbs().maxCoeff());
      // d/dt of grad_k(x + t u)(b, i) at t = 0, one entry at a time.
      for (std::size_t k = 0; k < xs.size(); ++k)
        for (Index b = 0; b < xs[k].rows(); ++b)
          for (Index i = 0; i < xs[k].cols(); ++i) {
            auto f = [&](const Mat<double>& t) {
              std::vector<Mat<double>> ys = xs;
              for (std::size_t m = 0; m < ys.size(); ++m) ys[m] += t(0, 0) * us[m];
              return syn->grad(views(ys))[k](b, i);
            };
            expect_derivative(
                hu[k](b, i),
                central_difference(f, Mat<double>::Zero(1, 1), Mat<double>::Ones(1, 1),
                                   test::fd_step(length)),
                1e-7, fmt::format("operand {} ({}, {}) seed {} scale {}", k, b, i, seed, scale),
                1e-9);
          }
    }
}

TEST_P(GradDirectionalTest, DefinesASymmetricHessian) {
  // ⟨w, H u⟩ = ⟨u, H w⟩ per sample: H is the Hessian of a scalar energy.
  Rng rng(11);
  const auto syn = GetParam().make(rng);
  const std::vector<Mat<double>> xs = random_operands(*syn, rng, 1.0);
  const std::vector<Mat<double>> us = random_operands(*syn, rng, 1.0);
  const std::vector<Mat<double>> ws = random_operands(*syn, rng, 1.0);
  const std::vector<Mat<double>> hu = syn->grad_directional(views(xs), views(us));
  const std::vector<Mat<double>> hw = syn->grad_directional(views(xs), views(ws));
  for (Index b = 0; b < xs[0].rows(); ++b) {
    double whu = 0.0, uhw = 0.0, scale = 0.0;
    for (std::size_t k = 0; k < xs.size(); ++k) {
      whu += ws[k].row(b).dot(hu[k].row(b));
      uhw += us[k].row(b).dot(hw[k].row(b));
      scale += ws[k].row(b).cwiseAbs().dot(hu[k].row(b).cwiseAbs());
    }
    EXPECT_NEAR(whu, uhw, 1e-12 * (1.0 + scale)) << "sample " << b;
  }
}

TEST_P(GradDirectionalTest, IsLinearInTheDirectionsAndRejectsWrongShapes) {
  Rng rng(12);
  const auto syn = GetParam().make(rng);
  const std::vector<Mat<double>> xs = random_operands(*syn, rng, 1.0);
  std::vector<Mat<double>> us = random_operands(*syn, rng, 1.0);
  const std::vector<Mat<double>> hu = syn->grad_directional(views(xs), views(us));
  std::vector<Mat<double>> twice = us;
  for (auto& u : twice) u *= -3.0;
  const std::vector<Mat<double>> h3 = syn->grad_directional(views(xs), views(twice));
  for (std::size_t k = 0; k < xs.size(); ++k)
    EXPECT_LT(test::max_relative_gap(h3[k], Mat<double>(-3.0 * hu[k])), 1e-12);

  us.back() = Mat<double>::Zero(2, us.back().cols());
  EXPECT_THROW_MESSAGE(syn->grad_directional(views(xs), views(us)), std::invalid_argument,
                       "direction");
  us.pop_back();
  EXPECT_THROW_MESSAGE(syn->grad_directional(views(xs), views(us)), std::invalid_argument,
                       "direction(s)");
}

INSTANTIATE_TEST_SUITE_P(AllSynapses, GradDirectionalTest, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return info.param.label; });

TEST(Interaction, SecondDerivativeInClosedForm) {
  EXPECT_DOUBLE_EQ(Interaction::polynomial(3).second_derivative(-2.0), -12.0);
  EXPECT_DOUBLE_EQ(Interaction::polynomial(2).second_derivative(-5.0), 2.0);
  EXPECT_DOUBLE_EQ(Interaction::rectified_polynomial(3).second_derivative(2.0), 12.0);
  EXPECT_DOUBLE_EQ(Interaction::rectified_polynomial(3).second_derivative(-2.0), 0.0);
  EXPECT_DOUBLE_EQ(Interaction::exponential(0.5).second_derivative(2.0), 0.25 * std::exp(1.0));
}

/// A synapse defined outside engram, without second derivatives.
class Plain final : public Synapse<double> {
 public:
  Plain() : Synapse<double>("Plain") {}
  std::unique_ptr<Synapse<double>> clone() const override { return std::make_unique<Plain>(*this); }
  std::string name() const override { return "plain"; }
  std::vector<Index> operand_sizes() const override { return {2}; }

 private:
  void do_evaluate(Operands<double>, Energies* e, Gradients<double>) const override {
    if (e) e->setZero();
  }
  std::vector<Mat<double>> do_param_grad(Operands<double>) const override { return {}; }
};

TEST(Synapse, WithoutSecondDerivativesSaysSo) {
  const Mat<double> x = Mat<double>::Ones(1, 2);
  EXPECT_THROW_MESSAGE(Plain().grad_directional({x}, {x}), std::logic_error,
                       "plain (Plain) has no second derivatives");
}

}  // namespace
}  // namespace engram
