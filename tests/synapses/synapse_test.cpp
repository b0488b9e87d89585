// Every synapse against finite differences in double: ∂E/∂x̂ for each operand and ∂E/∂θ for each
// parameter (SPEC M-02), plus independence of batch rows.
#include <engram/synapses.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::central_difference;
using test::expect_derivative;

struct SynapseCase {
  std::string label;
  std::function<SynapsePtr<double>(Rng&)> make;
};

void PrintTo(const SynapseCase& c, std::ostream* os) {
  *os << c.label;
}

Mat<double> symmetric_zero_diagonal(Index n, Rng& rng) {
  Mat<double> W = rng.normal<double>(n, n);
  W = (0.5 * (W + W.transpose())).eval();
  W.diagonal().setZero();
  return W;
}

std::vector<SynapseCase> all_cases() {
  return {
      {"dense",
       [](Rng& r) { return std::make_unique<DenseSynapse<double>>(r.normal<double>(4, 3)); }},
      {"recurrent",
       [](Rng& r) {
         return std::make_unique<RecurrentSynapse<double>>(symmetric_zero_diagonal(5, r));
       }},
      {"bias",
       [](Rng& r) { return std::make_unique<BiasSynapse<double>>(r.normal<double>(1, 4)); }},
      {"l2", [](Rng& r) { return std::make_unique<L2Synapse<double>>(r.uniform<double>(6, 4)); }},
      {"label",
       [](Rng& r) { return std::make_unique<LabelSynapse<double>>(r.uniform<double>(6, 3), 2.5); }},
      {"memory_polynomial",
       [](Rng& r) {
         return std::make_unique<MemorySynapse<double>>(r.normal<double>(5, 4),
                                                        Interaction::polynomial(3));
       }},
      {"memory_rectified",
       [](Rng& r) {
         return std::make_unique<MemorySynapse<double>>(r.normal<double>(5, 4),
                                                        Interaction::rectified_polynomial(2.5));
       }},
      {"memory_exponential",  // small patterns keep β·m well inside exp's range at scale 300
       [](Rng& r) {
         return std::make_unique<MemorySynapse<double>>(r.normal<double>(5, 4, 0.0, 0.01),
                                                        Interaction::exponential(0.5));
       }},
      {"memory_lse",
       [](Rng& r) {
         return std::make_unique<MemorySynapse<double>>(r.normal<double>(6, 4),
                                                        Interaction::log_sum_exp(2.0));
       }},
  };
}

/// Random activations for every operand: batch 3, entries on the scale `scale`.
std::vector<Mat<double>> operands_for(const Synapse<double>& s, Rng& rng, double scale) {
  std::vector<Mat<double>> xs;
  for (Index size : s.operand_sizes()) xs.push_back(rng.normal<double>(3, size, 0.0, scale));
  return xs;
}

std::vector<MatCRef<double>> views(const std::vector<Mat<double>>& xs) {
  return {xs.begin(), xs.end()};
}

class SynapseTest : public ::testing::TestWithParam<SynapseCase> {};

TEST_P(SynapseTest, ActivationGradientMatchesFiniteDifferences) {
  for (std::uint64_t seed : {1, 2, 3})
    for (double scale : {1.0, 300.0}) {
      Rng rng(seed);
      const auto syn = GetParam().make(rng);
      std::vector<Mat<double>> xs = operands_for(*syn, rng, scale);
      const std::vector<Mat<double>> grads = syn->grad(views(xs));
      for (std::size_t k = 0; k < xs.size(); ++k)
        for (Index b = 0; b < xs[k].rows(); ++b)
          for (Index i = 0; i < xs[k].cols(); ++i) {
            auto f = [&](const Mat<double>& y) {
              std::vector<Mat<double>> ys = xs;
              ys[k] = y;
              return syn->energy(views(ys)).sum();
            };
            Mat<double> d = Mat<double>::Zero(xs[k].rows(), xs[k].cols());
            d(b, i) = 1.0;
            expect_derivative(
                grads[k](b, i), central_difference(f, xs[k], d, test::fd_step(xs[k])), 1e-6,
                fmt::format("dE/dxhat_{}({},{}) seed {} scale {}", k, b, i, seed, scale));
          }
    }
}

