// Python binding of the whole-system analysis (engram.analyze, the code behind `engram analyze`)
// and of the phase plane of 2-D systems (nullclines, direction fields).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/analysis/analyze.hpp"
#include "engram/analysis/phase_plane.hpp"
#include "landscape_field.hpp"

namespace engram::python {

namespace {

PlaneBox box_of(const py::handle& x_range, const py::handle& y_range, const char* who) {
  const auto x = range_of(x_range, std::string(who) + ": x_range");
  const auto y = range_of(y_range, std::string(who) + ": y_range");
  return {x[0], x[1], y[0], y[1]};
}

}  // namespace

void bind_analysis_report(py::module_& m) {
  m.def(
      "analyze",
      [](const py::object& field, const py::handle& lower, const py::handle& upper, int starts,
         std::uint64_t seed, int samples, double t_max, bool barriers, bool limit_cycles) {
        const VectorField& f = field_of(field);
        AnalyzeOptions o;
        o.lower = point_of(lower, f.dim(), "analyze: lower");
        o.upper = point_of(upper, f.dim(), "analyze: upper");
        o.starts = starts;
        o.seed = seed;
        o.samples = samples;
        o.basin.t_max = t_max;
        o.barriers = barriers;
        o.limit_cycles = limit_cycles;
        std::string json;
        {
          py::gil_scoped_release release;
          json = to_json(analyze(f, o)).dump();
        }
        return py::module_::import("json").attr("loads")(json);
      },
      py::arg("field"), py::arg("lower"), py::arg("upper"), py::kw_only(), py::arg("starts") = 64,
      py::arg("seed") = 1, py::arg("samples") = 200, py::arg("t_max") = 100.0,
      py::arg("barriers") = true, py::arg("limit_cycles") = true,
      R"doc(The analysis `engram analyze` runs (SPEC M-21 .. M-26), as the dict it writes to
report.json: fixed points in the box lower <= x <= upper (each with x, residual, eigenvalues as
[re, im] pairs, classification, energy), the search's statistics, landscape metrics, Monte Carlo
basin fractions of the attractors with 95% intervals (`samples` starts; trajectories leaving the
box widened by twice its width reach none), nudged-elastic-band barriers from the deepest
attractor (fields with an energy), a limit cycle search (2-D) and a continuous attractor among
non-hyperbolic points. Runs without the GIL.

    eq9 = engram.EquationSystem("x' = -0.4*x + 0.02*x*y; y' = 0.8*y - 0.01*y^2*x - 0.1*x*y")
    report = engram.analyze(eq9, [-1, -1], [10, 30])
    [p["classification"] for p in report["fixed_points"]]   # ['saddle', 'stable_spiral'])doc");
  m.def(
      "nullcline",
      [](const py::object& field, int component, const py::handle& x_range,
         const py::handle& y_range, int resolution) {
        const VectorField& f = field_of(field);
        const PlaneBox box = box_of(x_range, y_range, "nullcline");
        std::vector<Segment> segments;
        {
          py::gil_scoped_release release;
          segments = nullcline(f, component, box, resolution);
        }
        py::array_t<double> out(
            {static_cast<py::ssize_t>(segments.size()), py::ssize_t(2), py::ssize_t(2)});
        auto w = out.mutable_unchecked<3>();
        for (std::size_t k = 0; k < segments.size(); ++k)
          for (int d = 0; d < 2; ++d) {
            w(py::ssize_t(k), 0, d) = segments[k].a(d);
            w(py::ssize_t(k), 1, d) = segments[k].b(d);
          }
        return out;
      },
      py::arg("field"), py::arg("component"), py::arg("x_range"), py::arg("y_range"),
      py::arg("resolution") = 200,
      "The curve f_component(x, y) = 0 of a 2-D field in the box, as segments (S, 2, 2): segment\n"
      "k runs from out[k, 0] to out[k, 1] (marching squares on resolution^2 cells).");
  m.def(
      "direction_field",
      [](const py::object& field, const py::handle& x_range, const py::handle& y_range,
         int resolution) {
        const VectorField& f = field_of(field);
        const PlaneBox box = box_of(x_range, y_range, "direction_field");
        Eigen::MatrixXd d;
        {
          py::gil_scoped_release release;
          d = direction_field(f, box, resolution);
        }
        return to_numpy(std::move(d));
      },
      py::arg("field"), py::arg("x_range"), py::arg("y_range"), py::arg("resolution") = 20,
      "The rate on a resolution x resolution grid of a 2-D field: rows (x, y, f_x, f_y).");
}

}  // namespace engram::python
