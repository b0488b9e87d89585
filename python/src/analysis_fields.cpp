// Python classes for vector fields (SPEC M-20): engram.VectorField and its kinds FunctionField
// (Python callables), LinearField, GraphField, ContinuousHopfieldField and EquationSystem.
#include "analysis_fields.hpp"

#include <fmt/format.h>
#include <pybind11/stl.h>

#include "engram/analysis/continuous_hopfield_field.hpp"
#include "engram/analysis/equation_system.hpp"
#include "engram/analysis/graph_field.hpp"

namespace engram::python {

Eigen::VectorXd vector_arg(const py::handle& obj, const std::string& what, Index size) {
  const MatrixArg<double> a(obj, what, /*allow_vector=*/true);
  if (!a.was_vector())
    throw py::value_error(
        fmt::format("{}: expected a 1-D array, got shape ({}, {})", what, a.rows(), a.cols()));
  if (size >= 0 && a.cols() != size)
    throw py::value_error(fmt::format("{}: expected {} values, got {}", what, size, a.cols()));
  return a.map().row(0).transpose();
}

Eigen::MatrixXd square_arg(const py::handle& obj, const std::string& what) {
  const MatrixArg<double> a(obj, what, /*allow_vector=*/false);
  if (a.rows() != a.cols() || a.rows() == 0)
    throw py::value_error(
        fmt::format("{}: expected a square (N, N) array, got ({}, {})", what, a.rows(), a.cols()));
  return a.map();
}

namespace {

using FieldPtr = std::shared_ptr<VectorField>;

/// A field whose rate, Jacobian and energy are Python callables. Every call takes the GIL (the
/// integrators run without it), and so does the destructor, which releases the callables.
class PythonField final : public VectorField {
 public:
  PythonField(Index dim, py::object rate, py::object jacobian, py::object energy,
              py::object energy_gradient, std::vector<std::string> names, std::string description)
      : dim_(dim),
        rate_(std::move(rate)),
        jacobian_(std::move(jacobian)),
        energy_(std::move(energy)),
        energy_gradient_(std::move(energy_gradient)),
        names_(std::move(names)),
        description_(std::move(description)) {
    if (dim_ < 1)
      throw py::value_error(fmt::format("FunctionField: dim must be >= 1, got {}", dim_));
    if (!PyCallable_Check(rate_.ptr()))
      throw py::type_error("FunctionField: rate must be callable");
    for (const auto* f : {&jacobian_, &energy_, &energy_gradient_})
      if (!f->is_none() && !PyCallable_Check(f->ptr()))
        throw py::type_error(
            "FunctionField: jacobian, energy and energy_gradient must be callable or None");
    if (!energy_gradient_.is_none() && energy_.is_none())
      throw py::value_error("FunctionField: energy_gradient needs energy");
    if (!names_.empty() && static_cast<Index>(names_.size()) != dim_)
      throw py::value_error(
          fmt::format("FunctionField: expected {} names, got {}", dim_, names_.size()));
  }
  ~PythonField() override {
    py::gil_scoped_acquire gil;
    rate_ = py::object();
    jacobian_ = py::object();
    energy_ = py::object();
    energy_gradient_ = py::object();
  }

