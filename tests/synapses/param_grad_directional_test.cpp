// Mixed second derivatives of every synapse (Synapse::param_grad_directional) against central
// differences of its parameter gradient along the operand directions, in double (SPEC M-35).
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

class ParamGradDirectionalTest : public ::testing::TestWithParam<Case> {};

TEST_P(ParamGradDirectionalTest, MatchesCentralDifferencesOfTheParameterGradient) {
  for (std::uint64_t seed : {1, 2, 3})
    for (double scale : {0.5, 2.0}) {
      Rng rng(seed);
      const auto syn = GetParam().make(rng);
      const std::vector<Mat<double>> xs = random_operands(*syn, rng, scale);
      const std::vector<Mat<double>> us = random_operands(*syn, rng, 1.0);
      const std::vector<Mat<double>> pu = syn->param_grad_directional(views(xs), views(us));
      ASSERT_EQ(pu.size(), syn->num_params());
      double length = 0.0;
      for (const auto& x : xs) length = std::max(length, x.cwiseAbs().maxCoeff());
      // d/dε of param_grad(x̂ + εu)_k(i, j) at ε = 0, one entry at a time.
      for (std::size_t k = 0; k < pu.size(); ++k) {
        ASSERT_EQ(pu[k].rows(), syn->param(k).rows());
        ASSERT_EQ(pu[k].cols(), syn->param(k).cols());
        for (Index i = 0; i < pu[k].rows(); ++i)
          for (Index j = 0; j < pu[k].cols(); ++j) {
            auto f = [&](const Mat<double>& t) {
              std::vector<Mat<double>> ys = xs;
              for (std::size_t m = 0; m < ys.size(); ++m) ys[m] += t(0, 0) * us[m];
              return syn->param_grad(views(ys))[k](i, j);
            };
            expect_derivative(
                pu[k](i, j),
                central_difference(f, Mat<double>::Zero(1, 1), Mat<double>::Ones(1, 1),
                                   test::fd_step(length)),
                1e-7, fmt::format("param {} ({}, {}) seed {} scale {}", k, i, j, seed, scale),
                1e-9);
          }
      }
    }
}

TEST_P(ParamGradDirectionalTest, IsTheParameterDerivativeOfTheGradientAlongU) {
  // ∂/∂θ Σ⟨u, ∂E/∂x̂⟩: a central difference in the parameter of ⟨u, grad(x̂)⟩ (the other order
  // of the mixed derivative).
  Rng rng(21);
  auto syn = GetParam().make(rng);
  const std::vector<Mat<double>> xs = random_operands(*syn, rng, 1.0);
  const std::vector<Mat<double>> us = random_operands(*syn, rng, 1.0);
  const std::vector<Mat<double>> pu = syn->param_grad_directional(views(xs), views(us));
  for (std::size_t k = 0; k < pu.size(); ++k) {
    const Mat<double> theta = syn->param(k);
    Mat<double> d = rng.normal<double>(theta.rows(), theta.cols());
    if (syn->kind() == "RecurrentSynapse") {  // keep W symmetric with a zero diagonal
      d = (0.5 * (d + d.transpose())).eval();
      d.diagonal().setZero();
    }
    auto f = [&](const Mat<double>& p) {
      syn->set_param(k, p);
      const std::vector<Mat<double>> g = syn->grad(views(xs));
      double sum = 0.0;
      for (std::size_t m = 0; m < g.size(); ++m) sum += us[m].cwiseProduct(g[m]).sum();
      return sum;
    };
    const auto numeric = central_difference(f, theta, d, test::fd_step(theta));
    syn->set_param(k, theta);
    // A symmetric W's gradient counts W_ij and W_ji once each: the directional derivative is
    // Σ_ij pu_ij d_ij with pu symmetric, as for independent entries.
    expect_derivative(pu[k].cwiseProduct(d).sum(), numeric, 1e-7, fmt::format("param {}", k), 1e-9);
  }
}

TEST_P(ParamGradDirectionalTest, RejectsWrongDirections) {
  Rng rng(12);
  const auto syn = GetParam().make(rng);
  const std::vector<Mat<double>> xs = random_operands(*syn, rng, 1.0);
  std::vector<Mat<double>> us = random_operands(*syn, rng, 1.0);
  us.back() = Mat<double>::Zero(2, us.back().cols());
  EXPECT_THROW_MESSAGE(syn->param_grad_directional(views(xs), views(us)), std::invalid_argument,
                       "param_grad_directional: direction");
  us.pop_back();
  EXPECT_THROW_MESSAGE(syn->param_grad_directional(views(xs), views(us)), std::invalid_argument,
                       "direction(s)");
}

INSTANTIATE_TEST_SUITE_P(AllSynapses, ParamGradDirectionalTest, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return info.param.label; });

/// A synapse defined outside engram, without mixed second derivatives; with one parameter w
/// (E = 0 whatever w) or none.
class Plain final : public Synapse<double> {
 public:
  explicit Plain(bool with_param = true) : Synapse<double>("Plain") {
    if (with_param) add_param("w", Mat<double>::Zero(1, 1));
  }
  std::unique_ptr<Synapse<double>> clone() const override { return std::make_unique<Plain>(*this); }
  std::string name() const override { return "plain"; }
  std::vector<Index> operand_sizes() const override { return {2}; }

 private:
  void do_evaluate(Operands<double>, Energies* e, Gradients<double>) const override {
    if (e) e->setZero();
  }
  std::vector<Mat<double>> do_param_grad(Operands<double>) const override {
    if (num_params() == 0) return {};
    return {Mat<double>::Zero(1, 1)};
  }
};

TEST(Synapse, WithoutMixedSecondDerivativesSaysSo) {
  const Mat<double> x = Mat<double>::Ones(1, 2);
  EXPECT_THROW_MESSAGE(Plain().param_grad_directional({x}, {x}), std::logic_error,
                       "plain (Plain) has no mixed second derivatives");
}

TEST(Synapse, WithoutParametersHasNoMixedSecondDerivativesToGive) {
  const Mat<double> x = Mat<double>::Ones(1, 2);
  EXPECT_TRUE(Plain(false).param_grad_directional({x}, {x}).empty());
}

}  // namespace
}  // namespace engram
