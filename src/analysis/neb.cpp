#include "engram/analysis/neb.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "engram/core/error.hpp"
#include "engram/io/csv.hpp"

namespace engram {

namespace {

void check(const VectorField& field, const Eigen::VectorXd& start, const Eigen::VectorXd& end,
           const NebOptions& o) {
  ENGRAM_CHECK(field.has_energy(), "nudged_elastic_band: the field ({}) has no energy",
               field.description());
  field.check_state(start, "nudged_elastic_band: start");
  field.check_state(end, "nudged_elastic_band: end");
  ENGRAM_CHECK((start - end).norm() > 0, "nudged_elastic_band: start and end are the same state");
  ENGRAM_CHECK(o.images >= 3, "nudged_elastic_band: images must be at least 3, got {}", o.images);
  check_positive(o.spring, "nudged_elastic_band: spring");
  check_positive(o.step, "nudged_elastic_band: step");
  check_positive(o.tolerance, "nudged_elastic_band: tolerance");
  check_positive(o.hessian_step, "nudged_elastic_band: hessian_step");
  check_positive(o.hessian_tol, "nudged_elastic_band: hessian_tol");
  ENGRAM_CHECK(o.max_iterations >= 0, "nudged_elastic_band: max_iterations must be >= 0, got {}",
               o.max_iterations);
}

// The NEB forces on the moving images 1 .. M−2 of `path` (M × n) given their energies; rows 0 and
// M−1 of `force` stay zero.
struct Band {
  const VectorField& field;
  const NebOptions& o;

  int highest(const Eigen::VectorXd& e) const {
    Index k = 1;
    e.segment(1, e.size() - 2).maxCoeff(&k);
    return static_cast<int>(k) + 1;
  }

  void forces(const Eigen::MatrixXd& path, const Eigen::VectorXd& e, Eigen::MatrixXd& force) const {
    const Index m = path.rows();
    force.setZero(path.rows(), path.cols());
    const int climber = o.climbing ? highest(e) : -1;
    for (Index i = 1; i < m - 1; ++i) {
      const Eigen::VectorXd plus = (path.row(i + 1) - path.row(i)).transpose();
      const Eigen::VectorXd minus = (path.row(i) - path.row(i - 1)).transpose();
      // Improved tangent: towards the higher neighbour, energy-weighted at extrema, which keeps
      // kinks from forming where the path is curved.
      Eigen::VectorXd tau;
      if (e(i + 1) > e(i) && e(i) > e(i - 1)) {
        tau = plus;
      } else if (e(i + 1) < e(i) && e(i) < e(i - 1)) {
        tau = minus;
      } else {
        const double a = std::abs(e(i + 1) - e(i)), b = std::abs(e(i - 1) - e(i));
        const double hi = std::max(a, b), lo = std::min(a, b);
        tau = e(i + 1) > e(i - 1) ? Eigen::VectorXd(plus * hi + minus * lo)
                                  : Eigen::VectorXd(plus * lo + minus * hi);
      }
      const double norm = tau.norm();
      if (norm > 0) tau /= norm;
      const Eigen::VectorXd g = field.energy_gradient(path.row(i).transpose());
      const double along = g.dot(tau);
      if (i == climber) {
        force.row(i) = (-g + 2 * along * tau).transpose();
      } else {
        const Eigen::VectorXd spring = o.spring * (plus.norm() - minus.norm()) * tau;
        force.row(i) = (-(g - along * tau) + spring).transpose();
      }
    }
  }

