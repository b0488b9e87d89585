// Python bindings of the landscape toolkit (SPEC M-22..M-24): fixed points, stability, basins and
// landscape metrics; the barriers and attractor kinds are in analysis_barriers.cpp.
#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cmath>

#include "analysis_fields.hpp"
#include "bindings.hpp"
#include "engram/analysis/basins.hpp"
#include "engram/analysis/fixed_points.hpp"
#include "engram/analysis/stability.hpp"
#include "landscape_field.hpp"

namespace engram::python {

namespace {

py::object energy_or_none(bool has, double e) {
  return has ? py::object(py::float_(e)) : py::object(py::none());
}

py::array int_grid(const Eigen::MatrixXi& labels) {
  py::array_t<std::int32_t> out({labels.rows(), labels.cols()});
  auto w = out.mutable_unchecked<2>();
  for (Index i = 0; i < labels.rows(); ++i)
    for (Index j = 0; j < labels.cols(); ++j) w(i, j) = labels(i, j);
  return out;
}

Eigen::MatrixXi int_grid_of(const py::handle& obj) {
  const auto a = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>::ensure(obj);
  ENGRAM_CHECK(a && a.ndim() == 2, "write_basin_map: labels must be a 2-D integer array");
  Eigen::MatrixXi out(a.shape(0), a.shape(1));
  auto r = a.unchecked<2>();
  for (Index i = 0; i < out.rows(); ++i)
    for (Index j = 0; j < out.cols(); ++j) out(i, j) = r(i, j);
  return out;
}

BasinOptions basin_options(double t_max, double capture_radius, const std::string& method,
                           double dt, double abs_tol, double rel_tol, long max_steps) {
  BasinOptions o;
  o.integrate = integrate_options(method, dt, abs_tol, rel_tol, max_steps);
  o.t_max = t_max;
  o.capture_radius = capture_radius;
  return o;
}

// The integration keywords shared by basin_map and basin_fractions.
#define ENGRAM_BASIN_ARGS                                                                   \
  py::arg("t_max") = 100.0, py::arg("capture_radius") = 1e-3, py::arg("method") = "dopri5", \
  py::arg("dt") = 1e-2, py::arg("abs_tol") = 1e-6, py::arg("rel_tol") = 1e-6,               \
  py::arg("max_steps") = 10'000'000L

void bind_results(py::module_& m) {
  py::class_<FixedPoint>(m, "FixedPoint", "A state where f(x) = 0 and its linear stability.")
      .def_property_readonly("x",
                             [](const FixedPoint& p) { return to_numpy(Eigen::VectorXd(p.x)); })
      .def_readonly("residual", &FixedPoint::residual, "||f(x)||")
      .def_property_readonly(
          "eigenvalues", [](const FixedPoint& p) { return complex_array(p.eigenvalues); },
          "Jacobian eigenvalues (complex), by decreasing real part.")
      .def_property_readonly(
          "kind", [](const FixedPoint& p) { return to_string(p.kind); },
          "stable_node, stable_spiral, saddle, unstable_node, "
          "unstable_spiral, center or non_hyperbolic.")
      .def_property_readonly(
          "energy", [](const FixedPoint& p) { return energy_or_none(p.has_energy, p.energy); })
      .def_readonly("method", &FixedPoint::method)
      .def_readonly("hits", &FixedPoint::hits, "How many starts converged here.")
      .def("__repr__", [](const FixedPoint& p) {
        return fmt::format("engram.FixedPoint(x={}, kind='{}')",
                           py::repr(to_numpy(Eigen::VectorXd(p.x))).cast<std::string>(),
                           to_string(p.kind));
      });

  py::class_<Stability>(m, "Stability", "The linearisation of a field at one state.")
      .def_property_readonly(
          "jacobian", [](const Stability& s) { return to_numpy(Eigen::MatrixXd(s.jacobian)); })
      .def_property_readonly("eigenvalues",
                             [](const Stability& s) { return complex_array(s.eigenvalues); })
      .def_property_readonly("kind", [](const Stability& s) { return to_string(s.kind); })
      .def_readonly("spectral_radius", &Stability::spectral_radius)
      .def_readonly("max_real_part", &Stability::max_real_part)
      .def_readonly("analytic_jacobian", &Stability::analytic_jacobian);

  py::class_<JacobianCheck>(m, "JacobianCheck", "Analytic Jacobian vs central differences.")
      .def_property_readonly(
          "analytic", [](const JacobianCheck& c) { return to_numpy(Eigen::MatrixXd(c.analytic)); })
      .def_property_readonly(
          "numerical",
          [](const JacobianCheck& c) { return to_numpy(Eigen::MatrixXd(c.numerical)); })
      .def_readonly("max_abs_error", &JacobianCheck::max_abs_error)
      .def_readonly("max_rel_error", &JacobianCheck::max_rel_error)
      .def_readonly("has_analytic", &JacobianCheck::has_analytic);

  py::class_<BasinFractions>(m, "BasinFractions",
                             "Monte Carlo basin sizes with 95% Wilson intervals.")
      .def_property_readonly("fractions",
                             [](const BasinFractions& b) {
                               Eigen::VectorXd v(b.attractors.size());
                               for (std::size_t k = 0; k < b.attractors.size(); ++k)
                                 v(k) = b.attractors[k].fraction;
                               return to_numpy(std::move(v));
                             })
      .def_property_readonly("lower",
                             [](const BasinFractions& b) {
                               Eigen::VectorXd v(b.attractors.size());
                               for (std::size_t k = 0; k < b.attractors.size(); ++k)
                                 v(k) = b.attractors[k].lower;
                               return to_numpy(std::move(v));
                             })
      .def_property_readonly("upper",
                             [](const BasinFractions& b) {
                               Eigen::VectorXd v(b.attractors.size());
                               for (std::size_t k = 0; k < b.attractors.size(); ++k)
                                 v(k) = b.attractors[k].upper;
                               return to_numpy(std::move(v));
                             })
      .def_property_readonly("counts",
                             [](const BasinFractions& b) {
                               std::vector<int> c;
                               for (const Proportion& p : b.attractors) c.push_back(p.count);
                               return to_numpy(c);
                             })
      .def_property_readonly("unreached",
                             [](const BasinFractions& b) { return b.unreached.fraction; })
      .def_property_readonly("unreached_interval",
                             [](const BasinFractions& b) {
                               return py::make_tuple(b.unreached.lower, b.unreached.upper);
                             })
      .def_readonly("samples", &BasinFractions::samples);

  py::class_<Landscape>(m, "Landscape", "Counts, energies, gap and barrier of fixed points.")
      .def_readonly("attractor_count", &Landscape::attractor_count)
      .def_readonly("saddle_count", &Landscape::saddle_count)
      .def_readonly("repeller_count", &Landscape::repeller_count)
      .def_readonly("attractors", &Landscape::attractors, "Indices into the point list.")
      .def_readonly("saddles", &Landscape::saddles, "Indices into the point list.")
      .def_property_readonly(
          "attractor_energies",
          [](const Landscape& l) { return to_numpy(Eigen::VectorXd(l.attractor_energies)); })
      .def_property_readonly(
          "saddle_energies",
          [](const Landscape& l) { return to_numpy(Eigen::VectorXd(l.saddle_energies)); })
      .def_readonly("has_energy", &Landscape::has_energy)
      .def_property_readonly("deepest",
                             [](const Landscape& l) -> py::object {
                               return l.deepest < 0 ? py::object(py::none())
                                                    : py::object(py::int_(l.deepest));
                             })
      .def_readonly("energy_gap", &Landscape::energy_gap)
      .def_readonly("barrier", &Landscape::barrier);
}

}  // namespace

void bind_analysis_landscape(py::module_& m) {
  bind_results(m);

  m.def(
      "find_fixed_points",
      [](const py::object& field, const py::handle& lower, const py::handle& upper, int starts,
         std::uint64_t seed, const py::object& initial, double residual_tol, double dedup_tol,
         double zero_tol, int max_evaluations, bool levenberg_marquardt) {
        const VectorField& f = field_of(field);
        FixedPointOptions o;
        o.lower = point_of(lower, f.dim(), "find_fixed_points: lower");
        o.upper = point_of(upper, f.dim(), "find_fixed_points: upper");
        o.starts = starts;
        o.seed = seed;
        if (!initial.is_none())
          o.initial = points_of(initial, f.dim(), "find_fixed_points: initial");
        o.residual_tol = residual_tol;
        o.dedup_tol = dedup_tol;
        o.zero_tol = zero_tol;
        o.max_evaluations = max_evaluations;
        o.levenberg_marquardt = levenberg_marquardt;
        py::gil_scoped_release release;
        return find_fixed_points(f, o).points;
      },
      py::arg("field"), py::arg("lower"), py::arg("upper"), py::arg("starts") = 64,
      py::arg("seed") = 0, py::arg("initial") = py::none(), py::arg("residual_tol") = 1e-9,
      py::arg("dedup_tol") = 1e-6, py::arg("zero_tol") = kZeroTolerance,
      py::arg("max_evaluations") = 0, py::arg("levenberg_marquardt") = true,
      R"doc(Fixed points of `field` in the box lower <= x <= upper (SPEC M-22): `starts` random starts
(seeded) plus the `initial` points, each refined by Powell's hybrid method with a Levenberg-Marquardt
fallback on 0.5 ||f||^2; roots with ||f|| <= residual_tol inside the box, deduplicated (max
|x - y| / box width <= dedup_tol), sorted by x. Saddles and repellers are found too. Returns a list
of FixedPoint. Runs without the GIL.)doc");

  m.def(
      "jacobian_at",
      [](const py::object& field, const py::handle& x) {
        const VectorField& f = field_of(field);
        return to_numpy(jacobian_at(f, point_of(x, f.dim(), "jacobian_at: x")));
      },
      py::arg("field"), py::arg("x"),
      "df/dx at x (n, n): analytic when the field has one, central differences otherwise.");
  m.def(
      "eigenvalues",
      [](const py::handle& J) {
        const MatrixArg<double> a(J, "eigenvalues: J", /*allow_vector=*/false);
        return complex_array(eigenvalues(Eigen::MatrixXd(a.map())));
      },
      py::arg("J"), "Eigenvalues of a square matrix (complex), by decreasing real part.");
  m.def(
      "classify",
      [](const py::handle& lambda, double zero_tol) {
        const auto a = py::array_t<std::complex<double>, py::array::forcecast>::ensure(lambda);
        ENGRAM_CHECK(a && a.ndim() == 1, "classify: expected a 1-D array of eigenvalues");
        const Eigen::VectorXcd v =
            Eigen::Map<const Eigen::VectorXcd>(a.data(), static_cast<Index>(a.size()));
        return to_string(classify(v, zero_tol));
      },
      py::arg("eigenvalues"), py::arg("zero_tol") = kZeroTolerance,
      R"doc(The kind of fixed point these Jacobian eigenvalues make (SPEC M-23): 'stable_node',
'stable_spiral', 'saddle', 'unstable_node', 'unstable_spiral', 'center' or 'non_hyperbolic'; a real
or imaginary part within zero_tol * max(1, spectral radius) of zero counts as zero.)doc");
  m.def(
      "spectral_radius",
      [](const py::handle& values) {
        const auto a = py::array_t<std::complex<double>, py::array::forcecast>::ensure(values);
        ENGRAM_CHECK(a && (a.ndim() == 1 || a.ndim() == 2),
                     "spectral_radius: expected eigenvalues (1-D) or a square matrix (2-D)");
        if (a.ndim() == 2)
          return spectral_radius(eigenvalues(square_arg(values, "spectral_radius: W")));
        return spectral_radius(
            Eigen::Map<const Eigen::VectorXcd>(a.data(), static_cast<Index>(a.size())));
      },
      py::arg("values"),
      "rho = max |lambda|: of the given eigenvalues (1-D, complex allowed), or of the eigenvalues\n"
      "of a square real matrix W (2-D).");
  m.def(
      "stability",
      [](const py::object& field, const py::handle& x, double zero_tol) {
        const VectorField& f = field_of(field);
        return stability(f, point_of(x, f.dim(), "stability: x"), zero_tol);
      },
      py::arg("field"), py::arg("x"), py::arg("zero_tol") = kZeroTolerance,
      "The Jacobian at x, its eigenvalues, their classification and spectral radius (M-23).");
  m.def(
      "jacobian_check",
      [](const py::object& field, const py::handle& x, double step) {
        const VectorField& f = field_of(field);
        return jacobian_check(f, point_of(x, f.dim(), "jacobian_check: x"), step);
      },
      py::arg("field"), py::arg("x"), py::arg("step") = 1e-6,
      "The field's Jacobian against central differences at x (max abs and rel error).");

  m.def(
      "basin_map",
      [](const py::object& field, const py::handle& attractors, const py::handle& x_range,
         const py::handle& y_range, const py::handle& resolution, double t_max,
         double capture_radius, const std::string& method, double dt, double abs_tol,
         double rel_tol, long max_steps) {
        const VectorField& f = field_of(field);
        const auto points = points_of(attractors, f.dim(), "basin_map: attractors");
        Index nx, ny;
        if (py::isinstance<py::int_>(resolution)) {
          nx = ny = resolution.cast<Index>();
        } else {
          const auto r = resolution.cast<std::vector<Index>>();
          ENGRAM_CHECK(r.size() == 2, "basin_map: resolution must be n or (nx, ny)");
          nx = r[0], ny = r[1];
        }
        const BasinOptions o =
            basin_options(t_max, capture_radius, method, dt, abs_tol, rel_tol, max_steps);
        const auto xr = range_of(x_range, "basin_map: x_range");
        const auto yr = range_of(y_range, "basin_map: y_range");
        BasinMap map;
        {
          py::gil_scoped_release release;
          map = basin_map(f, points, xr, yr, nx, ny, o);
        }
        return int_grid(map.labels);
      },
      py::arg("field"), py::arg("attractors"), py::arg("x_range"), py::arg("y_range"),
      py::arg("resolution"), ENGRAM_BASIN_ARGS,
      R"doc(Basin map of a 2-D field (SPEC M-24): an int32 array (ny, nx) whose entry [i, j] is the
index of the attractor reached (within capture_radius, by t_max) from the cell centre
(x_lo + (j + 0.5) dx, y_lo + (i + 0.5) dy), -1 for none. Row 0 is the lowest y. Runs without the
GIL.)doc");
  m.def(
      "write_basin_map",
      [](const std::filesystem::path& path, const py::handle& labels, int scale) {
        write_basin_map(path, int_grid_of(labels), scale);
      },
      py::arg("path"), py::arg("labels"), py::arg("scale") = 1,
      "Writes a basin_map grid as a PNG (y up; fixed palette per attractor, black for -1).");
  m.def(
      "basin_fractions",
      [](const py::object& field, const py::handle& attractors, const py::handle& lower,
         const py::handle& upper, int samples, std::uint64_t seed, double t_max,
         double capture_radius, const std::string& method, double dt, double abs_tol,
         double rel_tol, long max_steps) {
        const VectorField& f = field_of(field);
        const auto points = points_of(attractors, f.dim(), "basin_fractions: attractors");
        const Eigen::VectorXd lo = point_of(lower, f.dim(), "basin_fractions: lower");
        const Eigen::VectorXd hi = point_of(upper, f.dim(), "basin_fractions: upper");
        const BasinOptions o =
            basin_options(t_max, capture_radius, method, dt, abs_tol, rel_tol, max_steps);
        py::gil_scoped_release release;
        return basin_fractions(f, points, lo, hi, samples, seed, o);
      },
      py::arg("field"), py::arg("attractors"), py::arg("lower"), py::arg("upper"),
      py::arg("samples") = 1000, py::arg("seed") = 0, ENGRAM_BASIN_ARGS,
      R"doc(The fraction of the box draining into each attractor from `samples` uniform starts, with
95% Wilson intervals (SPEC M-24), in any dimension. Runs without the GIL.)doc");
  m.def(
      "landscape",
      [](const py::object& field, const std::vector<FixedPoint>& points) {
        return landscape(field_of(field), points);
      },
      py::arg("field"), py::arg("points"),
      "Attractor and saddle counts, energies, deepest attractor, energy gap and barrier (M-24).");

  bind_analysis_barriers(m);
}

}  // namespace engram::python
