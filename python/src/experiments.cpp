// Python binding of the experiments (SPEC M-16, M-43): engram.run_recall and engram.run_capacity,
// the same C++ functions `engram recall` and `engram capacity` run.
#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "engram/experiments/capacity.hpp"
#include "engram/experiments/recall.hpp"

namespace engram::python {

namespace {

/// A RecallReport whose images and energy trace have been moved into NumPy arrays.
struct PyRecallReport {
  RecallReport report;
  py::array cues, retrieved, truth, energy_trace;
};

// An on_progress(done, total) callable for a run without the GIL: the call takes the GIL back,
// and the Python function is released under the GIL whichever copy of the config goes last. An
// exception raised in it leaves the run as error_already_set, re-raised in Python as itself.
std::function<void(Index, Index)> progress_callback(const py::object& on_progress) {
  if (on_progress.is_none()) return nullptr;
  if (!PyCallable_Check(on_progress.ptr()))
    throw py::type_error("on_progress: expected a callable(done, total) or None");
  auto owned = std::make_unique<py::function>(py::reinterpret_borrow<py::function>(on_progress));
  std::shared_ptr<py::function> callback(owned.release(), [](py::function* f) {
    py::gil_scoped_acquire gil;
    std::unique_ptr<py::function>{f}.reset();
  });
  return [callback](Index done, Index total) {
    py::gil_scoped_acquire gil;
    (*callback)(done, total);
  };
}

// A Corruption or its spec ("half", "flip:0.1", ...); a bad spec is parse()'s ValueError.
Corruption corruption_of(const py::handle& c) {
  if (py::isinstance<Corruption>(c)) return c.cast<Corruption>();
  if (py::isinstance<py::str>(c)) return Corruption::parse(c.cast<std::string>());
  throw py::type_error("corruption: expected a str such as 'half' or 'flip:0.1', or a Corruption");
}

py::object optional_float(const std::optional<double>& v) {
  return v ? py::object(py::float_(*v)) : py::object(py::none());
}
py::object optional_int(const std::optional<int>& v) {
  return v ? py::object(py::int_(*v)) : py::object(py::none());
}

py::dict config_dict(const RecallConfig& c) {
  py::dict d;
  d["model"] = to_string(c.model);
  d["dataset"] = c.dataset;
  d["memories"] = c.memories;
  d["corruption"] = c.corruption.to_string();
  d["seed"] = c.seed;
  d["beta"] = optional_float(c.beta);
  d["interaction"] = c.interaction;
  d["rule"] = c.rule;
  d["binarize"] = c.binarize;
  d["mode"] = c.mode;
  d["max_steps"] = optional_int(c.max_steps);
  d["save_model"] = c.save_model.empty() ? py::object(py::none()) : py::cast(c.save_model);
  return d;
}

py::dict config_dict(const CapacityConfig& c) {
  py::dict d;
  d["model"] = to_string(c.model);
  d["n"] = c.n;
  d["trials"] = c.trials;
  d["loads"] = c.loads;
  d["flip"] = c.flip;
  d["tolerance"] = c.tolerance;
  d["seed"] = c.seed;
  d["beta"] = optional_float(c.beta);
  d["interaction"] = c.interaction;
  d["mode"] = c.mode;
  d["max_steps"] = optional_int(c.max_steps);
  return d;
}

// One value per capacity point, as a float64 array.
template <class F>
py::array per_point(const CapacityReport& r, F&& field) {
  Eigen::VectorXd v(static_cast<Index>(r.points.size()));
  for (std::size_t i = 0; i < r.points.size(); ++i) v(Index(i)) = field(r.points[i]);
  return to_numpy(std::move(v));
}

std::string fixed4(double x) {
  return std::isnan(x) ? "nan" : fmt::format("{:.4f}", x);
}

}  // namespace

void bind_experiments(py::module_& m) {
  using R = PyRecallReport;
  py::class_<R>(m, "RecallReport", R"doc(
The outcome of run_recall (N stored images of D = rows*cols pixels):
    exact_recall           fraction of cues whose retrieval is nearer (Euclidean) to its own
                           stored image than to any other
    perfect_recall         fraction retrieved exactly (every pixel within 0.5/255)
    mean_pixel_error       mean |retrieved - truth| over all pixels, in [0, 1] units
    corrupted_pixel_error  the same over the pixels the corruption altered (nan if none)
    mean_steps, converged_fraction, seconds
    cues, retrieved, truth (N, D) float32 in [0, 1] for display
    energy_trace           (updates + 1, N) float64: each cue's energy after every update
    model_description, dimension (D), rows, cols, config (the settings, a dict))doc")
      .def_property_readonly("config", [](const R& r) { return config_dict(r.report.config); })
      .def_property_readonly("model_description",
                             [](const R& r) { return r.report.model_description; })
      .def_property_readonly("dimension", [](const R& r) { return r.report.dimension; })
      .def_property_readonly("rows", [](const R& r) { return r.report.rows; })
      .def_property_readonly("cols", [](const R& r) { return r.report.cols; })
      .def_property_readonly("exact_recall", [](const R& r) { return r.report.exact_recall; })
      .def_property_readonly("perfect_recall", [](const R& r) { return r.report.perfect_recall; })
      .def_property_readonly("mean_pixel_error",
                             [](const R& r) { return r.report.mean_pixel_error; })
      .def_property_readonly("corrupted_pixel_error",
                             [](const R& r) { return r.report.corrupted_pixel_error; })
      .def_property_readonly("mean_steps", [](const R& r) { return r.report.mean_steps; })
      .def_property_readonly("converged_fraction",
                             [](const R& r) { return r.report.converged_fraction; })
      .def_property_readonly("seconds", [](const R& r) { return r.report.seconds; })
      .def_readonly("cues", &R::cues)
      .def_readonly("retrieved", &R::retrieved)
      .def_readonly("truth", &R::truth)
      .def_readonly("energy_trace", &R::energy_trace)
      .def("__repr__", [](const R& r) {
        const RecallReport& p = r.report;
        return fmt::format(
            "engram.RecallReport('{}' on {}: memories={}, corruption='{}', exact_recall={}, "
            "perfect_recall={}, mean_pixel_error={})",
            p.model_description, p.config.dataset, p.config.memories,
            p.config.corruption.to_string(), fixed4(p.exact_recall), fixed4(p.perfect_recall),
            fixed4(p.mean_pixel_error));
      });

  m.def(
      "run_recall",
      [](const std::string& model, const std::string& dataset, Index memories,
         const py::handle& corruption, std::uint64_t seed, std::optional<double> beta,
         const std::string& interaction, const std::string& rule, bool binarize,
         const std::string& mode, std::optional<int> max_steps,
         std::optional<std::filesystem::path> save_model, const py::object& on_progress) {
        RecallConfig c;
        c.model = parse_model_family(model);
        c.dataset = dataset;
        c.memories = memories;
        c.corruption = corruption_of(corruption);
        c.seed = seed;
        c.beta = beta;
        c.interaction = interaction;
        c.rule = rule;
        c.binarize = binarize;
        c.mode = mode;
        c.max_steps = max_steps;
        if (save_model) c.save_model = *save_model;
        c.on_progress = progress_callback(on_progress);
        PyRecallReport out;
        {
          py::gil_scoped_release release;
          out.report = run_recall(c);
        }
        out.report.config.on_progress = nullptr;
        RecallReport& r = out.report;
        out.cues = to_numpy(std::move(r.cues));
        out.retrieved = to_numpy(std::move(r.retrieved));
        out.truth = to_numpy(std::move(r.truth));
        out.energy_trace = to_numpy(std::move(r.energy_trace));
        return out;
      },
      py::arg("model") = "modern", py::arg("dataset") = "mnist", py::arg("memories") = 100,
      py::arg("corruption") = "half", py::arg("seed") = 1, py::arg("beta") = py::none(),
      py::arg("interaction") = "", py::arg("rule") = "hebbian", py::arg("binarize") = true,
      py::arg("mode") = "async", py::arg("max_steps") = py::none(),
      py::arg("save_model") = py::none(), py::arg("on_progress") = py::none(),
      R"doc(The recall experiment of `engram recall` (SPEC M-43), same code: stores the first
`memories` training images of `dataset` ('mnist' or 'fashion') as +-1 patterns (pixel >= 1/2 -> +1;
binarize=False stores grey levels 2p - 1, continuous/modern/linear only) in the model family
`model` ('classical', 'continuous', 'modern', 'dam', 'linear'), corrupts each with `corruption`
('half', 'flip:F', 'mask:F', 'noise:S' or a Corruption; masked pixels become 0) using `seed`,
retrieves every cue and scores the result. Returns a RecallReport.
    beta         modern: beta (default 1); continuous: tanh gain (10); dam: beta of exponential /
                 log-sum-exp F
    interaction  dam: F, e.g. 'polynomial(n=3)', default 'rectified_polynomial(n=30)'
    rule         classical, continuous: 'hebbian', 'storkey' or 'pseudo_inverse'
    mode         classical, dam: 'async' (random-order sweeps) or 'sync'
    max_steps    update budget per cue (default 100; continuous: 1000 Euler steps of dt 0.1)
    save_model   a path (str or os.PathLike): the model is also saved there as a model file
    on_progress  callable(done, total), called with the GIL as cues are retrieved; an exception
                 it raises stops the run and propagates
Runs without the GIL. Raises ValueError for impossible settings (more memories than the split
holds, an option the family cannot use) and engram.Error for missing data.)doc");

  py::class_<CapacityPoint>(m, "CapacityPoint", "One load of a capacity experiment.")
      .def_readonly("load", &CapacityPoint::load, "alpha = P / N.")
      .def_readonly("patterns", &CapacityPoint::patterns, "P, the stored patterns.")
      .def_readonly("bit_error_rate", &CapacityPoint::bit_error_rate,
                    "Mean over trials and cues of the fraction of bits wrong at the end.")
      .def_readonly("bit_error_stderr", &CapacityPoint::bit_error_stderr,
                    "Its standard error over the trials (nan for one trial).")
      .def_readonly("failure_rate", &CapacityPoint::failure_rate,
                    "Fraction of cues whose bit error exceeds the tolerance.")
      .def_readonly("mean_steps", &CapacityPoint::mean_steps)
      .def("__repr__", [](const CapacityPoint& p) {
        return fmt::format(
            "engram.CapacityPoint(load={}, patterns={}, bit_error_rate={}, failure_rate={})",
            p.load, p.patterns, fixed4(p.bit_error_rate), fixed4(p.failure_rate));
      });

  py::class_<CapacityReport>(m, "CapacityReport", R"doc(
The outcome of run_capacity:
    points           list of CapacityPoint, by increasing load
    loads, bit_error_rates, failure_rates   the same as float64 arrays (one value per point)
    critical_load    the load where the bit error first exceeds the tolerance, linearly
                     interpolated between the grid points around the crossing; None if it never
                     does (critical_note says why)
    model_description, seconds, config (the settings, with the loads actually used))doc")
      .def_readonly("points", &CapacityReport::points)
      .def_property_readonly("loads",
                             [](const CapacityReport& r) {
                               return per_point(r, [](const CapacityPoint& p) { return p.load; });
                             })
      .def_property_readonly("bit_error_rates",
                             [](const CapacityReport& r) {
                               return per_point(
                                   r, [](const CapacityPoint& p) { return p.bit_error_rate; });
                             })
      .def_property_readonly("failure_rates",
                             [](const CapacityReport& r) {
                               return per_point(
                                   r, [](const CapacityPoint& p) { return p.failure_rate; });
                             })
      .def_readonly("critical_load", &CapacityReport::critical_load)
      .def_readonly("critical_note", &CapacityReport::critical_note)
      .def_readonly("model_description", &CapacityReport::model_description)
      .def_readonly("seconds", &CapacityReport::seconds)
      .def_property_readonly("config",
                             [](const CapacityReport& r) { return config_dict(r.config); })
      .def("__repr__", [](const CapacityReport& r) {
        return fmt::format("engram.CapacityReport('{}', n={}, {} loads, critical_load={})",
                           r.model_description, r.config.n, r.points.size(),
                           r.critical_load ? fmt::format("{:.4f}", *r.critical_load) : "None");
      });

  m.def(
      "run_capacity",
      [](const std::string& model, Index n, int trials, std::optional<std::vector<double>> loads,
         double flip, double tolerance, std::uint64_t seed, std::optional<double> beta,
         const std::string& interaction, const std::string& mode, std::optional<int> max_steps,
         const py::object& on_progress) {
        CapacityConfig c;
        c.model = parse_model_family(model);
        c.n = n;
        c.trials = trials;
        if (loads && loads->empty())
          throw py::value_error(
              "run_capacity: loads is empty; give at least one load, or None for "
              "the family's grid");
        if (loads) c.loads = *loads;
        c.flip = flip;
        c.tolerance = tolerance;
        c.seed = seed;
        c.beta = beta;
        c.interaction = interaction;
        c.mode = mode;
        c.max_steps = max_steps;
        c.on_progress = progress_callback(on_progress);
        CapacityReport r;
        {
          py::gil_scoped_release release;
          r = run_capacity(c);
        }
        r.config.on_progress = nullptr;
        return r;
      },
      py::arg("model") = "classical", py::arg("n") = 200, py::arg("trials") = 10,
      py::arg("loads") = py::none(), py::arg("flip") = 0.0, py::arg("tolerance") = 0.015,
      py::arg("seed") = 1, py::arg("beta") = py::none(), py::arg("interaction") = "",
      py::arg("mode") = "async", py::arg("max_steps") = py::none(),
      py::arg("on_progress") = py::none(),
      R"doc(The capacity experiment of `engram capacity` (SPEC M-16), same code: for each load
alpha = P/N in `loads` (sorted, de-duplicated; None: the family's grid, classical 0.02..0.30 by
0.01, dam 0.25..6 by 0.25, modern 1..20 by 1) and each of `trials` pattern sets, stores
P = round(alpha * n) random +-1 patterns of n units in `model` ('classical', 'dam' or 'modern'),
starts the dynamics at up to 200 of them with a fraction `flip` of bits flipped, and measures the
final bit error. A cue fails when its bit error exceeds `tolerance` (AGS: 0.015).
    beta, interaction, mode, max_steps   as in run_recall (dam: F defaults to 'polynomial(n=3)')
    on_progress  callable(done, total), once per trial with the GIL; an exception it raises stops
                 the run and propagates
Runs without the GIL. Returns a CapacityReport.)doc");
}

}  // namespace engram::python
