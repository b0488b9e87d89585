// Equations typed as text (SPEC M-20, M-28): values against the same formulas in C++, integration,
// copies, threads, and the errors a user's typing can cause.
#include "engram/analysis/equation_system.hpp"

#include <thread>

#include "engram/analysis/integrate.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using Eigen::VectorXd;

// Seed 002 eq. 9 as the brief writes it.
const char* const kEq9 = "x' = -0.4*x + 0.02*x*y; y' = 0.8*y - 0.01*y^2*x - 0.1*x*y";

VectorXd eq9(const VectorXd& v) {
  const double x = v(0), y = v(1);
  return Eigen::Vector2d(-0.4 * x + 0.02 * x * y, 0.8 * y - 0.01 * y * y * x - 0.1 * x * y);
}

TEST(EquationSystem, EvaluatesTheTypedFormulas) {
  const EquationSystem sys(kEq9);
  EXPECT_EQ(sys.dim(), 2);
  EXPECT_EQ(sys.names(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(sys.expressions()[1], "0.8*y - 0.01*y^2*x - 0.1*x*y");
  EXPECT_EQ(sys.description(), "x' = -0.4*x + 0.02*x*y; y' = 0.8*y - 0.01*y^2*x - 0.1*x*y");
  for (const VectorXd& p : {VectorXd(Eigen::Vector2d(1.5, -2.0)), VectorXd(Eigen::Vector2d(30, 7)),
                            VectorXd(Eigen::Vector2d(0, 0))})
    EXPECT_LT((sys.rate(p) - eq9(p)).cwiseAbs().maxCoeff(), 1e-13 * (1 + eq9(p).norm()));
  EXPECT_FALSE(sys.has_jacobian());
  const VectorXd p = Eigen::Vector2d(3.0, 4.0);
  Eigen::Matrix2d J;  // ∂f/∂(x, y) by hand
  J << -0.4 + 0.02 * 4, 0.02 * 3, -0.01 * 16 - 0.1 * 4, 0.8 - 0.02 * 4 * 3 - 0.1 * 3;
  EXPECT_LT((sys.jacobian(p) - J).cwiseAbs().maxCoeff(), 1e-7);
}

TEST(EquationSystem, NewlinesCommentsConstantsFunctionsAndDdtForm) {
  const EquationSystem sys(
      "# a damped pendulum\n"
      "theta' = omega\n"
      "domega/dt = -g/l*sin(theta) - c*omega   # friction\n",
      {{"g", 9.81}, {"l", 2.0}, {"c", 0.25}});
  EXPECT_EQ(sys.names(), (std::vector<std::string>{"theta", "omega"}));
  const VectorXd p = Eigen::Vector2d(0.3, -1.1);
  EXPECT_NEAR(sys.rate(p)(0), -1.1, 1e-15);
  EXPECT_NEAR(sys.rate(p)(1), -9.81 / 2.0 * std::sin(0.3) + 0.25 * 1.1, 1e-14);
  const EquationSystem fns("u' = exp(u) + tanh(u) - sqrt(abs(u)) + _pi");
  EXPECT_NEAR(fns.rate(VectorXd::Constant(1, -0.7))(0),
              std::exp(-0.7) + std::tanh(-0.7) - std::sqrt(0.7) + M_PI, 1e-14);
}

TEST(EquationSystem, IntegratesToTheClosedForm) {
  // x' = −k x, y' = x: x = e^{−kt}, y = (1 − e^{−kt})/k from (1, 0).
  const EquationSystem sys("x' = -k*x; y' = x", {{"k", 0.5}});
  const Trajectory tr = integrate(sys, Eigen::Vector2d(1.0, 0.0), 4.0);
  EXPECT_NEAR(tr.final_state()(0), std::exp(-2.0), 1e-7);
  EXPECT_NEAR(tr.final_state()(1), (1 - std::exp(-2.0)) / 0.5, 1e-7);
}

TEST(EquationSystem, CopiesAndThreadsEvaluateIndependently) {
  const EquationSystem a(kEq9);
  EquationSystem b = a;
  EquationSystem c("z' = 1");
  c = b;
  const VectorXd p = Eigen::Vector2d(2.0, 5.0);
  EXPECT_EQ(b.rate(p), a.rate(p));
  EXPECT_EQ(c.rate(p), a.rate(p));
  // One system shared by several threads: the lock keeps every evaluation whole.
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const VectorXd q = Eigen::Vector2d(t + 0.001 * i, -t + 0.5);
        if ((a.rate(q) - eq9(q)).cwiseAbs().maxCoeff() > 1e-12) ++wrong[t];
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(EquationSystem, ErrorsNameTheProblem) {
  EXPECT_THROW_MESSAGE(EquationSystem(" ; \n "), std::invalid_argument, "no equations");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = -x + z; y' = x"), std::invalid_argument,
                       "unknown variable 'z' in the equation for x' (variables: x, y)");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = -a*x + t", {{"a", 1.0}}), std::invalid_argument,
                       "unknown variable 't' in the equation for x' (variables: x; constants: a); "
                       "the system must be autonomous");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = y; y' = 0.8*y - "), std::invalid_argument,
                       "syntax error in the equation for y' at position 8 of \"0.8*y -\" "
                       "(position 21 of the text): Unexpected end of expression");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = sinn(x)"), std::invalid_argument,
                       "unknown function 'sinn' (functions: ");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = 1; x' = 2"), std::invalid_argument,
                       "variable 'x' is defined twice");
  EXPECT_THROW_MESSAGE(EquationSystem("x = 1"), std::invalid_argument,
                       "the left side must be a variable with a prime");
  EXPECT_THROW_MESSAGE(EquationSystem("x' -x"), std::invalid_argument, "is not an equation");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = "), std::invalid_argument, "has no right side");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = x, 2"), std::invalid_argument, "gives 2 values");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = x", {{"x", 1.0}}), std::invalid_argument,
                       "'x' is both a variable and a constant");
  EXPECT_THROW_MESSAGE(EquationSystem("x' = x").rate(VectorXd::Zero(2)), std::invalid_argument,
                       "expected 1 values (x), got 2");
}

}  // namespace
}  // namespace engram