  void energies(const Eigen::MatrixXd& path, Eigen::VectorXd& e) const {
    for (Index i = 0; i < path.rows(); ++i) e(i) = field.energy(path.row(i).transpose());
  }
};

double max_row_norm(const Eigen::MatrixXd& m) {
  return m.rowwise().norm().maxCoeff();
}

}  // namespace

std::string to_string(NebOptimizer optimizer) {
  return optimizer == NebOptimizer::fire ? "fire" : "gradient_descent";
}

NebOptimizer parse_neb_optimizer(std::string_view name) {
  if (name == "fire") return NebOptimizer::fire;
  if (name == "gradient_descent") return NebOptimizer::gradient_descent;
  ENGRAM_CHECK(false, "NEB optimizer: expected fire or gradient_descent, got '{}'", name);
  return NebOptimizer::fire;
}

NebResult nudged_elastic_band(const VectorField& field, const Eigen::VectorXd& start,
                              const Eigen::VectorXd& end, const NebOptions& o) {
  check(field, start, end, o);
  const Index m = o.images, n = field.dim();
  const Band band{field, o};
  Eigen::MatrixXd path(m, n);
  for (Index i = 0; i < m; ++i) {
    const double s = static_cast<double>(i) / static_cast<double>(m - 1);
    path.row(i) = ((1 - s) * start + s * end).transpose();
  }
  Eigen::VectorXd e(m);
  Eigen::MatrixXd force, velocity = Eigen::MatrixXd::Zero(m, n);
  band.energies(path, e);
  band.forces(path, e, force);

  // FIRE's published constants; the move per image and step is capped at a tenth of the image
  // spacing so that a large velocity cannot throw images past each other.
  const double dt_max = 10 * o.step, max_move = 0.1 * (end - start).norm() / (m - 1);
  double dt = o.step, alpha = 0.1;
  int positive = 0;
  NebResult r;
  for (r.iterations = 0; r.iterations < o.max_iterations; ++r.iterations) {
    r.max_force = max_row_norm(force);
    if (!std::isfinite(r.max_force) || r.max_force <= o.tolerance) break;
    Eigen::MatrixXd move;
    if (o.optimizer == NebOptimizer::gradient_descent) {
      move = o.step * force;
    } else {
      const double power = (force.array() * velocity.array()).sum();
      if (power > 0) {
        velocity = (1 - alpha) * velocity + alpha * velocity.norm() / force.norm() * force;
        if (++positive > 5) {
          dt = std::min(dt * 1.1, dt_max);
          alpha *= 0.99;
        }
      } else {
        velocity.setZero();
        dt *= 0.5;
        alpha = 0.1;
        positive = 0;
      }
      velocity += dt * force;
      move = dt * velocity;
    }
    for (Index i = 1; i < m - 1; ++i) {
      const double len = move.row(i).norm();
      if (len > max_move) move.row(i) *= max_move / len;
    }
    path += move;
    band.energies(path, e);
    band.forces(path, e, force);
  }
  r.max_force = max_row_norm(force);
  r.converged = std::isfinite(r.max_force) && r.max_force <= o.tolerance;

  r.path = path;
  r.energies = e;
  r.arc_length.resize(m);
  r.arc_length(0) = 0;
  for (Index i = 1; i < m; ++i)
    r.arc_length(i) = r.arc_length(i - 1) + (path.row(i) - path.row(i - 1)).norm();
  r.saddle_index = band.highest(e);
  r.saddle = path.row(r.saddle_index).transpose();
  r.saddle_energy = e(r.saddle_index);
  r.barrier = r.saddle_energy - e(0);

  // The Hessian at the saddle by central differences of the gradient, symmetrised.
  Eigen::MatrixXd H(n, n);
  for (Index j = 0; j < n; ++j) {
    const double h = o.hessian_step * (1 + std::abs(r.saddle(j)));
    Eigen::VectorXd xp = r.saddle, xm = r.saddle;
    xp(j) += h;
    xm(j) -= h;
    H.col(j) = (field.energy_gradient(xp) - field.energy_gradient(xm)) / (xp(j) - xm(j));
  }
  if (H.allFinite()) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (H + H.transpose()),
                                                             Eigen::EigenvaluesOnly);
    r.hessian_eigenvalues = eig.eigenvalues();
    const double tol = o.hessian_tol * std::max(1.0, r.hessian_eigenvalues.cwiseAbs().maxCoeff());
    r.saddle_confirmed = (r.hessian_eigenvalues.array() < -tol).count() == 1;
  }

  const Index samples = 10 * (m - 1) + 1;
  double top = -std::numeric_limits<double>::infinity();
  for (Index k = 0; k < samples; ++k) {
    const double s = static_cast<double>(k) / static_cast<double>(samples - 1);
    top = std::max(top, field.energy((1 - s) * start + s * end));
  }
  r.linear_barrier = top - e(0);
  return r;
}

void write_neb_profile(const std::filesystem::path& path, const NebResult& result,
                       const std::vector<std::string>& names) {
  const Index m = result.path.rows(), n = result.path.cols();
  ENGRAM_CHECK(names.empty() || static_cast<Index>(names.size()) == n,
               "write_neb_profile: expected {} names, got {}", n, names.size());
  std::vector<std::string> columns = {"image", "arc_length", "energy"};
  for (Index j = 0; j < n; ++j)
    columns.push_back(names.empty() ? fmt::format("x{}", j) : names[static_cast<std::size_t>(j)]);
  Eigen::MatrixXd table(m, 3 + n);
  table.col(0) = Eigen::VectorXd::LinSpaced(m, 0.0, static_cast<double>(m - 1));
  table.col(1) = result.arc_length;
  table.col(2) = result.energies;
  table.rightCols(n) = result.path;
  write_csv(path, columns, table);
}

}  // namespace engram