  Index dim() const override { return dim_; }
  Eigen::VectorXd rate(const Eigen::VectorXd& x) const override {
    py::gil_scoped_acquire gil;
    const py::object f = rate_(to_numpy(Eigen::VectorXd(x)));
    return result(f, "rate");
  }
  bool has_jacobian() const override { return !jacobian_.is_none(); }
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& x) const override {
    if (jacobian_.is_none()) return numerical_jacobian(*this, x);
    py::gil_scoped_acquire gil;
    const py::object J = jacobian_(to_numpy(Eigen::VectorXd(x)));
    const MatrixArg<double> a(J, fmt::format("FunctionField ({}): jacobian returned", description_),
                              false, false);
    if (a.rows() != dim_ || a.cols() != dim_)
      throw py::value_error(
          fmt::format("FunctionField ({}): jacobian returned ({}, {}), expected "
                      "({}, {})",
                      description_, a.rows(), a.cols(), dim_, dim_));
    return a.map();
  }
  bool has_energy() const override { return !energy_.is_none(); }
  double energy(const Eigen::VectorXd& x) const override {
    if (energy_.is_none()) return VectorField::energy(x);
    py::gil_scoped_acquire gil;
    return energy_(to_numpy(Eigen::VectorXd(x))).cast<double>();
  }
  Eigen::VectorXd energy_gradient(const Eigen::VectorXd& x) const override {
    if (energy_gradient_.is_none()) return VectorField::energy_gradient(x);
    py::gil_scoped_acquire gil;
    return result(energy_gradient_(to_numpy(Eigen::VectorXd(x))), "energy_gradient");
  }
  std::vector<std::string> names() const override {
    return names_.empty() ? VectorField::names() : names_;
  }
  std::string description() const override { return description_; }

 private:
  Eigen::VectorXd result(const py::object& f, const char* what) const {
    const std::string who = fmt::format("FunctionField ({}): {} returned", description_, what);
    const MatrixArg<double> a(f, who, true, /*require_finite=*/false);  // NaN means "diverged"
    if (a.was_vector() && a.cols() != dim_)
      throw py::value_error(fmt::format("{} {} values, expected {}", who, a.cols(), dim_));
    if (a.rows() * a.cols() != dim_ || (!a.was_vector() && a.rows() != 1 && a.cols() != 1))
      throw py::value_error(
          fmt::format("{} shape ({}, {}), expected ({},)", who, a.rows(), a.cols(), dim_));
    return Eigen::Map<const Eigen::VectorXd>(a.map().data(), dim_);
  }

