// engram analyze: fixed points, stability, basins, barriers and limit cycles of a system typed as
// equations or stored as a model file (SPEC M-20 … M-26, M-28), as report.json and pictures.
#include <cmath>
#include <map>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/analysis/analyze.hpp"
#include "engram/analysis/continuous_hopfield_field.hpp"
#include "engram/analysis/equation_system.hpp"
#include "engram/analysis/graph_field.hpp"
#include "engram/io/graph_file.hpp"
#include "engram/io/model_file.hpp"
#include "engram/models/continuous_hopfield.hpp"
#include "gnuplot.hpp"
#include "phase_portrait.hpp"

namespace engram::cli {

namespace {

struct AnalyzeArgs {
  std::string system;
  std::string model;
  std::string bounds;
  std::vector<std::string> constants;
  int starts = 64;
  int samples = 200;
  std::uint64_t seed = 1;
  int resolution = 80;
  double t_max = 100.0;
  bool no_barriers = false;
  std::string out = "out/analyze";
};

// "lo:hi" for every coordinate, or one "lo:hi" per coordinate separated by commas.
std::pair<Eigen::VectorXd, Eigen::VectorXd> parse_bounds(const std::string& text, Index n) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) parts.push_back(part);
  ENGRAM_CHECK(parts.size() == 1 || static_cast<Index>(parts.size()) == n,
               "--bounds '{}': give one lo:hi for all {} coordinates or one per coordinate", text,
               n);
  Eigen::VectorXd lo(n), hi(n);
  for (Index i = 0; i < n; ++i) {
    const std::string& p = parts[parts.size() == 1 ? 0 : static_cast<std::size_t>(i)];
    // The separator is the ':' after the first character, so "-1:10" reads as -1 and 10.
    const auto colon = p.find(':', 1);
    ENGRAM_CHECK(colon != std::string::npos, "--bounds '{}': '{}' is not lo:hi", text, p);
    lo(i) = finite_number(p.substr(0, colon), "--bounds");
    hi(i) = finite_number(p.substr(colon + 1), "--bounds");
    ENGRAM_CHECK(lo(i) < hi(i), "--bounds '{}': need lo < hi, got {}:{}", text, lo(i), hi(i));
  }
  return {lo, hi};
}

// The system to analyse: equations, an energy graph, or a continuous Hopfield network.
std::unique_ptr<VectorField> load_field(const AnalyzeArgs& a) {
  if (!a.system.empty()) {
    std::map<std::string, double> constants;
    for (const std::string& c : a.constants) {
      const auto eq = c.find('=');
      ENGRAM_CHECK(eq != std::string::npos && eq > 0, "--const '{}': expected name=value", c);
      constants[c.substr(0, eq)] = finite_number(c.substr(eq + 1), "--const " + c.substr(0, eq));
    }
    return std::make_unique<EquationSystem>(a.system, constants);
  }
  const std::string kind = model_file_kind(a.model);
  if (kind == "energy_graph") return std::make_unique<GraphField>(load_graph<double>(a.model));
  if (kind == "continuous_hopfield")
    return std::make_unique<ContinuousHopfieldField>(
        load_model<ContinuousHopfield<double>>(a.model));
  ENGRAM_CHECK(false,
               "--model {}: a '{}' model has discrete-time dynamics; analyze takes an energy_graph "
               "or a continuous_hopfield file",
               a.model, kind);
  return nullptr;
}

std::string eigenvalue_text(const Eigen::VectorXcd& eig) {
  std::string out;
  for (Index i = 0; i < eig.size(); ++i) {
    const double re = eig(i).real(), im = eig(i).imag();
    out += (i ? ", " : "") + (std::abs(im) > 1e-12 ? fmt::format("{:.4g}{:+.4g}i", re, im)
                                                   : fmt::format("{:.4g}", re));
  }
  return out;
}

