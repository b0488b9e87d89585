#include "phase_portrait.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "engram/io/file.hpp"
#include "gnuplot.hpp"

namespace engram::cli {

namespace {

constexpr int kArrows = 21;  // direction-field arrows per side

// The arrows, each scaled to 80% of a grid cell (only the direction is shown; the speed is the
// colour column).
std::string field_csv(const VectorField& field, const PlaneBox& box) {
  const Eigen::MatrixXd d = direction_field(field, box, kArrows);
  const double sx = (box.x_hi - box.x_lo) / (kArrows - 1),
               sy = (box.y_hi - box.y_lo) / (kArrows - 1);
  std::string out = "x,y,dx,dy,speed\n";
  for (Index r = 0; r < d.rows(); ++r) {
    const double fx = d(r, 2), fy = d(r, 3);
    // Lengths in units of a cell along each axis, so arrows look right whatever the aspect.
    const double len = std::hypot(fx / sx, fy / sy);
    if (!std::isfinite(len) || len == 0) continue;
    out += fmt::format("{},{},{},{},{}\n", d(r, 0), d(r, 1), 0.8 * fx / len, 0.8 * fy / len,
                       std::hypot(fx, fy));
  }
  return out;
}

// Segments of both nullclines as gnuplot blocks (a blank line between segments), with an index
// column: 0 for x' = 0, 1 for y' = 0.
std::string nullclines_csv(const VectorField& field, const PlaneBox& box) {
  std::string out = "x,y,component\n";
  for (int c = 0; c < 2; ++c) {
    for (const Segment& s : nullcline(field, c, box, 200))
      out += fmt::format("{},{},{}\n{},{},{}\n\n", s.a(0), s.a(1), c, s.b(0), s.b(1), c);
    out += "\n";  // two blank lines end a gnuplot data set
  }
  return out;
}

std::string trajectories_csv(const std::vector<Trajectory>& trajectories) {
  std::string out = "x,y\n";
  for (const Trajectory& t : trajectories) {
    for (Index k = 0; k < t.x.rows(); ++k) out += fmt::format("{},{}\n", t.x(k, 0), t.x(k, 1));
    out += "\n";
  }
  return out;
}

}  // namespace

std::string draw_phase_portrait(const VectorField& field, const PlaneBox& box,
                                const std::vector<MarkedPoint>& fixed_points,
                                const std::vector<Trajectory>& trajectories,
                                const std::filesystem::path& dir) {
  box.check("phase portrait");
  const auto names = field.names();
  write_file_atomic(dir / "phase_field.csv", field_csv(field, box));
  write_file_atomic(dir / "phase_nullclines.csv", nullclines_csv(field, box));
  write_file_atomic(dir / "phase_trajectories.csv", trajectories_csv(trajectories));
  std::string points = "x,y,kind\n";
  for (const MarkedPoint& p : fixed_points) points += fmt::format("{},{},{}\n", p.x, p.y, p.kind);
  write_file_atomic(dir / "phase_fixed_points.csv", points);

  auto file = [&](const char* name) { return gnuplot_quoted((dir / name).string()); };
  std::string s;
  s += "set datafile separator ','\nset grid lc rgb 'gray90'\nset key outside right top\n";
  s += fmt::format("set xrange [{}:{}]\nset yrange [{}:{}]\n", box.x_lo, box.x_hi, box.y_lo,
                   box.y_hi);
  s += fmt::format("set xlabel {}\nset ylabel {}\n", gnuplot_quoted(names[0]),
                   gnuplot_quoted(names[1]));
  s += fmt::format("set title {}\n", gnuplot_quoted("phase portrait: " + field.description()));
  const std::string xname = names[0] + "' = 0", yname = names[1] + "' = 0";
  s += "plot ";
  s += fmt::format(
      "{} using 1:2:3:4 every ::1 with vectors head size graph 0.008,20 filled "
      "lc rgb 'gray65' title 'direction', \\\n",
      file("phase_field.csv"));
  s += fmt::format(
      "  {0} index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title {1}, \\\n"
      "  {0} index 1 using 1:2 with lines lw 2 lc rgb '#d62728' title {2}, \\\n",
      file("phase_nullclines.csv"), gnuplot_quoted(xname), gnuplot_quoted(yname));
  s += fmt::format("  {} using 1:2 with lines lw 1 lc rgb 'gray30' title 'trajectories', \\\n",
                   file("phase_trajectories.csv"));
  // Fixed points by kind: filled for stable, open for unstable, a square for saddles.
  const std::string fp = file("phase_fixed_points.csv");
  s += fmt::format(
      "  {0} using 1:(strcol(3) eq 'stable_node' || strcol(3) eq 'stable_spiral' ? $2 : 1/0) "
      "with points pt 7 ps 1.8 lc rgb 'black' title 'stable', \\\n"
      "  {0} using 1:(strcol(3) eq 'saddle' ? $2 : 1/0) with points pt 5 ps 1.6 lc rgb '#9467bd' "
      "title 'saddle', \\\n"
      "  {0} using 1:(strcol(3) eq 'unstable_node' || strcol(3) eq 'unstable_spiral' ? $2 : 1/0) "
      "with points pt 6 ps 1.8 lw 2 lc rgb '#d62728' title 'unstable', \\\n"
      "  {0} using 1:(strcol(3) eq 'center' || strcol(3) eq 'non_hyperbolic' ? $2 : 1/0) with "
      "points pt 12 ps 1.8 lw 2 lc rgb '#ff7f0e' title 'center / non-hyperbolic'\n",
      fp);
  return run_gnuplot(s, dir / "phase_portrait.png", 1000, 760);
}

}  // namespace engram::cli
