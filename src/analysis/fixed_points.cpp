#include "engram/analysis/fixed_points.hpp"

#include <unsupported/Eigen/NonLinearOptimization>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"

namespace engram {

namespace {

// f and its Jacobian for Eigen's MINPACK ports. A negative return ends the solver (status
// UserAsked): a state or a rate that is no longer finite.
struct RootFunctor {
  const VectorField& field;
  int inputs() const { return static_cast<int>(field.dim()); }
  int values() const { return static_cast<int>(field.dim()); }
  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& f) const {
    if (!x.allFinite()) return -1;
    f = field.rate(x);
    return f.size() == field.dim() && f.allFinite() ? 0 : -1;
  }
  int df(const Eigen::VectorXd& x, Eigen::MatrixXd& J) const {
    if (!x.allFinite()) return -1;
    J = field.jacobian(x);
    return J.rows() == field.dim() && J.cols() == field.dim() && J.allFinite() ? 0 : -1;
  }
};

double residual_of(const VectorField& field, const Eigen::VectorXd& x) {
  if (!x.allFinite()) return std::numeric_limits<double>::infinity();
  const Eigen::VectorXd f = field.rate(x);
  return f.allFinite() ? f.norm() : std::numeric_limits<double>::infinity();
}

// Powell's hybrid method from x (updated in place). Scaling by 1/width makes the trust region
// isotropic in box units; factor 1 keeps the first step within about one box of the start, so
// starts find the roots near them instead of all jumping to the same one.
void powell(const VectorField& field, Eigen::VectorXd& x, const Eigen::VectorXd& scale,
            int max_evaluations) {
  RootFunctor functor{field};
  Eigen::HybridNonLinearSolver<RootFunctor> solver(functor);
  solver.parameters.maxfev = max_evaluations;
  solver.parameters.xtol = 1e-13;
  solver.parameters.factor = 1.0;
  solver.useExternalScaling = true;
  solver.diag = scale;
  solver.solve(x);
}

// Levenberg–Marquardt on ½‖f(x)‖² (slow-point analysis): converges to a minimum of the speed,
// which is a root when the minimum is zero.
void levenberg_marquardt(const VectorField& field, Eigen::VectorXd& x, const Eigen::VectorXd& scale,
                         int max_evaluations) {
  RootFunctor functor{field};
  Eigen::LevenbergMarquardt<RootFunctor> solver(functor);
  solver.parameters.maxfev = max_evaluations;
  solver.parameters.ftol = 1e-14;
  solver.parameters.xtol = 1e-13;
  solver.parameters.factor = 1.0;
  solver.useExternalScaling = true;
  solver.diag = scale;
  solver.minimize(x);
}

void check_options(const VectorField& field, const FixedPointOptions& o) {
  const Index n = field.dim();
  ENGRAM_CHECK(o.lower.size() == n && o.upper.size() == n,
               "find_fixed_points: bounds must have {} values each (the system's dimension), got "
               "lower {} and upper {}",
               n, o.lower.size(), o.upper.size());
  check_finite(o.lower, "find_fixed_points: lower");
  check_finite(o.upper, "find_fixed_points: upper");
  for (Index i = 0; i < n; ++i)
    ENGRAM_CHECK(o.lower(i) < o.upper(i),
                 "find_fixed_points: lower must be below upper in every coordinate, got [{}, {}] "
                 "in coordinate {}",
                 o.lower(i), o.upper(i), i);
  ENGRAM_CHECK(o.starts >= 0, "find_fixed_points: starts must be >= 0, got {}", o.starts);
  ENGRAM_CHECK(o.starts > 0 || !o.initial.empty(),
               "find_fixed_points: no starts (starts = 0 and no initial points)");
  for (std::size_t k = 0; k < o.initial.size(); ++k)
    field.check_state(o.initial[k], fmt::format("find_fixed_points: initial[{}]", k));
  for (const auto& [value, name] : {std::pair{o.residual_tol, "residual_tol"},
                                    {o.dedup_tol, "dedup_tol"},
                                    {o.zero_tol, "zero_tol"}})
    ENGRAM_CHECK(std::isfinite(value) && value >= 0, "find_fixed_points: {} must be >= 0, got {}",
                 name, value);
  ENGRAM_CHECK(o.max_evaluations >= 0, "find_fixed_points: max_evaluations must be >= 0, got {}",
               o.max_evaluations);
}

}  // namespace

