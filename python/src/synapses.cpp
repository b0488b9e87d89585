// Python classes for the synapses (SPEC M-02, M-12, M-13): engram.Synapse, one subclass per family,
// and engram.Interaction (the F of memory synapses).
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/io/registry.hpp"
#include "engram/synapses.hpp"

namespace engram::python {

namespace {

// One Python class per family; the C++ object is the same handle.
template <class Tag>
struct Family : SynapseHandle {
  using SynapseHandle::SynapseHandle;
  explicit Family(SynapseHandle h) : SynapseHandle(std::move(h)) {}
};
using DenseHandle = Family<struct DenseTag>;
using RecurrentHandle = Family<struct RecurrentTag>;
using BiasHandle = Family<struct BiasTag>;
using L2Handle = Family<struct L2Tag>;
using LabelHandle = Family<struct LabelTag>;
using MemoryHandle = Family<struct MemoryTag>;

// A synapse family built from one weight array, at its dtype (or `dtype` when given).
template <class Handle, template <class> class Family, class... Extra>
Handle from_weights(const py::handle& weights, const py::object& dtype, const char* what,
                    Extra... extra) {
  return with_dtype(parse_dtype(dtype, dtype_of_array(weights)), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const MatrixArg<T> w(weights, what);
    return Handle(SynapsePtr<T>(std::make_unique<Family<T>>(w.copy(), extra...)));
  });
}

// The index of parameter `name`, or a KeyError listing the names.
std::size_t param_index(const auto& synapse, const std::string& name) {
  const auto& names = synapse.param_names();
  for (std::size_t k = 0; k < names.size(); ++k)
    if (names[k] == name) return k;
  throw py::key_error(fmt::format("{} has no parameter '{}'; its parameters are {}", synapse.name(),
                                  name, fmt::join(names, ", ")));
}

// The operands of a synapse call as views at its precision; a single array is one operand.
template <class T>
std::vector<MatrixArg<T>> operands(const py::object& xhats) {
  if (py::isinstance<py::array>(xhats)) {
    std::vector<MatrixArg<T>> one;
    one.emplace_back(xhats, "xhats[0]");
    return one;
  }
  return matrix_args<T>(xhats.cast<py::sequence>(), "xhats");
}

template <class T>
std::vector<MatCRef<T>> refs(const std::vector<MatrixArg<T>>& args) {
  std::vector<MatCRef<T>> out;
  for (const auto& a : args) out.emplace_back(a.map());
  return out;
}

template <class T>
py::list matrices(std::vector<Mat<T>>&& ms) {
  py::list out;
  for (auto& m : ms) out.append(to_numpy(std::move(m)));
  return out;
}

void elementwise_only(const Interaction& f, const char* who) {
  if (f.kind == Interaction::Kind::log_sum_exp)
    throw py::value_error(
        fmt::format("{}: log_sum_exp is not elementwise (it replaces the sum over "
                    "memories by beta^-1 log sum exp)",
                    who));
}

}  // namespace

py::object synapse_object(const SynapseHandle& h) {
  const std::string kind = h.visit([](const auto& s) { return s.kind(); });
  if (kind == "DenseSynapse") return py::cast(DenseHandle(h));
  if (kind == "RecurrentSynapse") return py::cast(RecurrentHandle(h));
  if (kind == "BiasSynapse") return py::cast(BiasHandle(h));
  if (kind == "L2Synapse") return py::cast(L2Handle(h));
  if (kind == "LabelSynapse") return py::cast(LabelHandle(h));
  if (kind == "MemorySynapse") return py::cast(MemoryHandle(h));
  return py::cast(h);  // a family without its own Python class
}

