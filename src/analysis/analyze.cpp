#include "engram/analysis/analyze.hpp"

#include <chrono>
#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

namespace {

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

nlohmann::json vector_json(const Eigen::VectorXd& v) {
  nlohmann::json out = nlohmann::json::array();
  for (Index i = 0; i < v.size(); ++i) out.push_back(number(v(i)));
  return out;
}

nlohmann::json proportion_json(const Proportion& p) {
  return {{"count", p.count}, {"fraction", p.fraction}, {"ci95", {p.lower, p.upper}}};
}

// A periodic orbit of a planar field: from the box's centre, then next to each repeller.
LimitCycle find_limit_cycle(const VectorField& field, const AnalyzeOptions& o,
                            const std::vector<FixedPoint>& points) {
  std::vector<Eigen::VectorXd> starts = {(o.lower + o.upper) / 2};
  for (const FixedPoint& p : points)
    if (p.kind == FixedPointKind::unstable_spiral || p.kind == FixedPointKind::unstable_node)
      starts.push_back(p.x + 1e-3 * (o.upper - o.lower));
  LimitCycle last;
  for (const Eigen::VectorXd& x0 : starts) {
    last = detect_limit_cycle(field, x0, o.cycle_t_max / 2, o.cycle_t_max);
    if (last.found) break;
  }
  return last;
}

}  // namespace

BasinOptions escaping_basin_options(const AnalyzeOptions& o) {
  BasinOptions b = o.basin;
  if (b.escape_lower.size() == 0) {
    const Eigen::VectorXd width = o.upper - o.lower;
    b.escape_lower = o.lower - 2 * width;
    b.escape_upper = o.upper + 2 * width;
  }
  return b;
}

AnalysisReport analyze(const VectorField& field, const AnalyzeOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  AnalysisReport r;
  r.description = field.description();
  r.names = field.names();
  r.dim = field.dim();
  r.options = o;
  ENGRAM_CHECK(o.samples >= 0, "analyze: samples must be >= 0, got {}", o.samples);

  FixedPointOptions fp;
  fp.lower = o.lower;
  fp.upper = o.upper;
  fp.starts = o.starts;
  fp.seed = o.seed;
  r.search = find_fixed_points(field, fp);
  r.landscape = landscape(field, r.search.points);

  std::vector<Eigen::VectorXd> attractors;
  for (int k : r.landscape.attractors) attractors.push_back(r.search.points[k].x);
  if (o.samples > 0 && !attractors.empty())
    r.basins = basin_fractions(field, attractors, o.lower, o.upper, o.samples, o.seed,
                               escaping_basin_options(o));

  if (o.barriers && field.has_energy() && r.landscape.deepest >= 0)
    for (int k : r.landscape.attractors) {
      if (k == r.landscape.deepest) continue;
      r.barriers.push_back({r.landscape.deepest, k,
                            nudged_elastic_band(field, r.search.points[r.landscape.deepest].x,
                                                r.search.points[k].x, o.neb)});
    }

  if (o.limit_cycles && field.dim() == 2)
    r.limit_cycle = find_limit_cycle(field, o, r.search.points);
  int flat = 0;
  for (const FixedPoint& p : r.search.points) flat += p.kind == FixedPointKind::non_hyperbolic;
  if (flat >= ContinuousAttractorOptions{}.min_points)
    r.continuous_attractor = continuous_attractor(field, r.search.points);

  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

nlohmann::json to_json(const AnalysisReport& r) {
  nlohmann::json points = nlohmann::json::array();
  for (const FixedPoint& p : r.search.points) {
    nlohmann::json eig = nlohmann::json::array();
    for (Index i = 0; i < p.eigenvalues.size(); ++i)
      eig.push_back({p.eigenvalues(i).real(), p.eigenvalues(i).imag()});
    points.push_back({{"x", vector_json(p.x)},
                      {"residual", p.residual},
                      {"eigenvalues", eig},
                      {"classification", to_string(p.kind)},
                      {"energy", p.has_energy ? number(p.energy) : nlohmann::json()},
                      {"hits", p.hits}});
  }
  nlohmann::json box = nlohmann::json::array();
  for (Index i = 0; i < r.options.lower.size(); ++i)
    box.push_back({r.options.lower(i), r.options.upper(i)});
  const Landscape& l = r.landscape;
  nlohmann::json out = {
      {"system", r.description},
      {"variables", r.names},
      {"box", box},
      {"fixed_points", points},
      {"search",
       {{"starts", r.search.starts},
        {"powell", r.search.powell},
        {"levenberg_marquardt", r.search.levenberg_marquardt},
        {"failed", r.search.failed}}},
      {"landscape",
       {{"attractors", l.attractors},
        {"saddles", l.saddles},
        {"repellers", l.repeller_count},
        {"has_energy", l.has_energy},
        {"deepest", l.deepest >= 0 ? nlohmann::json(l.deepest) : nlohmann::json()},
        {"energy_gap", number(l.energy_gap)},
        {"barrier_estimate", number(l.barrier)}}},
      {"seconds", r.seconds}};
  if (r.basins) {
    nlohmann::json fractions = nlohmann::json::array();
    for (std::size_t k = 0; k < r.basins->attractors.size(); ++k) {
      nlohmann::json f = proportion_json(r.basins->attractors[k]);
      f["fixed_point"] = l.attractors[k];
      fractions.push_back(f);
    }
    out["basins"] = {{"samples", r.basins->samples},
                     {"attractors", fractions},
                     {"unreached", proportion_json(r.basins->unreached)}};
  } else {
    out["basins"] = nullptr;
  }
  nlohmann::json barriers = nlohmann::json::array();
  for (const BarrierReport& b : r.barriers)
    barriers.push_back({{"from", b.from},
                        {"to", b.to},
                        {"barrier", number(b.neb.barrier)},
                        {"saddle", vector_json(b.neb.saddle)},
                        {"saddle_energy", number(b.neb.saddle_energy)},
                        {"saddle_confirmed_first_order", b.neb.saddle_confirmed},
                        {"linear_interpolation_barrier", number(b.neb.linear_barrier)},
                        {"converged", b.neb.converged}});
  out["barriers"] = barriers;
  out["limit_cycle"] = nullptr;
  if (r.limit_cycle) {
    const LimitCycle& c = *r.limit_cycle;
    out["limit_cycle"] = {{"found", c.found}, {"status", c.status}};
    if (c.found) {
      out["limit_cycle"]["period"] = c.period;
      out["limit_cycle"]["amplitude"] = vector_json(c.amplitude);
      out["limit_cycle"]["minimum"] = vector_json(c.minimum);
      out["limit_cycle"]["maximum"] = vector_json(c.maximum);
    }
  }
  out["continuous_attractor"] = nullptr;
  if (r.continuous_attractor) {
    const ContinuousAttractor& c = *r.continuous_attractor;
    out["continuous_attractor"] = {{"found", c.found},
                                   {"shape", c.shape},
                                   {"reason", c.reason},
                                   {"attracting", c.attracting},
                                   {"members", c.members}};
  }
  return out;
}

}  // namespace engram