  Index dim_;
  py::object rate_, jacobian_, energy_, energy_gradient_;
  std::vector<std::string> names_;
  std::string description_;
};

/// The graph in double (analysis runs in double): a float32 graph is converted.
EnergyGraph<double> graph_in_double(const Dual<EnergyGraph>& h) {
  if (h.dtype() == Dtype::float64) return std::get<EnergyGraph<double>>(h.value);
  const auto& g = std::get<EnergyGraph<float>>(h.value);
  EnergyGraph<double> out;
  for (const auto& l : g.layers())
    out.add_layer(l.name, l.shape, LagrangianHandle(l.lagrangian).get<double>(), l.tau);
  for (const auto& c : g.synapses()) {
    std::vector<std::string> names;
    for (std::size_t k : c.layers) names.push_back(g.layers()[k].name);
    out.add_synapse(c.name, names, synapse_as<double>(*c.synapse));
  }
  return out;
}

ContinuousHopfield<double> network_in_double(const Dual<ContinuousHopfield>& h) {
  return h.visit([](const auto& n) {
    return ContinuousHopfield<double>(n.W().template cast<double>(), n.b().template cast<double>(),
                                      n.activation(), n.gain(), n.tau());
  });
}

/// Calls f on a C++ field without the GIL (a Python-backed field takes it back per call).
template <class F>
auto released(F&& f) {
  py::gil_scoped_release release;
  return f();
}

void bind_base(py::module_& m) {
  py::class_<VectorField, FieldPtr>(m, "VectorField", R"doc(
An autonomous dynamical system dx/dt = f(x) on R^n (SPEC M-20), with an optional analytic Jacobian
J_ij = df_i/dx_j and an optional energy E(x) (a Lyapunov function: dE/dt <= 0 along trajectories
when its conditions hold). States are 1-D float64 arrays of length dim. Kinds: FunctionField,
LinearField, GraphField, ContinuousHopfieldField, EquationSystem (and others built on them).
Pass any of them to integrate(), check_gradient(), and the landscape tools.)doc")
      .def_property_readonly("dim", &VectorField::dim, "n, the dimension of the state.")
      .def_property_readonly("names", &VectorField::names,
                             "Names of the n coordinates, e.g. ['x', 'y'] or ['v[0]', ...].")
      .def_property_readonly("description", &VectorField::description,
                             "One line saying what the system is.")
      .def_property_readonly("has_jacobian", &VectorField::has_jacobian,
                             "Whether jacobian() is analytic (else central differences).")
      .def_property_readonly("has_energy", &VectorField::has_energy,
                             "Whether the field has an energy E(x).")
      .def(
          "rate",
          [](const VectorField& f, const py::handle& x) {
            const Eigen::VectorXd v = vector_arg(x, "rate: x", f.dim());
            return to_numpy(released([&] { return f.rate(v); }));
          },
          py::arg("x"), "f(x): (n,) -> (n,).")
      .def(
          "jacobian",
          [](const VectorField& f, const py::handle& x) {
            const Eigen::VectorXd v = vector_arg(x, "jacobian: x", f.dim());
            return to_numpy(released([&] { return f.jacobian(v); }));
          },
          py::arg("x"), "J(x) = df/dx, (n, n) with J[i, j] = df_i/dx_j.")
      .def(
          "energy",
          [](const VectorField& f, const py::handle& x) {
            if (!f.has_energy())
              throw py::value_error(fmt::format("{} has no energy", f.description()));
            const Eigen::VectorXd v = vector_arg(x, "energy: x", f.dim());
            return released([&] { return f.energy(v); });
          },
          py::arg("x"), "E(x), a float (ValueError when the field has no energy).")
      .def(
          "energy_gradient",
          [](const VectorField& f, const py::handle& x) {
            if (!f.has_energy())
              throw py::value_error(fmt::format("{} has no energy", f.description()));
            const Eigen::VectorXd v = vector_arg(x, "energy_gradient: x", f.dim());
            return to_numpy(released([&] { return f.energy_gradient(v); }));
          },
          py::arg("x"), "grad E(x), (n,) (analytic where the kind has it).")
      .def("__repr__", [](const py::object& self) {
        const auto& f = self.cast<const VectorField&>();
        return fmt::format("engram.{}(dim={}, '{}')",
                           py::type::handle_of(self).attr("__name__").cast<std::string>(), f.dim(),
                           f.description());
      });

  py::class_<PythonField, VectorField, std::shared_ptr<PythonField>>(m, "FunctionField", R"doc(
A vector field from Python callables:
    rate(x) -> (n,)              f(x), required
    jacobian(x) -> (n, n)        optional (else central differences)
    energy(x) -> float           optional Lyapunov function
    energy_gradient(x) -> (n,)   optional (else central differences of energy)
x is a 1-D float64 array of length dim. The callables run with the GIL held, also when
integrate() runs the rest without it.

    damped = engram.FunctionField(2, lambda x: np.array([x[1], -x[0] - 0.1 * x[1]]))
    tr = engram.integrate(damped, [1.0, 0.0], 10.0))doc")
      .def(py::init([](Index dim, py::object rate, py::object jacobian, py::object energy,
                       py::object energy_gradient, const py::object& names,
                       std::string description) {
             std::vector<std::string> n = names.is_none() ? std::vector<std::string>{}
                                                          : names.cast<std::vector<std::string>>();
             return std::make_shared<PythonField>(dim, std::move(rate), std::move(jacobian),
                                                  std::move(energy), std::move(energy_gradient),
                                                  std::move(n), std::move(description));
           }),
           py::arg("dim"), py::arg("rate"), py::arg("jacobian") = py::none(),
           py::arg("energy") = py::none(), py::arg("energy_gradient") = py::none(),
           py::arg("names") = py::none(), py::arg("description") = "python function");

  py::class_<LinearField, VectorField, std::shared_ptr<LinearField>>(m, "LinearField", R"doc(
The linear system dx/dt = A x (SPEC M-20; seed 002 eq. 1-8), A (n, n), with its closed-form
solution x(t) = V exp(Lambda t) V^-1 x0 by eigen-decomposition (A diagonalisable).)doc")
      .def(py::init([](const py::handle& A) {
             return std::make_shared<LinearField>(square_arg(A, "LinearField: A"));
           }),
           py::arg("A"))
      .def_property_readonly(
          "A", [](const LinearField& f) { return to_numpy(Eigen::MatrixXd(f.A())); },
          "A copy of A (n, n).")
      .def(
          "solution",
          [](const LinearField& f, const py::handle& x0, const py::handle& t) -> py::object {
            const Eigen::VectorXd x = vector_arg(x0, "LinearField.solution: x0", f.dim());
            if (py::isinstance<py::float_>(t) || py::isinstance<py::int_>(t))
              return to_numpy(f.solution(x, t.cast<double>()));
            const Eigen::VectorXd times = vector_arg(t, "LinearField.solution: t");
            Eigen::MatrixXd out(times.size(), f.dim());
            for (Index k = 0; k < times.size(); ++k) out.row(k) = f.solution(x, times(k));
            return to_numpy(std::move(out));
          },
          py::arg("x0"), py::arg("t"),
          "x(t) from x(0) = x0: (n,) for a float t, (T, n) for an array of T times.\n"
          "ValueError when A is not diagonalisable.");
}

void bind_field_kinds(py::module_& m) {
  py::class_<GraphField, VectorField, std::shared_ptr<GraphField>>(m, "GraphField", R"doc(
The dynamics of an EnergyGraph as a vector field (SPEC M-04), some layers clamped:
    state x   the free layers' internal states, concatenated in layer order (n = sum D_l)
    f_l(x)  = -(1/tau_l) dE/dxhat_l = -(1/tau_l)(x_l + sum_s dE_s/dxhat_l)
    J       = -diag(1/tau)(I + H_syn blockdiag(hess L_l(x_l)))      analytic
    E(x)    = the graph's energy; f . grad E <= 0
Coordinates are named 'layer[i]'. The field keeps a float64 copy of the graph (later changes to
the graph do not reach it).

    field = engram.GraphField(g, clamped={'y': label})
    tr = engram.integrate(field, field.free_state({'v': v0, 'm': m0}), 10.0))doc")
      .def(py::init([](const Dual<EnergyGraph>& graph, const py::object& clamped) {
             std::map<std::string, Eigen::VectorXd> held;
             if (!clamped.is_none())
               for (const auto& [name, value] : clamped.cast<py::dict>()) {
                 const auto key = name.cast<std::string>();
                 held[key] = vector_arg(value, fmt::format("GraphField: clamped['{}']", key));
               }
             return std::make_shared<GraphField>(graph_in_double(graph), std::move(held));
           }),
           py::arg("graph"), py::arg("clamped") = py::none(),
           "clamped: {layer name: internal state (D_l,)} for the layers to hold.")
      .def_property_readonly(
          "free_layers",
          [](const GraphField& f) {
            std::vector<std::string> out;
            for (std::size_t l : f.free_layers()) out.push_back(f.graph().layers()[l].name);
            return out;
          },
          "Names of the free layers, in state order.")
      .def_property_readonly(
          "clamped",
          [](const GraphField& f) {
            py::dict out;
            for (const auto& [name, v] : f.clamped())
              out[py::str(name)] = to_numpy(Eigen::VectorXd(v));
            return out;
          },
          "The clamped layers and their held internal states (copies).")
      .def(
          "state",
          [](const GraphField& f, const py::handle& x) {
            const State<double> s = f.state(vector_arg(x, "GraphField.state: x", f.dim()));
            py::dict out;
            for (std::size_t l = 0; l < s.size(); ++l)
              out[py::str(s.names()[l])] = to_numpy(Eigen::VectorXd(s.at(l).row(0).transpose()));
            return out;
          },
          py::arg("x"), "Every layer's internal state (D_l,) at field state x, by name.")
      .def(
          "free_state",
          [](const GraphField& f, const py::object& values, Index sample) {
            Eigen::VectorXd x(f.dim());
            if (py::isinstance<Dual<State>>(values)) {
              const auto& s = values.cast<const Dual<State>&>();
              s.visit([&](const auto& st) {
                State<double> d = f.graph().zeros(st.batch());
                for (std::size_t l = 0; l < st.size(); ++l)
                  d.at(l) = st.at(l).template cast<double>();
                x = f.free_state(d, sample);
              });
              return to_numpy(std::move(x));
            }
            const auto dict = values.cast<py::dict>();
            for (std::size_t k = 0; k < f.free_layers().size(); ++k) {
              const auto& layer = f.graph().layers()[f.free_layers()[k]];
              if (!dict.contains(layer.name))
                throw py::value_error(
                    fmt::format("GraphField.free_state: no value for free layer '{}'", layer.name));
              x.segment(f.offsets()[k], layer.size) =
                  vector_arg(dict[py::str(layer.name)], fmt::format("free_state['{}']", layer.name),
                             layer.size);
            }
            return to_numpy(std::move(x));
          },
          py::arg("values"), py::arg("sample") = 0,
          "The field state from {layer: (D_l,)} (every free layer; others are ignored) or from\n"
          "sample `sample` of an engram.State of the graph.");

  py::class_<ContinuousHopfieldField, VectorField, std::shared_ptr<ContinuousHopfieldField>>(
      m, "ContinuousHopfieldField", R"doc(
A ContinuousHopfield network as a vector field on its internal states u (SPEC M-11):
    f(u) = (-u + W phi(u) + b) / tau
    J(u) = (-I + W diag phi'(u)) / tau                       analytic
    E(u) = -1/2 V^T W V - b^T V + sum_i int_0^V_i phi^-1,  V = phi(u)
Coordinates are named 'u[i]'. The field keeps a float64 copy of the network.)doc")
      .def(py::init([](const Dual<ContinuousHopfield>& model) {
             return std::make_shared<ContinuousHopfieldField>(network_in_double(model));
           }),
           py::arg("model"))
      .def(
          "output",
          [](const ContinuousHopfieldField& f, const py::handle& u) {
            return to_numpy(f.output(vector_arg(u, "ContinuousHopfieldField.output: u", f.dim())));
          },
          py::arg("u"), "V = phi(u), (N,).");

  py::class_<EquationSystem, VectorField, std::shared_ptr<EquationSystem>>(m, "EquationSystem",
                                                                           R"doc(
dx/dt = f(x) typed as text (SPEC M-20), parsed by muparser:

    eq9 = engram.EquationSystem("x' = -0.4*x + 0.02*x*y; y' = 0.8*y - 0.01*y^2*x - 0.1*x*y")
    osc = engram.EquationSystem('''
        x' = v              # or dx/dt = v
        v' = -k*x - c*v''', constants={'k': 4.0, 'c': 0.3})

Equations are separated by ';' or newlines, '#' starts a comment; the variables are the primed
names in order. Operators + - * / ^, functions sin cos tan exp log ln sqrt tanh abs min max ...,
constants _pi, _e and those given. Bad text raises ValueError naming the problem (unknown
variable with the known ones, syntax error with its position, a variable defined twice, no
equations). The Jacobian is by central differences.)doc")
      .def(py::init([](std::string text, const py::object& constants) {
             std::map<std::string, double> c;
             if (!constants.is_none()) c = constants.cast<std::map<std::string, double>>();
             return std::make_shared<EquationSystem>(std::move(text), std::move(c));
           }),
           py::arg("text"), py::arg("constants") = py::none())
      .def_property_readonly("variables", &EquationSystem::variables, "The variables, in order.")
      .def_property_readonly("expressions", &EquationSystem::expressions,
                             "The right-hand sides, in variable order.")
      .def_property_readonly("constants", &EquationSystem::constants, "The constants given.")
      .def_property_readonly("text", &EquationSystem::text, "The text as given.");
}

}  // namespace

void bind_analysis_fields(py::module_& m) {
  bind_base(m);
  bind_field_kinds(m);
  bind_analysis_integrate(m);
}

}  // namespace engram::python
