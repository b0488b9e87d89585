// Python bindings of energy barriers and attractor kinds (SPEC M-25, M-26): nudged elastic band,
// limit cycles, continuous attractors.
#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cmath>
#include <optional>

#include "engram/analysis/attractors.hpp"
#include "engram/analysis/neb.hpp"
#include "landscape_field.hpp"

namespace engram::python {

namespace {

template <class S>
auto vector_property(Eigen::VectorXd S::*member) {
  return [member](const S& s) { return to_numpy(Eigen::VectorXd(s.*member)); };
}
template <class S>
auto matrix_property(Eigen::MatrixXd S::*member) {
  return [member](const S& s) { return to_numpy(Eigen::MatrixXd(s.*member)); };
}

void bind_results(py::module_& m) {
  py::class_<NebResult>(m, "NebResult", "A relaxed nudged elastic band (SPEC M-25).")
      .def_property_readonly("path", matrix_property(&NebResult::path),
                             "(images, n): row 0 the start, the last row the end.")
      .def_property_readonly("energies", vector_property(&NebResult::energies))
      .def_property_readonly("arc_length", vector_property(&NebResult::arc_length))
      .def_readonly("barrier", &NebResult::barrier, "max E - E(start).")
      .def_readonly("saddle_index", &NebResult::saddle_index)
      .def_property_readonly("saddle", vector_property(&NebResult::saddle))
      .def_readonly("saddle_energy", &NebResult::saddle_energy)
      .def_property_readonly("hessian_eigenvalues",
                             vector_property(&NebResult::hessian_eigenvalues))
      .def_readonly("saddle_confirmed", &NebResult::saddle_confirmed,
                    "Exactly one negative Hessian eigenvalue at the saddle.")
      .def_readonly("linear_barrier", &NebResult::linear_barrier,
                    "max E along the straight segment - E(start): an upper bound.")
      .def_readonly("converged", &NebResult::converged)
      .def_readonly("iterations", &NebResult::iterations)
      .def_readonly("max_force", &NebResult::max_force)
      .def("__repr__", [](const NebResult& r) {
        return fmt::format("engram.NebResult(barrier={:.6g}, converged={}, saddle_confirmed={})",
                           r.barrier, r.converged ? "True" : "False",
                           r.saddle_confirmed ? "True" : "False");
      });

  py::class_<LimitCycle>(m, "LimitCycle", "A periodic orbit found (or not) (SPEC M-26).")
      .def_readonly("found", &LimitCycle::found)
      .def_readonly("status", &LimitCycle::status,
                    "'periodic', 'fixed_point', 'no_returns', 'irregular' or 'diverged'.")
      .def_readonly("period", &LimitCycle::period)
      .def_property_readonly("minimum", vector_property(&LimitCycle::minimum))
      .def_property_readonly("maximum", vector_property(&LimitCycle::maximum))
      .def_property_readonly("amplitude", vector_property(&LimitCycle::amplitude),
                             "Peak to peak (max - min) per coordinate over one period.")
      .def_property_readonly("cycle", matrix_property(&LimitCycle::cycle),
                             "The states of one period (rows).")
      .def_property_readonly("section_point", vector_property(&LimitCycle::section_point))
      .def_readonly("returns", &LimitCycle::returns)
      .def_readonly("period_spread", &LimitCycle::period_spread)
      .def_readonly("return_distance", &LimitCycle::return_distance)
      .def("__repr__", [](const LimitCycle& c) {
        return fmt::format("engram.LimitCycle(status='{}', period={:.8g})", c.status, c.period);
      });

  py::class_<ContinuousAttractor>(m, "ContinuousAttractor",
                                  "A manifold of fixed points (line, ring, arc) (SPEC M-26).")
      .def_readonly("found", &ContinuousAttractor::found)
      .def_readonly("shape", &ContinuousAttractor::shape, "'line', 'ring', 'arc' or 'curve'.")
      .def_readonly("reason", &ContinuousAttractor::reason)
      .def_readonly("attracting", &ContinuousAttractor::attracting)
      .def_readonly("members", &ContinuousAttractor::members)
      .def_property_readonly("points", matrix_property(&ContinuousAttractor::points))
      .def_readonly("alignment", &ContinuousAttractor::alignment)
      .def_readonly("link_distance", &ContinuousAttractor::link_distance)
      .def_property_readonly("direction", vector_property(&ContinuousAttractor::direction))
      .def_property_readonly("centre", vector_property(&ContinuousAttractor::centre))
      .def_readonly("radius", &ContinuousAttractor::radius)
      .def("__repr__", [](const ContinuousAttractor& c) {
        return fmt::format("engram.ContinuousAttractor(found={}, shape='{}', members={})",
                           c.found ? "True" : "False", c.shape, c.members.size());
      });
}

}  // namespace

void bind_analysis_barriers(py::module_& m) {
  bind_results(m);

  m.def(
      "nudged_elastic_band",
      [](const py::object& field, const py::handle& start, const py::handle& end, int images,
         double spring, bool climbing, const std::string& optimizer, double step, double tolerance,
         int max_iterations) {
        const VectorField& f = field_of(field);
        const Eigen::VectorXd a = point_of(start, f.dim(), "nudged_elastic_band: start");
        const Eigen::VectorXd b = point_of(end, f.dim(), "nudged_elastic_band: end");
        NebOptions o;
        o.images = images;
        o.spring = spring;
        o.climbing = climbing;
        o.optimizer = parse_neb_optimizer(optimizer);
        o.step = step;
        o.tolerance = tolerance;
        o.max_iterations = max_iterations;
        py::gil_scoped_release release;
        return nudged_elastic_band(f, a, b, o);
      },
      py::arg("field"), py::arg("start"), py::arg("end"), py::arg("images") = 17,
      py::arg("spring") = 1.0, py::arg("climbing") = true, py::arg("optimizer") = "fire",
      py::arg("step") = 0.05, py::arg("tolerance") = 1e-6, py::arg("max_iterations") = 20000,
      R"doc(The minimum-energy path between two states (usually minima) of the field's energy by the
climbing-image nudged elastic band (SPEC M-25), optimised by 'fire' or 'gradient_descent'. Returns
a NebResult: path, energies, barrier (max E - E(start)), the saddle and whether its Hessian has
exactly one negative eigenvalue, and the straight-line maximum (an upper bound). Not converging is
reported in `converged`. Runs without the GIL.)doc");
  m.def(
      "write_neb_profile",
      [](const std::filesystem::path& path, const NebResult& result,
         const std::vector<std::string>& names) { write_neb_profile(path, result, names); },
      py::arg("path"), py::arg("result"), py::arg("names") = std::vector<std::string>{},
      "Writes image, arc_length, energy and the coordinates of each image as CSV.");

  m.def(
      "detect_limit_cycle",
      [](const py::object& field, const py::handle& x0, double transient, double t_max,
         Index coordinate, std::optional<double> level, double sample_dt, double tolerance,
         int min_returns, const std::string& method, double abs_tol, double rel_tol) {
        const VectorField& f = field_of(field);
        const Eigen::VectorXd x = point_of(x0, f.dim(), "detect_limit_cycle: x0");
        LimitCycleOptions o;
        o.integrate = integrate_options(method, 1e-2, abs_tol, rel_tol, 10'000'000L);
        o.coordinate = coordinate;
        if (level) o.level = *level;
        o.sample_dt = sample_dt;
        o.tolerance = tolerance;
        o.min_returns = min_returns;
        py::gil_scoped_release release;
        return detect_limit_cycle(f, x, transient, t_max, o);
      },
      py::arg("field"), py::arg("x0"), py::arg("transient"), py::arg("t_max"),
      py::arg("coordinate") = 0, py::arg("level") = py::none(), py::arg("sample_dt") = 0.01,
      py::arg("tolerance") = 1e-4, py::arg("min_returns") = 3, py::arg("method") = "dopri5",
      py::arg("abs_tol") = 1e-10, py::arg("rel_tol") = 1e-10,
      R"doc(Integrates from x0, discards t < transient, and looks for a periodic orbit in
[transient, t_max] by the returns to the section x[coordinate] = level, crossed upwards (level None:
the middle of the coordinate's range) (SPEC M-26). Returns a LimitCycle: found, status, period,
amplitude (peak to peak per coordinate), one cycle of states. Runs without the GIL.)doc");
  m.def(
      "continuous_attractor",
      [](const py::object& field, const std::vector<FixedPoint>& points, double zero_tol,
         double link_distance, int min_points, double min_alignment) {
        const VectorField& f = field_of(field);
        ContinuousAttractorOptions o;
        o.zero_tol = zero_tol;
        o.link_distance = link_distance;
        o.min_points = min_points;
        o.min_alignment = min_alignment;
        py::gil_scoped_release release;
        return continuous_attractor(f, points, o);
      },
      py::arg("field"), py::arg("points"), py::arg("zero_tol") = 1e-6,
      py::arg("link_distance") = 0.0, py::arg("min_points") = 5, py::arg("min_alignment") = 0.9,
      R"doc(Looks among fixed points (e.g. from find_fixed_points) for a connected family, each with
exactly one zero eigenvalue whose eigenvector is tangent to the family, with fixed points filling
the links between neighbours (SPEC M-26). Returns a ContinuousAttractor: found, shape ('line',
'ring', 'arc', 'curve'), attracting, members, and the line's direction or the ring's centre and
radius; `reason` says why when not found.)doc");
}

}  // namespace engram::python