TEST_P(SynapseTest, ParameterGradientMatchesFiniteDifferences) {
  for (std::uint64_t seed : {4, 5, 6}) {
    Rng rng(seed);
    const auto syn = GetParam().make(rng);
    const std::vector<Mat<double>> xs = operands_for(*syn, rng, 1.0);
    const std::vector<Mat<double>> pg = syn->param_grad(views(xs));
    ASSERT_EQ(pg.size(), syn->num_params());
    for (std::size_t k = 0; k < syn->num_params(); ++k) {
      const Mat<double> theta = syn->param(k);
      ASSERT_EQ(pg[k].rows(), theta.rows());
      ASSERT_EQ(pg[k].cols(), theta.cols());
      // A random direction the parameter may move in (symmetric, zero diagonal for recurrent W).
      Mat<double> d = GetParam().label == "recurrent"
                          ? symmetric_zero_diagonal(theta.rows(), rng)
                          : rng.normal<double>(theta.rows(), theta.cols());
      auto f = [&](const Mat<double>& t) {
        auto copy = syn->clone();
        copy->set_param(k, t);
        return copy->energy(views(xs)).sum();
      };
      expect_derivative(pg[k].cwiseProduct(d).sum(),
                        central_difference(f, theta, d, test::fd_step(theta)), 1e-6,
                        fmt::format("dE/d{} seed {}", syn->param_names()[k], seed));
    }
  }
}

TEST_P(SynapseTest, BatchRowsAreIndependent) {
  Rng rng(7);
  const auto syn = GetParam().make(rng);
  const std::vector<Mat<double>> xs = operands_for(*syn, rng, 1.0);
  const Energies batch = syn->energy(views(xs));
  const std::vector<Mat<double>> grads = syn->grad(views(xs));
  for (Index b = 0; b < xs[0].rows(); ++b) {
    std::vector<Mat<double>> row;
    for (const auto& x : xs) row.push_back(x.row(b));
    EXPECT_NEAR(syn->energy(views(row))(0), batch(b), 1e-12 * (1 + std::abs(batch(b))));
    const std::vector<Mat<double>> g = syn->grad(views(row));
    for (std::size_t k = 0; k < xs.size(); ++k)
      EXPECT_LT(test::max_relative_gap(g[k], grads[k].row(b)), 1e-12);
  }
}

TEST_P(SynapseTest, RejectsWrongOperands) {
  Rng rng(8);
  const auto syn = GetParam().make(rng);
  std::vector<Mat<double>> xs = operands_for(*syn, rng, 1.0);
  std::vector<Mat<double>> fewer(xs.begin(), xs.end() - 1);
  EXPECT_THROW_MESSAGE(syn->energy(views(fewer)), std::invalid_argument,
                       fmt::format("expected {} operand(s), got {}", xs.size(), fewer.size()));
  xs.back() = Mat<double>::Zero(3, xs.back().cols() + 1);
  EXPECT_THROW_MESSAGE(
      syn->grad(views(xs)), std::invalid_argument,
      fmt::format("must have {} columns, got {}", xs.back().cols() - 1, xs.back().cols()));
}

TEST_P(SynapseTest, RejectsNonFiniteOrMisshapenParameters) {
  Rng rng(9);
  const auto syn = GetParam().make(rng);
  Mat<double> bad = syn->param(0);
  bad(0, bad.cols() - 1) = std::nan("");
  EXPECT_THROW_MESSAGE(syn->set_param(0, bad), std::invalid_argument,
                       fmt::format("contains NaN at (0, {})", bad.cols() - 1));
  EXPECT_THROW_MESSAGE(syn->set_param(0, Mat<double>::Zero(bad.rows() + 1, bad.cols())),
                       std::invalid_argument, "expected shape");
  EXPECT_THROW_MESSAGE(syn->set_param(1, syn->param(0)), std::invalid_argument, "out of range");
}

INSTANTIATE_TEST_SUITE_P(AllSynapses, SynapseTest, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace engram
