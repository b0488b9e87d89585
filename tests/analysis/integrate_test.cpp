// Vector fields and integrators (SPEC M-20) against closed forms derived by hand.
#include "engram/analysis/integrate.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "engram/analysis/vector_field.hpp"
#include "engram/neurons/tanh.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// dx/dt = A x with A = [[−a, w], [−w, −a]]: x(t) = e^{−at} R(−wt) x0, a damped rotation.
VectorXd damped_rotation(double a, double w, const VectorXd& x0, double t) {
  const double c = std::cos(w * t), s = std::sin(w * t), g = std::exp(-a * t);
  return g * Eigen::Vector2d(c * x0(0) + s * x0(1), -s * x0(0) + c * x0(1));
}

TEST(LinearField, ClosedFormSolutionIsTheDampedRotation) {
  MatrixXd A(2, 2);
  A << -0.1, 2.0, -2.0, -0.1;
  const LinearField field(A);
  const VectorXd x0 = Eigen::Vector2d(1.0, -0.5);
  for (double t : {0.0, 0.3, 2.0, 7.5})
    EXPECT_LT((field.solution(x0, t) - damped_rotation(0.1, 2.0, x0, t)).norm(), 1e-12) << t;
}

TEST(LinearField, RefusesADefectiveMatrix) {
  MatrixXd J(2, 2);
  J << 1.0, 1.0, 0.0, 1.0;  // a Jordan block: one eigenvector
  EXPECT_THROW_MESSAGE(LinearField(J).solution(VectorXd::Ones(2), 1.0), std::invalid_argument,
                       "not diagonalisable");
}

TEST(Integrate, EachMethodFollowsTheDampedRotation) {
  MatrixXd A(2, 2);
  A << -0.1, 2.0, -2.0, -0.1;
  const LinearField field(A);
  const VectorXd x0 = Eigen::Vector2d(1.0, -0.5);
  const VectorXd exact = damped_rotation(0.1, 2.0, x0, 3.0);
  const std::pair<Integrator, double> cases[] = {{Integrator::euler, 5e-3},
                                                 {Integrator::rk4, 1e-8},
                                                 {Integrator::dopri5, 1e-6},
                                                 {Integrator::rosenbrock, 1e-5}};
  for (const auto& [method, tolerance] : cases) {
    IntegrateOptions o;
    o.method = method;
    o.dt = method == Integrator::euler ? 1e-4 : 1e-3;
    const Trajectory tr = integrate(field, x0, 3.0, o);
    EXPECT_EQ(tr.status, "finished") << to_string(method);
    EXPECT_NEAR(tr.t(tr.t.size() - 1), 3.0, 1e-9) << to_string(method);
    EXPECT_LT((tr.final_state() - exact).norm(), tolerance) << to_string(method);
    EXPECT_EQ(tr.x.rows(), tr.t.size());
  }
}

TEST(Integrate, EulerStepsAreExactlyOneMinusDtToTheK) {
  // dx/dt = −x by Euler: x_k = (1 − dt)^k x0.
  const FunctionField decay(1, [](const VectorXd& x) { return VectorXd(-x); });
  IntegrateOptions o;
  o.method = Integrator::euler;
  o.dt = 0.1;
  const Trajectory tr = integrate(decay, VectorXd::Constant(1, 2.0), 1.0, o);
  ASSERT_EQ(tr.t.size(), 11);
  for (Index k = 0; k < tr.t.size(); ++k)
    EXPECT_NEAR(tr.x(k, 0), 2.0 * std::pow(0.9, static_cast<double>(k)), 1e-13) << k;
}

TEST(Integrate, StiffSystemNeedsFewRosenbrockSteps) {
  // dx/dt = diag(−1, −10⁴) x: explicit methods are held to dt ≲ 2·10⁻⁴ by stability.
  MatrixXd A = MatrixXd::Zero(2, 2);
  A(0, 0) = -1.0;
  A(1, 1) = -1e4;
  const LinearField field(A);
  IntegrateOptions o;
  o.method = Integrator::rosenbrock;
  const Trajectory stiff = integrate(field, VectorXd::Ones(2), 5.0, o);
  o.method = Integrator::dopri5;
  const Trajectory explicit_ = integrate(field, VectorXd::Ones(2), 5.0, o);
  EXPECT_NEAR(stiff.final_state()(0), std::exp(-5.0), 1e-6);
  EXPECT_NEAR(stiff.final_state()(1), 0.0, 1e-9);
  EXPECT_NEAR(explicit_.final_state()(0), std::exp(-5.0), 1e-6);
  EXPECT_LT(stiff.steps * 20, explicit_.steps) << stiff.steps << " vs " << explicit_.steps;
}

TEST(Integrate, RecordsTheEnergyOfAGradientSystemAndItNeverRises) {
  // dx/dt = −∇E for E = ¼‖x‖⁴ − ½‖x‖² + x₀: a gradient flow, so E falls along it.
  auto energy = [](const VectorXd& x) {
    return 0.25 * std::pow(x.squaredNorm(), 2) - 0.5 * x.squaredNorm() + x(0);
  };
  const FunctionField flow(
      2,
      [](const VectorXd& x) {
        VectorXd g = (x.squaredNorm() - 1.0) * x;
        g(0) += 1.0;
        return VectorXd(-g);
      },
      nullptr, energy);
  IntegrateOptions o;
  o.record_every = 0.05;
  const Trajectory tr = integrate(flow, Eigen::Vector2d(0.3, 1.2), 10.0, o);
  ASSERT_EQ(tr.energy.size(), tr.t.size());
  EXPECT_NEAR(tr.t(1) - tr.t(0), 0.05, 1e-12);
  for (Index k = 1; k < tr.energy.size(); ++k)
    EXPECT_LE(tr.energy(k), tr.energy(k - 1) + 1e-12) << k;
  EXPECT_NEAR(tr.energy(0), energy(Eigen::Vector2d(0.3, 1.2)), 1e-15);
}

