// Python classes for the graded-response and linear memories: engram.ContinuousHopfield
// (SPEC M-11) and engram.LinearAssociativeMemory (M-14).
#include <pybind11/stl.h>

#include "engram/models/continuous_hopfield.hpp"
#include "engram/models/linear_am.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

using ContinuousHandle = Dual<ContinuousHopfield>;
using LinearHandle = Dual<LinearAssociativeMemory>;

ContinuousActivation activation_of(const std::string& name) {
  return parse_choice<ContinuousActivation>(name,
                                            {{"tanh", ContinuousActivation::tanh},
                                             {"sigmoid", ContinuousActivation::sigmoid},
                                             {"softplus", ContinuousActivation::softplus}},
                                            "activation");
}

Index size_of(const ContinuousHandle& h) {
  return h.visit([](const auto& n) { return n.size(); });
}

// f(net, u) -> Mat<T> for an input shaped like the model's states; the result keeps its shape.
template <class F>
py::object map_states(const ContinuousHandle& h, const py::handle& x, const char* what, F&& f) {
  return with_states(h, x, size_of(h), what, [&](const auto& net, const auto& arg) -> py::object {
    return to_numpy(f(net, arg.map()), arg.was_vector());
  });
}

void bind_continuous(py::module_& m) {
  py::class_<ContinuousHandle> cls(m, "ContinuousHopfield", R"doc(
The graded-response Hopfield network of 1984 (SPEC M-11): N units with internal states u, outputs
V = phi(u), symmetric weights W (N, N) (the diagonal is free), bias b (N,), time constant tau:
    tau du/dt = -u + W V + b
    E(V) = -1/2 V^T W V - b^T V + sum_i int_0^{V_i} phi^-1(s) ds
    (tanh: the integral is beta^-1 * 1/2 [(1+V) ln(1+V) + (1-V) ln(1-V)])
phi is tanh(beta u), sigmoid(beta u) or softplus log(1 + e^{beta u}) with beta = gain. Recall runs
the continuous dynamics (explicit Euler) or the discrete maps V <- phi(W V + b) (synchronous, or
one unit at a time in random order: the energy never rises with a zero diagonal).

    net = engram.ContinuousHopfield.from_patterns(Xi, activation='tanh', gain=4.0)
    r = net.recall(cues)        # r.states are the outputs V)doc");
  cls.def(py::init([](const py::handle& W, const py::object& b, const std::string& activation,
                      double gain, double tau, const py::object& dtype) {
            const ContinuousActivation a = activation_of(activation);
            return make_dual<ContinuousHopfield>(model_dtype(W, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              Mat<T> w = MatrixArg<T>(W, "W", false).copy();
              Mat<T> bias = b.is_none() ? Mat<T>::Zero(1, w.rows()) : MatrixArg<T>(b, "b").copy();
              return ContinuousHopfield<T>(std::move(w), std::move(bias), a, gain, tau);
            });
          }),
          py::arg("W"), py::arg("b") = py::none(), py::arg("activation") = "tanh",
          py::arg("gain") = 1.0, py::arg("tau") = 1.0, py::arg("dtype") = py::none(),
          "W: (N, N), symmetric up to rounding; b: (N,) or (1, N), default 0; activation:\n"
          "'tanh', 'sigmoid' or 'softplus'; gain beta > 0; tau > 0.")
      .def_static(
          "from_patterns",
          [](const py::handle& patterns, const std::string& rule, const std::string& activation,
             double gain, double tau, const py::object& dtype) {
            const LearningRule r = rule_of(rule);
            const ContinuousActivation a = activation_of(activation);
            return make_dual<ContinuousHopfield>(model_dtype(patterns, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              const MatrixArg<T> p(patterns, "patterns", false);
              return without_gil(
                  [&] { return ContinuousHopfield<T>::from_patterns(p.map(), r, a, gain, tau); });
            });
          },
          py::arg("patterns"), py::arg("rule") = "hebbian", py::arg("activation") = "tanh",
          py::arg("gain") = 1.0, py::arg("tau") = 1.0, py::arg("dtype") = py::none(),
          "W by `rule` ('hebbian', 'storkey', 'pseudo_inverse') from patterns (P, N), b = 0.")
      .def_property_readonly("dtype",
                             [](const ContinuousHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly("size", &size_of, "N, the number of units.")
      .def_property_readonly(
          "W",
          [](const py::object& self) {
            return self.cast<const ContinuousHandle&>().visit(
                [&](const auto& n) { return view(n.W(), self); });
          },
          "The weights (N, N), a read-only view.")
      .def_property_readonly(
          "b",
          [](const py::object& self) {
            return self.cast<const ContinuousHandle&>().visit(
                [&](const auto& n) { return vector_view(n.b().data(), n.size(), self); });
          },
          "The bias (N,), a read-only view.")
      .def_property_readonly(
          "activation",
          [](const ContinuousHandle& h) {
            return h.visit([](const auto& n) { return to_string(n.activation()); });
          },
          "'tanh', 'sigmoid' or 'softplus'.")
      .def_property_readonly(
          "gain",
          [](const ContinuousHandle& h) { return h.visit([](const auto& n) { return n.gain(); }); },
          "beta of phi(u).")
      .def_property_readonly(
          "tau",
          [](const ContinuousHandle& h) { return h.visit([](const auto& n) { return n.tau(); }); },
          "The time constant.")
      .def_property_readonly(
          "lagrangian",
          [](const ContinuousHandle& h) {
            return h.visit(
                [](const auto& n) { return lagrangian_object(LagrangianHandle(n.lagrangian())); });
          },
          "The Lagrangian whose gradient is phi (Tanh, Sigmoid or Softplus with beta = gain).")
      .def(
          "output",
          [](const ContinuousHandle& h, const py::handle& u) {
            return map_states(h, u, "ContinuousHopfield.output: u",
                              [](const auto& net, const auto& x) { return net.output(x); });
          },
          py::arg("u"), "V = phi(u), same shape as u ((B, N) or (N,)).")
      .def(
          "internal",
          [](const ContinuousHandle& h, const py::handle& V) {
            return map_states(h, V, "ContinuousHopfield.internal: V",
                              [](const auto& net, const auto& x) { return net.internal(x); });
          },
          py::arg("V"), "u = phi^-1(V); every V strictly inside phi's range.")
      .def(
          "energy",
          [](const ContinuousHandle& h, const py::handle& V) {
            return with_states(h, V, size_of(h), "ContinuousHopfield.energy: V",
                               [](const auto& net, const auto& x) {
                                 return per_sample(net.energy(x.map()), x.was_vector());
                               });
          },
          py::arg("V"),
          "E(V) per row of V (B, N) (inside phi's closed range), float64; a float for a 1-D V.")
      .def(
          "energy_of_internal",
          [](const ContinuousHandle& h, const py::handle& u) {
            return with_states(h, u, size_of(h), "ContinuousHopfield.energy_of_internal: u",
                               [](const auto& net, const auto& x) {
                                 return per_sample(net.energy_of_internal(x.map()), x.was_vector());
                               });
          },
          py::arg("u"),
          "E at V = phi(u), from the Lagrangian's Legendre transform (stable near saturation).")
      .def(
          "graph",
          [](const ContinuousHandle& h) {
            return h.visit([](const auto& n) { return py::cast(Dual<EnergyGraph>{n.graph()}); });
          },
          "The model as an engram.EnergyGraph on u: layer 'x' (the Lagrangian, tau), synapses\n"
          "'W' (off-diagonal), 'W_diagonal' (if the diagonal is not 0) and 'b'.")
      .def(
          "recall",
          [](const ContinuousHandle& h, const py::handle& cues, const std::string& mode, double dt,
             int max_steps, std::optional<double> tolerance, double cue_margin,
             std::uint64_t seed) {
            ContinuousRecallOptions o;
            o.mode = parse_choice<ContinuousMode>(
                mode,
                {{"continuous", ContinuousMode::continuous},
                 {"discrete_synchronous", ContinuousMode::discrete_synchronous},
                 {"discrete_asynchronous", ContinuousMode::discrete_asynchronous}},
                "mode");
            o.dt = dt;
            o.max_steps = max_steps;
            o.tolerance = tolerance;
            o.cue_margin = cue_margin;
            o.seed = seed;
            return with_states(h, cues, size_of(h), "ContinuousHopfield.recall: cues",
                               [&](const auto& net, const auto& c) {
                                 auto r = without_gil([&] { return net.recall(c.map(), o); });
                                 return to_python(std::move(r), c.was_vector());
                               });
          },
          py::arg("cues"), py::kw_only(), py::arg("mode") = "continuous", py::arg("dt") = 0.1,
          py::arg("max_steps") = 1000, py::arg("tolerance") = py::none(),
          py::arg("cue_margin") = 1e-6, py::arg("seed") = 0,
          R"doc(Recalls from cues (B, N) or (N,), clipped into phi's range (cue_margin inside each
finite end) as the first outputs V. Returns a Retrieval whose states are the outputs V.
    mode: 'continuous' (Euler u <- u - (dt/tau)(u - W V - b)), 'discrete_synchronous'
        (V <- phi(W V + b)) or 'discrete_asynchronous' (one unit at a time, random order).
    max_steps: upper bound on Euler steps, updates or sweeps per sample.
    tolerance: None: sqrt(eps) of the dtype. Continuous: stop when max|du/dt| <=
        tolerance (1 + max|u|); discrete: when no output would move by more than tolerance.
    seed: seed of the asynchronous orders (rows are independent).
Runs without the GIL.)doc")
      .def("__repr__", [](const ContinuousHandle& h) {
        return h.visit([&](const auto& n) {
          return fmt::format(
              "engram.ContinuousHopfield(size={}, activation='{}', gain={}, tau={}, dtype={})",
              n.size(), to_string(n.activation()), n.gain(), n.tau(), dtype_name(h.dtype()));
        });
      });
  def_save_load(cls, "continuous_hopfield");
}

void bind_linear(py::module_& m) {
  py::class_<LinearHandle> cls(m, "LinearAssociativeMemory", R"doc(
The linear associative memory of seed 002 section III (SPEC M-14): stored pairs (x_mu -> y_mu),
W = sum_mu y_mu x_mu^T (value size, key size), recall y = W c. Auto-associative (y_mu = x_mu = v_mu):
W = V^T V for patterns V (P, D), so a partial cue c (a pattern with entries zeroed) returns
W c = sum_mu v_mu (v_mu . c): the whole pattern scaled by ||c||^2, plus crosstalk from the other
patterns that overlap the cue. Energy (auto-associative only): E(x) = -1/2 x^T W x.

    am = engram.LinearAssociativeMemory.auto_associative(V)
    r = am.recall(partial_cues)          # r.states = partial_cues @ W.T)doc");
  cls.def(py::init([](const py::handle& W, bool auto_associative, const py::object& dtype) {
            return make_dual<LinearAssociativeMemory>(model_dtype(W, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              return LinearAssociativeMemory<T>(MatrixArg<T>(W, "W", false).copy(),
                                                auto_associative);
            });
          }),
          py::arg("W"), py::arg("auto_associative"), py::arg("dtype") = py::none(),
          "A memory from its weights W (value size, key size); an auto-associative W must be\n"
          "square and symmetric.")
      .def_static(
          "auto_associative",
          [](const py::handle& patterns, const py::object& dtype) {
            return make_dual<LinearAssociativeMemory>(model_dtype(patterns, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              const MatrixArg<T> p(patterns, "patterns", false);
              return LinearAssociativeMemory<T>::auto_associative(p.map());
            });
          },
          py::arg("patterns"), py::arg("dtype") = py::none(),
          "W = sum_mu v_mu v_mu^T = V^T V from patterns V (P, D).")
      .def_static(
          "hetero_associative",
          [](const py::handle& keys, const py::handle& values, const py::object& dtype) {
            return make_dual<LinearAssociativeMemory>(model_dtype(keys, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              const MatrixArg<T> x(keys, "keys", false), y(values, "values", false);
              return LinearAssociativeMemory<T>::hetero_associative(x.map(), y.map());
            });
          },
          py::arg("keys"), py::arg("values"), py::arg("dtype") = py::none(),
          "W = sum_mu y_mu x_mu^T = Y^T X from keys X (P, D_in) and values Y (P, D_out).")
      .def_property_readonly("dtype", [](const LinearHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly(
          "is_auto_associative",
          [](const LinearHandle& h) {
            return h.visit([](const auto& a) { return a.is_auto_associative(); });
          })
      .def_property_readonly(
          "key_size",
          [](const LinearHandle& h) { return h.visit([](const auto& a) { return a.key_size(); }); },
          "D_in, the width of a cue.")
      .def_property_readonly(
          "value_size",
          [](const LinearHandle& h) {
            return h.visit([](const auto& a) { return a.value_size(); });
          },
          "D_out, the width of a recalled state.")
      .def_property_readonly(
          "W",
          [](const py::object& self) {
            return self.cast<const LinearHandle&>().visit(
                [&](const auto& a) { return view(a.W(), self); });
          },
          "The weights (value size, key size), a read-only view.")
      .def(
          "recall",
          [](const LinearHandle& h, const py::handle& cues, const std::string& normalization) {
            const LinearRecallOptions o{
                parse_choice<LinearNormalization>(normalization,
                                                  {{"none", LinearNormalization::none},
                                                   {"unit_norm", LinearNormalization::unit_norm}},
                                                  "normalization")};
            const Index D = h.visit([](const auto& a) { return a.key_size(); });
            return with_states(h, cues, D, "LinearAssociativeMemory.recall: cues",
                               [&](const auto& am, const auto& c) {
                                 auto r = without_gil([&] { return am.recall(c.map(), o); });
                                 return to_python(std::move(r), c.was_vector());
                               });
          },
          py::arg("cues"), py::kw_only(), py::arg("normalization") = "none",
          R"doc(y = W c for each row of cues (B, D_in) or (D_in,); normalization 'none' or
'unit_norm' (y / ||y||, a zero y stays 0). Returns a Retrieval: states (B, D_out), steps 1,
converged True, energy_trace (2, B): E(cue) and E(y) (NaN for a hetero-associative memory).)doc")
      .def(
          "energy",
          [](const LinearHandle& h, const py::handle& states) {
            const Index D = h.visit([](const auto& a) { return a.key_size(); });
            return with_states(h, states, D, "LinearAssociativeMemory.energy: states",
                               [](const auto& am, const auto& s) {
                                 return per_sample(am.energy(s.map()), s.was_vector());
                               });
          },
          py::arg("states"),
          "E(x) = -1/2 x^T W x per row of states (B, D), float64; auto-associative memories only.")
      .def("__repr__", [](const LinearHandle& h) {
        return h.visit([&](const auto& a) {
          return fmt::format(
              "engram.LinearAssociativeMemory({}, key_size={}, value_size={}, dtype={})",
              a.is_auto_associative() ? "auto" : "hetero", a.key_size(), a.value_size(),
              dtype_name(h.dtype()));
        });
      });
  def_save_load(cls, "linear_am");
}

}  // namespace

void bind_models_continuous(py::module_& m) {
  bind_continuous(m);
  bind_linear(m);
}

}  // namespace engram::python
