// Compiled as C++17: see stiff.hpp.
#include "stiff.hpp"

#include <boost/numeric/odeint.hpp>

namespace engram::detail {

namespace odeint = boost::numeric::odeint;
using Vector = boost::numeric::ublas::vector<double>;
using Matrix = boost::numeric::ublas::matrix<double>;

namespace {

Eigen::VectorXd to_eigen(const Vector& v) {
  Eigen::VectorXd out(static_cast<Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<Index>(i)) = v[i];
  return out;
}

}  // namespace

long integrate_rosenbrock(const VectorField& field, const Eigen::VectorXd& x0, double t_end,
                          const IntegrateOptions& o, const Observer& observe, std::string& status) {
  auto rate = [&](const Vector& x, Vector& dxdt, double) {
    const Eigen::VectorXd f = field.rate(to_eigen(x));
    if (!f.allFinite()) throw StopRun{"diverged"};
    for (Index i = 0; i < f.size(); ++i) dxdt[static_cast<std::size_t>(i)] = f(i);
  };
  auto jacobian = [&](const Vector& x, Matrix& J, double, Vector& dfdt) {
    const Eigen::MatrixXd j = field.jacobian(to_eigen(x));
    for (Index r = 0; r < j.rows(); ++r)
      for (Index c = 0; c < j.cols(); ++c) J(r, c) = j(r, c);
    for (std::size_t i = 0; i < dfdt.size(); ++i) dfdt[i] = 0.0;  // autonomous: ∂f/∂t = 0
  };
  auto record = [&](const Vector& x, double t) { observe(t, to_eigen(x)); };

  Vector x(static_cast<std::size_t>(x0.size()));
  for (Index i = 0; i < x0.size(); ++i) x[static_cast<std::size_t>(i)] = x0(i);
  auto stepper = odeint::make_dense_output(o.abs_tol, o.rel_tol, odeint::rosenbrock4<double>());
  auto system = std::make_pair(rate, jacobian);
  try {
    const std::size_t steps =
        o.record_every > 0
            ? odeint::integrate_const(stepper, system, x, 0.0, t_end, o.record_every, record)
            : odeint::integrate_adaptive(stepper, system, x, 0.0, t_end, o.dt, record);
    status = "finished";
    return static_cast<long>(steps);
  } catch (const StopRun& stop) {
    status = stop.status;
  } catch (const odeint::step_adjustment_error&) {
    status = "diverged";
  }
  return -1;
}

}  // namespace engram::detail