TEST(Integrate, StopsOnRequestAndReportsBlowUp) {
  const FunctionField decay(1, [](const VectorXd& x) { return VectorXd(-x); });
  IntegrateOptions o;
  o.stop = [](double, const VectorXd& x) { return x(0) < 0.5; };
  const Trajectory stopped = integrate(decay, VectorXd::Ones(1), 10.0, o);
  EXPECT_EQ(stopped.status, "stopped");
  EXPECT_LT(stopped.final_state()(0), 0.5);
  EXPECT_LT(stopped.t(stopped.t.size() - 1), 1.0);  // e^{−t} < ½ soon after t = ln 2

  // dx/dt = x² from 1 blows up at t = 1.
  const FunctionField blowup(1, [](const VectorXd& x) { return VectorXd(x.cwiseProduct(x)); });
  const Trajectory tr = integrate(blowup, VectorXd::Ones(1), 2.0, {});
  EXPECT_EQ(tr.status, "diverged");
  EXPECT_LT(tr.t(tr.t.size() - 1), 1.0 + 1e-6);
}

TEST(Integrate, AGridCoarserThanHalfTheRunRecordsBothEnds) {
  // dx/dt = −x: e^{−t}. Boost's dense-output integrate_const fails on one interval; engram keeps
  // the two ends instead, for every method.
  const FunctionField decay(1, [](const VectorXd& x) { return VectorXd(-x); });
  for (Integrator m :
       {Integrator::euler, Integrator::rk4, Integrator::dopri5, Integrator::rosenbrock})
    for (double every : {0.7, 1.0, 5.0}) {
      IntegrateOptions o;
      o.method = m;
      o.dt = 1e-3;
      o.record_every = every;
      const Trajectory tr = integrate(decay, VectorXd::Ones(1), 1.0, o);
      ASSERT_EQ(tr.t.size(), 2) << to_string(m) << " " << every;
      EXPECT_EQ(tr.t(0), 0.0);
      EXPECT_NEAR(tr.t(1), 1.0, 1e-9) << to_string(m);
      EXPECT_NEAR(tr.final_state()(0), std::exp(-1.0), 5e-4) << to_string(m);  // Euler: (1 − dt)^1000
    }
}

TEST(Integrate, RefusesBadArguments) {
  const FunctionField decay(1, [](const VectorXd& x) { return VectorXd(-x); });
  EXPECT_THROW_MESSAGE(integrate(decay, VectorXd::Ones(2), 1.0), std::invalid_argument,
                       "expected 1 values");
  EXPECT_THROW_MESSAGE(integrate(decay, VectorXd::Ones(1), 0.0), std::invalid_argument,
                       "t_end must be positive");
  IntegrateOptions o;
  o.dt = -1;
  EXPECT_THROW_MESSAGE(integrate(decay, VectorXd::Ones(1), 1.0, o), std::invalid_argument, "dt");
  EXPECT_THROW_MESSAGE(parse_integrator("leapfrog"), std::invalid_argument,
                       "euler, rk4, dopri5 or rosenbrock");
  VectorXd nan = VectorXd::Ones(1);
  nan(0) = std::nan("");
  EXPECT_THROW_MESSAGE(integrate(decay, nan, 1.0), std::invalid_argument, "NaN");
}

TEST(VectorField, NumericalJacobianMatchesTheHandDerivedOne) {
  // f(x, y) = (sin(x) y, x² − eʸ): J = [[cos(x) y, sin(x)], [2x, −eʸ]].
  const FunctionField f(2, [](const VectorXd& v) {
    return Eigen::Vector2d(std::sin(v(0)) * v(1), v(0) * v(0) - std::exp(v(1))).eval();
  });
  const Eigen::Vector2d p(0.7, -0.4);
  MatrixXd J(2, 2);
  J << std::cos(0.7) * -0.4, std::sin(0.7), 1.4, -std::exp(-0.4);
  EXPECT_LT((f.jacobian(p) - J).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_FALSE(f.has_jacobian());
  EXPECT_FALSE(f.has_energy());
  EXPECT_THROW(f.energy(p), std::logic_error);
}

TEST(IterateMap, OneStepIsTanhOfTheField) {
  MatrixXd W(2, 2);
  W << 0.0, 0.8, 0.8, 0.0;
  const VectorXd b = Eigen::Vector2d(0.1, -0.2), u0 = Eigen::Vector2d(0.5, -1.0);
  const Tanh<double> phi(2.0);
  const Trajectory tr = iterate_map(W, b, phi, u0, 50, 1e-12);
  const VectorXd x0 = u0.unaryExpr([](double u) { return std::tanh(2.0 * u); });
  const VectorXd x1 = (W * x0 + b).unaryExpr([](double u) { return std::tanh(2.0 * u); });
  EXPECT_LT((tr.x.row(0).transpose() - x0).norm(), 1e-15);
  EXPECT_LT((tr.x.row(1).transpose() - x1).norm(), 1e-15);
  ASSERT_EQ(tr.energy.size(), tr.t.size());
  // E(x) = −½xᵀWx − bᵀx + Σ ∫₀^{x_i} atanh(s)/β ds, with ∫₀^v atanh = v atanh v + ½ ln(1 − v²).
  auto integral = [](double v) { return (v * std::atanh(v) + 0.5 * std::log(1 - v * v)) / 2.0; };
  const double e0 = -0.5 * x0.dot(W * x0) - b.dot(x0) + integral(x0(0)) + integral(x0(1));
  EXPECT_NEAR(tr.energy(0), e0, 1e-12);
}

}  // namespace
}  // namespace engram