void bind_synapses(py::module_& m) {
  py::class_<Interaction>(m, "Interaction", R"doc(
The interaction function F of a memory synapse, applied to each overlap m_mu = xi_mu . xhat:
    polynomial            F(m) = m^n            (integer n >= 2; Krotov & Hopfield 2016)
    rectified_polynomial  F(m) = max(m, 0)^n    (n >= 2)
    exponential           F(m) = exp(beta m)    (beta > 0; Demircigil et al.)
    log_sum_exp           sum_mu F(m_mu) replaced by beta^-1 log sum_mu exp(beta m_mu)
Build with Interaction('polynomial(n=3)') or Interaction.polynomial(3).)doc")
      .def(py::init([](const std::string& spec) { return Interaction::parse(spec); }),
           py::arg("spec"), "Parses 'polynomial(n=3)', 'exponential(beta=0.5)', ...")
      .def_static("polynomial", &Interaction::polynomial, py::arg("n"))
      .def_static("rectified_polynomial", &Interaction::rectified_polynomial, py::arg("n"))
      .def_static("exponential", &Interaction::exponential, py::arg("beta") = 1.0)
      .def_static("log_sum_exp", &Interaction::log_sum_exp, py::arg("beta") = 1.0)
      .def_property_readonly("kind",
                             [](const Interaction& f) { return Interaction::kind_name(f.kind); })
      .def_readonly("n", &Interaction::n, "Degree of the (rectified) polynomial.")
      .def_readonly("beta", &Interaction::beta, "Inverse temperature of exponential, log_sum_exp.")
      .def(
          "value",
          [](const Interaction& f, const py::object& m) {
            elementwise_only(f, "Interaction.value");
            return py::vectorize([&f](double x) { return f.value(x); })(m);
          },
          py::arg("m"),
          "F(m), elementwise (not for log_sum_exp, which is not a sum over memories).")
      .def(
          "derivative",
          [](const Interaction& f, const py::object& m) {
            elementwise_only(f, "Interaction.derivative");
            return py::vectorize([&f](double x) { return f.derivative(x); })(m);
          },
          py::arg("m"), "F'(m), elementwise (not for log_sum_exp).")
      .def(py::self == py::self)
      .def("__str__", &Interaction::to_string)
      .def("__repr__", [](const Interaction& f) {
        return fmt::format("engram.Interaction('{}')", f.to_string());
      });

  py::class_<SynapseHandle>(m, "Synapse", R"doc(
An energy term E_s(xhat_1, ..., xhat_n) over the activations of one or more layers (SPEC M-02).

Operands are the activations of the layers it connects, each (B, D_k) (or (D_k,) for one sample),
in operand order. A synapse has one dtype (that of its weights, or the dtype= given):
    energy(xhats)      E_s per sample, float64
    grad(xhats)        [dE_s/dxhat_k for each operand k]
    param_grad(xhats)  [d(sum_b E_s)/dtheta_j for each parameter j]
Parameters are read as attributes (syn.W, syn.xi, ...) or syn.params (read-only views); set them
with set_param(name, value), which checks shape, finiteness and symmetry where required.)doc")
      .def_property_readonly(
          "name",
          [](const SynapseHandle& h) { return h.visit([](const auto& s) { return s.name(); }); })
      .def_property_readonly(
          "kind",
          [](const SynapseHandle& h) { return h.visit([](const auto& s) { return s.kind(); }); })
      .def_property_readonly("dtype", [](const SynapseHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly("hyperparameters",
                             [](const SynapseHandle& h) {
                               return h.visit([](const auto& s) { return s.hyperparameters(); });
                             })
      .def_property_readonly(
          "operand_sizes",
          [](const SynapseHandle& h) {
            return h.visit([](const auto& s) { return s.operand_sizes(); });
          },
          "The size each operand layer must have; the arity is the length.")
      .def_property_readonly("param_names",
                             [](const SynapseHandle& h) {
                               return h.visit([](const auto& s) { return s.param_names(); });
                             })
      .def_property_readonly(
          "params",
          [](const py::object& self) {
            return self.cast<const SynapseHandle&>().visit([&](const auto& s) {
              py::dict out;
              for (std::size_t k = 0; k < s.num_params(); ++k)
                out[py::str(s.param_names()[k])] = view(s.param(k), self);
              return out;
            });
          },
          "The parameters by name, as read-only views.")
      .def(
          "__getattr__",
          [](const py::object& self, const std::string& name) {
            return self.cast<const SynapseHandle&>().visit([&](const auto& s) {
              for (std::size_t k = 0; k < s.num_params(); ++k)
                if (s.param_names()[k] == name) return view(s.param(k), self);
              throw py::attribute_error(
                  fmt::format("{} has no attribute or parameter '{}'", s.name(), name));
            });
          },
          py::arg("name"))
      .def(
          "set_param",
          [](SynapseHandle& h, const std::string& name, const py::handle& value) {
            // A synapse inside a graph may not change while relax() reads the graph.
            std::optional<UseCount::Writer> changing;
            if (h.graph())
              changing.emplace(h.graph().cast<Dual<EnergyGraph>&>().use, "Synapse.set_param");
            h.visit([&](auto& s) {
              using T = scalar_t<std::remove_cvref_t<decltype(s)>>;
              const MatrixArg<T> v(value, name);
              const_cast<Synapse<T>&>(s).set_param(param_index(s, name), v.map());
            });
          },
          py::arg("name"), py::arg("value"),
          "Replaces parameter `name` (same shape, finite, and whatever the synapse requires).")
      .def(
          "energy",
          [](const SynapseHandle& h, const py::object& xhats) {
            return h.visit([&](const auto& s) {
              using T = scalar_t<std::remove_cvref_t<decltype(s)>>;
              const auto args = operands<T>(xhats);
              const auto views = refs(args);
              return to_numpy(s.energy(Operands<T>(views)));
            });
          },
          py::arg("xhats"), "E_s per sample (B float64 values); xhats: one array per operand.")
      .def(
          "grad",
          [](const SynapseHandle& h, const py::object& xhats) {
            return h.visit([&](const auto& s) {
              using T = scalar_t<std::remove_cvref_t<decltype(s)>>;
              const auto args = operands<T>(xhats);
              const auto views = refs(args);
              return matrices(s.grad(Operands<T>(views)));
            });
          },
          py::arg("xhats"), "[dE_s/dxhat_k] for every operand k, each (B, D_k).")
      .def(
          "param_grad",
          [](const SynapseHandle& h, const py::object& xhats) {
            return h.visit([&](const auto& s) {
              using T = scalar_t<std::remove_cvref_t<decltype(s)>>;
              const auto args = operands<T>(xhats);
              const auto views = refs(args);
              return matrices(s.param_grad(Operands<T>(views)));
            });
          },
          py::arg("xhats"), "[d(sum over the batch of E_s)/dtheta_j] for every parameter j.")
      .def(
          "param_grad_directional",
          [](const SynapseHandle& h, const py::object& xhats, const py::object& directions) {
            return h.visit([&](const auto& s) {
              using T = scalar_t<std::remove_cvref_t<decltype(s)>>;
              const auto args = operands<T>(xhats);
              const auto dirs = operands<T>(directions);
              const auto views = refs(args);
              const auto dir_views = refs(dirs);
              return matrices(s.param_grad_directional(Operands<T>(views), Operands<T>(dir_views)));
            });
          },
          py::arg("xhats"), py::arg("directions"),
          "[d/dtheta_j sum_b sum_m <u_m, dE_s/dxhat_m>] for every parameter j (its shape): the\n"
          "derivative of param_grad(xhats) along the operand directions u (SPEC M-35).")
      .def(
          "copy",
          [](const SynapseHandle& h, const py::object& dtype) {
            return with_dtype(parse_dtype(dtype, h.dtype()), [&](auto tag) {
              return synapse_object(SynapseHandle(h.copy_as<typename decltype(tag)::type>()));
            });
          },
          py::arg("dtype") = py::none(), "An independent copy, optionally in another dtype.")
      .def("__repr__", [](const SynapseHandle& h) {
        return h.visit([&](const auto& s) {
          return fmt::format("engram.Synapse({}, dtype={})", s.name(), dtype_name(h.dtype()));
        });
      });

  py::class_<DenseHandle, SynapseHandle>(m, "DenseSynapse",
                                         "E = -a^T W b between operands (a, b); W is D_a x D_b.\n"
                                         "dE/da = -W b, dE/db = -W^T a, dE/dW = -sum_batch a b^T.")
      .def(py::init([](const py::handle& W, const py::object& dtype) {
             return from_weights<DenseHandle, DenseSynapse>(W, dtype, "W");
           }),
           py::arg("W"), py::arg("dtype") = py::none());
  py::class_<RecurrentHandle, SynapseHandle>(
      m, "RecurrentSynapse",
      "E = -1/2 x^T W x within one layer; W symmetric with a zero diagonal (D x D).")
      .def(py::init([](const py::handle& W, const py::object& dtype) {
             return from_weights<RecurrentHandle, RecurrentSynapse>(W, dtype, "W");
           }),
           py::arg("W"), py::arg("dtype") = py::none());
  py::class_<BiasHandle, SynapseHandle>(m, "BiasSynapse",
                                        "E = -b^T x on one layer; b is (D,) or (1, D).")
      .def(py::init([](const py::handle& b, const py::object& dtype) {
             return from_weights<BiasHandle, BiasSynapse>(b, dtype, "b");
           }),
           py::arg("b"), py::arg("dtype") = py::none());
  py::class_<L2Handle, SynapseHandle>(
      m, "L2Synapse",
      "E = 1/2 sum_mu z_mu |theta_mu - x|^2 - 1/2 |x|^2 for operands (x, z); theta is K x D\n"
      "(the seed 001 image synapse).")
      .def(py::init([](const py::handle& theta, const py::object& dtype) {
             return from_weights<L2Handle, L2Synapse>(theta, dtype, "theta");
           }),
           py::arg("theta"), py::arg("dtype") = py::none());
  py::class_<LabelHandle, SynapseHandle>(
      m, "LabelSynapse", "E = -lambda z^T Theta y for operands (z, y); Theta is K x C, lambda > 0.")
      .def(py::init([](const py::handle& theta, double lambda, const py::object& dtype) {
             return from_weights<LabelHandle, LabelSynapse>(theta, dtype, "theta", lambda);
           }),
           py::arg("theta"), py::arg("lam"), py::arg("dtype") = py::none());
  py::class_<MemoryHandle, SynapseHandle>(
      m, "MemorySynapse",
      "E = -sum_mu F(xi_mu . x) (or -beta^-1 lse(beta Xi x)) on one layer; xi is K x D.\n"
      "interaction: an Interaction or its text, e.g. 'log_sum_exp(beta=2)'.")
      .def(py::init(
               [](const py::handle& xi, const py::object& interaction, const py::object& dtype) {
                 return from_weights<MemoryHandle, MemorySynapse>(xi, dtype, "xi",
                                                                  interaction_of(interaction));
               }),
           py::arg("xi"), py::arg("interaction") = "log_sum_exp(beta=1)",
           py::arg("dtype") = py::none())
      .def_property_readonly("interaction", [](const MemoryHandle& h) {
        return h.visit([](const auto& s) {
          return dynamic_cast<const MemorySynapse<scalar_t<std::remove_cvref_t<decltype(s)>>>&>(s)
              .interaction();
        });
      });

  m.def(
      "make_synapse",
      [](const std::string& kind, const py::sequence& params, const py::object& dtype,
         const py::kwargs& hyperparameters) {
        const Hyperparameters hp = hyperparameters_of(hyperparameters);
        const Dtype d =
            parse_dtype(dtype, params.size() ? dtype_of_array(params[0]) : Dtype::float64);
        return with_dtype(d, [&](auto tag) {
          using T = typename decltype(tag)::type;
          std::vector<Mat<T>> ps;
          for (const auto& a : matrix_args<T>(params, "params")) ps.push_back(a.copy());
          return synapse_object(SynapseHandle(make_synapse<T>(kind, hp, std::move(ps))));
        });
      },
      py::arg("kind"), py::arg("params"), py::arg("dtype") = py::none(),
      "The synapse of family `kind` from its parameters (in param_names order) and\n"
      "hyperparameters, e.g. make_synapse('LabelSynapse', [theta], **{'lambda': 2}).");
  m.def("synapse_kinds", &synapse_kinds, "The synapse kinds make_synapse knows.");
}

}  // namespace engram::python
