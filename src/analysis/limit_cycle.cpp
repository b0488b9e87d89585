// M-26: periodic orbits from the returns of a trajectory to a Poincaré section.
#include <algorithm>
#include <cmath>

#include "engram/analysis/attractors.hpp"
#include "engram/core/error.hpp"

namespace engram {

namespace {

// The cubic Hermite interpolant of a trajectory between samples (t0, x0, f0) and (t1, x1, f1), at
// θ ∈ [0, 1]: exact to O(h⁴), so crossing times come out far finer than the sampling.
Eigen::VectorXd hermite(const Eigen::VectorXd& x0, const Eigen::VectorXd& f0,
                        const Eigen::VectorXd& x1, const Eigen::VectorXd& f1, double h, double s) {
  const double s2 = s * s, s3 = s2 * s;
  return (2 * s3 - 3 * s2 + 1) * x0 + (s3 - 2 * s2 + s) * h * f0 + (-2 * s3 + 3 * s2) * x1 +
         (s3 - s2) * h * f1;
}

struct Crossing {
  double t;
  Eigen::VectorXd x;
  Index after;  // the first sample after the crossing
};

void check(const VectorField& field, const Eigen::VectorXd& x0, double transient, double t_max,
           const LimitCycleOptions& o) {
  field.check_state(x0, "detect_limit_cycle: x0");
  ENGRAM_CHECK(std::isfinite(transient) && transient >= 0,
               "detect_limit_cycle: transient must be >= 0, got {}", transient);
  ENGRAM_CHECK(std::isfinite(t_max) && t_max > transient,
               "detect_limit_cycle: t_max must exceed transient ({}), got {}", transient, t_max);
  check_positive(o.sample_dt, "detect_limit_cycle: sample_dt");
  ENGRAM_CHECK(t_max - transient >= 2 * o.sample_dt,
               "detect_limit_cycle: the window t_max - transient ({}) must hold at least two "
               "samples of sample_dt ({})",
               t_max - transient, o.sample_dt);
  check_positive(o.tolerance, "detect_limit_cycle: tolerance");
  ENGRAM_CHECK(o.coordinate >= 0 && o.coordinate < field.dim(),
               "detect_limit_cycle: coordinate must be in [0, {}), got {}", field.dim(),
               o.coordinate);
  ENGRAM_CHECK(o.min_returns >= 2, "detect_limit_cycle: min_returns must be at least 2, got {}",
               o.min_returns);
  ENGRAM_CHECK(!std::isinf(o.level), "detect_limit_cycle: level must be finite or NaN");
}

}  // namespace

LimitCycle detect_limit_cycle(const VectorField& field, const Eigen::VectorXd& x0, double transient,
                              double t_max, const LimitCycleOptions& o) {
  check(field, x0, transient, t_max, o);
  LimitCycle out;
  IntegrateOptions io = o.integrate;
  io.stop = nullptr;
  Eigen::VectorXd start = x0;
  if (transient > 0) {
    // Every step is kept although only the end matters: a record_every above t_end / 2 trips a
    // bug in Boost 1.74's integrate_const for dense-output steppers (state read before any step).
    io.record_every = 0.0;
    const Trajectory warm = integrate(field, x0, transient, io);
    if (warm.status != "finished") {
      out.status = "diverged";
      return out;
    }
    start = warm.final_state();
  }
  io.record_every = o.sample_dt;
  const Trajectory tr = integrate(field, start, t_max - transient, io);
  if (tr.status != "finished") {
    out.status = "diverged";
    return out;
  }
  // Settled when nothing moves over the last quarter of the window; the section's default level
  // is the middle of the coordinate's range over the last half.
  const Index c = o.coordinate, T = tr.x.rows();
  const Eigen::MatrixXd tail = tr.x.bottomRows(std::max<Index>(2, T / 4));
  if ((tail.colwise().maxCoeff() - tail.colwise().minCoeff()).maxCoeff() < o.min_amplitude) {
    out.status = "fixed_point";
    return out;
  }
  const Eigen::VectorXd s = tr.x.col(c), half = s.tail(std::max<Index>(2, T / 2));
  const double level = std::isnan(o.level) ? (half.maxCoeff() + half.minCoeff()) / 2 : o.level;

  // Upward crossings of the section, each located by bisection on the Hermite interpolant.
  std::vector<Crossing> crossings;
  for (Index k = 0; k + 1 < T; ++k) {
    if (!(s(k) < level && s(k + 1) >= level)) continue;
    const Eigen::VectorXd xa = tr.x.row(k).transpose(), xb = tr.x.row(k + 1).transpose();
    const Eigen::VectorXd fa = field.rate(xa), fb = field.rate(xb);
    const double h = tr.t(k + 1) - tr.t(k);
    double lo = 0.0, hi = 1.0;
    for (int it = 0; it < 60; ++it) {
      const double mid = (lo + hi) / 2;
      (hermite(xa, fa, xb, fb, h, mid)(c) < level ? lo : hi) = mid;
    }
    const double theta = (lo + hi) / 2;
    crossings.push_back({tr.t(k) + theta * h, hermite(xa, fa, xb, fb, h, theta), k + 1});
  }
  out.returns = static_cast<int>(crossings.size());
  if (out.returns < o.min_returns) {
    out.status = "no_returns";
    return out;
  }

  const std::size_t last = crossings.size() - 1, first = last + 1 - o.min_returns;
  out.period = (crossings[last].t - crossings[first].t) / static_cast<double>(o.min_returns - 1);
  for (std::size_t k = first; k < last; ++k) {
    out.period_spread =
        std::max(out.period_spread, std::abs(crossings[k + 1].t - crossings[k].t - out.period));
    out.return_distance =
        std::max(out.return_distance, (crossings[k + 1].x - crossings[k].x).norm());
  }
  out.section_point = crossings[last].x;

  // One period: the crossing, the samples in between, the next crossing.
  const Crossing &a = crossings[last - 1], &b = crossings[last];
  const Index inside = b.after - a.after;
  out.cycle.resize(inside + 2, field.dim());
  out.cycle.row(0) = a.x.transpose();
  out.cycle.middleRows(1, inside) = tr.x.middleRows(a.after, inside);
  out.cycle.row(inside + 1) = b.x.transpose();
  // Extremes between samples: the Hermite interpolant on the two intervals beside the extreme
  // sample (sampled peaks alone are off by about (sample_dt / 2)² |x''| / 2).
  const Index n = field.dim();
  out.minimum = out.cycle.colwise().minCoeff().transpose();
  out.maximum = out.cycle.colwise().maxCoeff().transpose();
  for (Index j = 0; j < n; ++j)
    for (int sign : {1, -1}) {
      Index k = a.after;
      for (Index i = a.after; i < b.after; ++i)
        if (sign * tr.x(i, j) > sign * tr.x(k, j)) k = i;
      double& extreme = sign > 0 ? out.maximum(j) : out.minimum(j);
      for (Index i = std::max<Index>(k - 1, 0); i < std::min(k + 1, T - 1); ++i) {
        const Eigen::VectorXd xa = tr.x.row(i).transpose(), xb = tr.x.row(i + 1).transpose();
        const Eigen::VectorXd fa = field.rate(xa), fb = field.rate(xb);
        for (int q = 1; q < 64; ++q) {
          const double v = hermite(xa, fa, xb, fb, tr.t(i + 1) - tr.t(i), q / 64.0)(j);
          extreme = sign > 0 ? std::max(extreme, v) : std::min(extreme, v);
        }
      }
    }
  out.amplitude = out.maximum - out.minimum;

  const double scale = out.amplitude.maxCoeff();
  out.found =
      out.period_spread <= o.tolerance * out.period && out.return_distance <= o.tolerance * scale;
  out.status = out.found ? "periodic" : "irregular";
  return out;
}

}  // namespace engram