Refinement refine_fixed_point(const VectorField& field, const Eigen::VectorXd& x0,
                              double residual_tol, const Eigen::VectorXd& scale,
                              int max_evaluations, bool use_lm) {
  field.check_state(x0, "refine_fixed_point: x0");
  const Index n = field.dim();
  ENGRAM_CHECK(
      scale.size() == 0 || (scale.size() == n && (scale.array() > 0).all() && scale.allFinite()),
      "refine_fixed_point: scale must be empty or {} positive values", n);
  const Eigen::VectorXd diag = scale.size() == 0 ? Eigen::VectorXd::Ones(n) : scale;
  const int evaluations = max_evaluations > 0 ? max_evaluations : 200 * static_cast<int>(n + 1);
  Refinement r{x0, 0.0, false, "powell"};
  powell(field, r.x, diag, evaluations);
  r.residual = residual_of(field, r.x);
  r.converged = r.residual <= residual_tol;
  if (r.converged || !use_lm) return r;
  Eigen::VectorXd x = x0;
  levenberg_marquardt(field, x, diag, evaluations);
  if (x.allFinite()) powell(field, x, diag, evaluations);  // polish (stays put at a root)
  const double residual = residual_of(field, x);
  if (residual <= residual_tol || residual < r.residual) {
    r = {std::move(x), residual, residual <= residual_tol, "levenberg_marquardt"};
  }
  return r;
}

FixedPoint describe_fixed_point(const VectorField& field, const Eigen::VectorXd& x,
                                double zero_tol) {
  const Stability s = stability(field, x, zero_tol);
  FixedPoint p;
  p.x = x;
  p.residual = residual_of(field, x);
  p.eigenvalues = s.eigenvalues;
  p.kind = s.kind;
  p.has_energy = field.has_energy();
  p.energy = p.has_energy ? field.energy(x) : std::numeric_limits<double>::quiet_NaN();
  return p;
}

FixedPointSearch find_fixed_points(const VectorField& field, const FixedPointOptions& o) {
  check_options(field, o);
  const Index n = field.dim();
  const Eigen::VectorXd width = o.upper - o.lower;
  const Eigen::VectorXd scale = width.cwiseInverse();

  std::vector<Eigen::VectorXd> starts = o.initial;
  Rng rng(o.seed);
  for (int k = 0; k < o.starts; ++k) {
    Eigen::VectorXd x(n);
    for (Index i = 0; i < n; ++i) x(i) = rng.real(o.lower(i), o.upper(i));
    starts.push_back(std::move(x));
  }

  auto inside = [&](const Eigen::VectorXd& x) {
    const Eigen::ArrayXd slack = 1e-9 * width.array();
    return (x.array() >= o.lower.array() - slack).all() &&
           (x.array() <= o.upper.array() + slack).all();
  };

  FixedPointSearch out;
  out.starts = static_cast<int>(starts.size());
  std::vector<std::pair<Eigen::VectorXd, std::string>> roots;
  for (const Eigen::VectorXd& start : starts) {
    Refinement r = refine_fixed_point(field, start, o.residual_tol, scale, o.max_evaluations,
                                      o.levenberg_marquardt);
    if (!r.converged || !inside(r.x)) {
      ++out.failed;
      continue;
    }
    ++(r.method == "powell" ? out.powell : out.levenberg_marquardt);
    roots.emplace_back(std::move(r.x), std::move(r.method));
  }

  // Deduplicate in box units, keeping the smallest residual of each cluster.
  for (auto& [x, method] : roots) {
    FixedPoint candidate;
    candidate.x = x;
    candidate.residual = residual_of(field, x);
    candidate.method = method;
    candidate.hits = 1;
    bool merged = false;
    for (FixedPoint& p : out.points) {
      if (((p.x - x).cwiseProduct(scale)).cwiseAbs().maxCoeff() > o.dedup_tol) continue;
      ++p.hits;
      if (candidate.residual < p.residual) {
        p.x = candidate.x;
        p.residual = candidate.residual;
      }
      merged = true;
      break;
    }
    if (!merged) out.points.push_back(std::move(candidate));
  }
  for (FixedPoint& p : out.points) {
    FixedPoint d = describe_fixed_point(field, p.x, o.zero_tol);
    d.method = std::move(p.method);
    d.hits = p.hits;
    p = std::move(d);
  }
  std::sort(out.points.begin(), out.points.end(), [](const FixedPoint& a, const FixedPoint& b) {
    return std::lexicographical_compare(a.x.data(), a.x.data() + a.x.size(), b.x.data(),
                                        b.x.data() + b.x.size());
  });
  return out;
}

}  // namespace engram
