// The stiff integrator (Boost.Odeint's Rosenbrock 4). Boost 1.74's ublas, which rosenbrock4 needs,
// does not compile as C++20 (std::allocator::construct is gone), so it lives in its own
// translation unit built as C++17 (see CMakeLists.txt); this header is valid in both.
#pragma once

#include <functional>
#include <string>

#include "engram/analysis/integrate.hpp"

namespace engram::detail {

/// Thrown by an observer to end a run early with `status` ("stopped", "diverged", "max_steps").
struct StopRun {
  std::string status;
};

/// Called at every recorded point; may throw StopRun.
using Observer = std::function<void(double t, const Eigen::VectorXd& x)>;

/// Integrates `field` from x0 over [0, t_end] with Rosenbrock 4 (the field's Jacobian, analytic or
/// numerical), recording at every accepted step or every o.record_every. Returns the steps taken;
/// `status` is "finished", or the StopRun's status, or "diverged" when the step size collapses.
long integrate_rosenbrock(const VectorField& field, const Eigen::VectorXd& x0, double t_end,
                          const IntegrateOptions& o, const Observer& observe, std::string& status);

}  // namespace engram::detail