void run(const AnalyzeArgs& a) {
  ENGRAM_CHECK(a.system.empty() != a.model.empty(), "give exactly one of --system and --model");
  const std::unique_ptr<VectorField> field = load_field(a);
  const Index n = field->dim();
  ENGRAM_CHECK(!a.bounds.empty() || a.system.empty(),
               "--bounds is required with --system (the box to search, e.g. -1:10,-1:30)");
  AnalyzeOptions o;
  std::tie(o.lower, o.upper) = parse_bounds(a.bounds.empty() ? "-2:2" : a.bounds, n);
  o.starts = a.starts;
  o.samples = a.samples;
  o.seed = a.seed;
  o.basin.t_max = a.t_max;
  o.barriers = !a.no_barriers;
  const AnalysisReport report = analyze(*field, o);

  const std::filesystem::path out = a.out;
  nlohmann::json json = to_json(report);
  fmt::print("{}\n{} variables ({}), box {}\n", report.description, n,
             fmt::join(report.names, ", "), a.bounds.empty() ? "-2:2" : a.bounds);
  fmt::print("fixed points: {}\n", report.search.points.size());
  for (const FixedPoint& p : report.search.points) {
    // A root is known to ~1e-10: print what the solver left below 1e-12 of the box as 0.
    const Eigen::VectorXd x = p.x.unaryExpr(
        [&](double v) { return std::abs(v) < 1e-12 * (o.upper - o.lower).maxCoeff() ? 0.0 : v; });
    fmt::print("  ({:.6g})  {:<15}  eigenvalues {}\n", fmt::join(x, ", "), to_string(p.kind),
               eigenvalue_text(p.eigenvalues));
  }
  if (report.basins)
    for (std::size_t k = 0; k < report.basins->attractors.size(); ++k) {
      const Proportion& f = report.basins->attractors[k];
      fmt::print("basin of fixed point {}: {:.3f} of the box (95% CI {:.3f}-{:.3f})\n",
                 report.landscape.attractors[k], f.fraction, f.lower, f.upper);
    }
  for (const BarrierReport& b : report.barriers) {
    const auto csv = out / fmt::format("barrier_{}_{}.csv", b.from, b.to);
    write_neb_profile(csv, b.neb, report.names);
    LinePlot plot;
    plot.csv = csv;
    plot.png = out / fmt::format("barrier_{}_{}.png", b.from, b.to);
    plot.title = fmt::format(
        "energy along the minimum-energy path {} -> {} (barrier {:.4g}; the "
        "straight line's maximum: {:.4g})",
        b.from, b.to, b.neb.barrier, b.neb.linear_barrier);
    plot.xlabel = "distance along the path";
    plot.ylabel = "energy";
    plot.curves = {{2, 3, "climbing-image NEB"}};
    if (const std::string why = draw_line_plot(plot); !why.empty())
      fmt::print("no barrier plot: {}\n", why);
    fmt::print("barrier {} -> {}: {:.6g} (straight line: {:.6g}), saddle first-order: {}\n", b.from,
               b.to, b.neb.barrier, b.neb.linear_barrier, b.neb.saddle_confirmed ? "yes" : "no");
  }

  nlohmann::json pictures = nlohmann::json::object();
  if (n == 2) {
    const PlaneBox box{o.lower(0), o.upper(0), o.lower(1), o.upper(1)};
    std::vector<MarkedPoint> marks;
    for (const FixedPoint& p : report.search.points)
      marks.push_back({p.x(0), p.x(1), to_string(p.kind)});
    // A few trajectories from a grid of starts show the flow between the fixed points.
    std::vector<Trajectory> paths;
    IntegrateOptions io;
    io.record_every = a.t_max / 400;
    for (double fx : {0.2, 0.5, 0.8})
      for (double fy : {0.2, 0.5, 0.8}) {
        const Eigen::Vector2d x0(box.x_lo + fx * (box.x_hi - box.x_lo),
                                 box.y_lo + fy * (box.y_hi - box.y_lo));
        io.stop = [&](double, const Eigen::VectorXd& x) {
          return x(0) < box.x_lo - (box.x_hi - box.x_lo) ||
                 x(0) > box.x_hi + (box.x_hi - box.x_lo) ||
                 x(1) < box.y_lo - (box.y_hi - box.y_lo) || x(1) > box.y_hi + (box.y_hi - box.y_lo);
        };
        paths.push_back(integrate(*field, x0, a.t_max, io));
      }
    const std::string why = draw_phase_portrait(*field, box, marks, paths, out);
    if (why.empty())
      pictures["phase_portrait"] = "phase_portrait.png";
    else
      fmt::print("no phase portrait: {}\n", why);
    std::vector<Eigen::VectorXd> attractors;
    for (int k : report.landscape.attractors) attractors.push_back(report.search.points[k].x);
    if (!attractors.empty() && a.resolution > 0) {
      const BasinMap map = basin_map(*field, attractors, {box.x_lo, box.x_hi}, {box.y_lo, box.y_hi},
                                     a.resolution, a.resolution, escaping_basin_options(o));
      write_basin_map(out / "basins.png", map.labels, std::max(1, 480 / a.resolution));
      pictures["basin_map"] = "basins.png";
    }
  }
  json["pictures"] = pictures;
  write_json(out / "report.json", json);
  fmt::print("wrote {}/report.json{}\n", out.string(),
             n == 2 ? ", phase_portrait.png, basins.png" : "");
}

}  // namespace

void add_analyze_command(CLI::App& app) {
  auto args = std::make_shared<AnalyzeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "Fixed points (with eigenvalues and classification), basins, barriers and limit cycles of a "
      "system");
  cmd->add_option("--system", args->system,
                  "Equations, e.g. \"x' = -0.4*x + 0.02*x*y; y' = 0.8*y - 0.1*x*y\"");
  cmd->add_option("--model", args->model,
                  "A model file (energy_graph or continuous_hopfield) whose dynamics to analyse")
      ->check(CLI::ExistingFile);
  cmd->add_option("--bounds", args->bounds,
                  "The box: lo:hi for every coordinate, or lo:hi,lo:hi,... one per coordinate "
                  "(required with --system; default -2:2 for models)");
  cmd->add_option("--const", args->constants, "A constant of the equations, name=value (repeat)");
  cmd->add_option("--starts", args->starts, "Random starts of the fixed-point search")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--samples", args->samples, "Monte Carlo starts for basin fractions (0: none)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of every random draw")->capture_default_str();
  cmd->add_option("--resolution", args->resolution,
                  "Basin map cells per side (2-D systems; 0: none)")
      ->check(CLI::Range(0, 2000))
      ->capture_default_str();
  cmd->add_option("--t-max", args->t_max, "Time a start may take to reach an attractor")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--no-barriers", args->no_barriers, "Skip the nudged-elastic-band barriers");
  cmd->add_option("--out", args->out, "Output folder")->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace engram::cli
