// Python classes for the energy graph (SPEC M-03): engram.EnergyGraph and engram.State.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pybind11/stl.h>

#include "bindings.hpp"

namespace engram::python {

namespace {

using GraphHandle = Dual<EnergyGraph>;
using StateHandle = Dual<State>;

/// A layer as Python sees it.
struct LayerInfo {
  std::string name;
  py::tuple shape;
  Index size;
  py::object lagrangian;  ///< an instance of its family's class (engram.Sigmoid, ...)
  double tau;
};

/// A synapse and the layers it connects, as Python sees it.
struct SynapseInfo {
  std::string name;
  std::vector<std::string> layers;
  py::object synapse;  ///< live: an instance of its family's class (engram.DenseSynapse, ...)
};

Shape shape_of(const py::object& shape) {
  if (py::isinstance<py::int_>(shape)) return {shape.cast<Index>()};
  return shape.cast<Shape>();
}

// The state of `graph` as Dual<State>, checked to share the graph's dtype.
template <class T>
State<T>& state_of(StateHandle& s, const char* what) {
  check_same_dtype(s.dtype(), dtype_of<T>(), what);
  return s.get<T>();
}

template <class T>
py::dict by_layer(const EnergyGraph<T>& g, std::vector<Mat<T>>&& ms) {
  py::dict out;
  for (std::size_t l = 0; l < ms.size(); ++l)
    out[py::str(g.layers()[l].name)] = to_numpy(std::move(ms[l]));
  return out;
}

std::string graph_repr(const GraphHandle& h) {
  return h.visit([&](const auto& g) {
    std::vector<std::string> layers, synapses;
    for (const auto& l : g.layers())
      layers.push_back(
          fmt::format("{}[{}] {}", l.name, shape_string(l.shape), l.lagrangian->name()));
    for (const auto& c : g.synapses()) {
      std::vector<std::string> names;
      for (std::size_t k : c.layers) names.push_back(g.layers()[k].name);
      synapses.push_back(
          fmt::format("{}: {}({})", c.name, c.synapse->name(), fmt::join(names, ", ")));
    }
    return fmt::format("engram.EnergyGraph(dtype={}, layers=[{}], synapses=[{}])",
                       dtype_name(h.dtype()), fmt::join(layers, ", "), fmt::join(synapses, ", "));
  });
}

}  // namespace

void bind_graph(py::module_& m) {
  py::class_<LayerInfo>(m, "Layer",
                        "A layer of an EnergyGraph: name, shape, size, Lagrangian, tau.")
      .def_readonly("name", &LayerInfo::name)
      .def_readonly("shape", &LayerInfo::shape)
      .def_readonly("size", &LayerInfo::size)
      .def_readonly("lagrangian", &LayerInfo::lagrangian)
      .def_readonly("tau", &LayerInfo::tau)
      .def("__repr__", [](const LayerInfo& l) {
        return fmt::format("engram.Layer('{}', size={}, {}, tau={})", l.name, l.size,
                           py::repr(l.lagrangian).cast<std::string>(), l.tau);
      });
  py::class_<SynapseInfo>(m, "Connection",
                          "A synapse of an EnergyGraph and the layers it connects.")
      .def_readonly("name", &SynapseInfo::name)
      .def_readonly("layers", &SynapseInfo::layers)
      .def_readonly("synapse", &SynapseInfo::synapse)
      .def("__repr__", [](const SynapseInfo& c) {
        return fmt::format("engram.Connection('{}', layers={})", c.name, fmt::join(c.layers, ", "));
      });

  py::class_<StateHandle>(m, "State", R"doc(
The internal states x of every layer of an EnergyGraph for a batch of B samples: one (B, D_l)
array per layer, by name. state['v'] is a writable view (no copy): write cues into it, and relax()
updates it in place. Made by EnergyGraph.zeros(B) or EnergyGraph.state(v=..., ...).)doc")
      .def_property_readonly(
          "names",
          [](const StateHandle& s) { return s.visit([](const auto& st) { return st.names(); }); })
      .def_property_readonly(
          "batch",
          [](const StateHandle& s) { return s.visit([](const auto& st) { return st.batch(); }); })
      .def_property_readonly("dtype", [](const StateHandle& s) { return numpy_dtype(s.dtype()); })
      .def("__len__",
           [](const StateHandle& s) { return s.visit([](const auto& st) { return st.size(); }); })
      .def("__contains__",
           [](const StateHandle& s, const std::string& name) {
             return s.visit([&](const auto& st) {
               const auto& n = st.names();
               return std::find(n.begin(), n.end(), name) != n.end();
             });
           })
      .def("keys",
           [](const StateHandle& s) { return s.visit([](const auto& st) { return st.names(); }); })
      .def("__iter__",
           [](const StateHandle& s) {
             return py::iter(py::cast(s.visit([](const auto& st) { return st.names(); })));
           })
      .def(
          "__getitem__",
          [](const py::object& self, const std::string& name) {
            auto& s = self.cast<StateHandle&>();
            return s.visit([&](auto& st) {
              try {
                return view(st[name], self, /*writable=*/true);
              } catch (const std::invalid_argument& e) {
                throw py::key_error(e.what());
              }
            });
          },
          py::arg("layer"), "A writable (B, D) view of the layer's internal state.")
      .def(
          "__setitem__",
          [](const py::object& self, const std::string& name, const py::object& value) {
            // NumPy's assignment: an array of the layer's shape, or one that broadcasts to it.
            self.attr("__getitem__")(name).attr("__setitem__")(py::ellipsis(), value);
          },
          py::arg("layer"), py::arg("value"))
      .def(
          "copy", [](const StateHandle& s) { return StateHandle(s); }, "An independent copy.")
      .def("__copy__", [](const StateHandle& s) { return StateHandle(s); })
      .def("__deepcopy__", [](const StateHandle& s, const py::dict&) { return StateHandle(s); })
      .def(
          "to_dict",
          [](const StateHandle& s) {
            return s.visit([](const auto& st) {
              py::dict out;
              for (std::size_t l = 0; l < st.size(); ++l)
                out[py::str(st.names()[l])] = to_numpy(Mat<scalar_t<decltype(st)>>(st.at(l)));
              return out;
            });
          },
          "Copies of every layer's state, by name.")
      .def("__repr__", [](const StateHandle& s) {
        return s.visit([&](const auto& st) {
          std::vector<std::string> parts;
          for (std::size_t l = 0; l < st.size(); ++l)
            parts.push_back(
                fmt::format("{}: {}x{}", st.names()[l], st.at(l).rows(), st.at(l).cols()));
          return fmt::format("engram.State(dtype={}, {})", dtype_name(s.dtype()),
                             fmt::join(parts, ", "));
        });
      });

  py::class_<GraphHandle>(m, "EnergyGraph", R"doc(
A network of named layers of neurons joined by named synapses, as one energy (SPEC M-03):

    E = sum_layers (xhat_l . x_l - L_l(x_l)) + sum_synapses E_s(xhat ...)
    dE/dxhat_l = x_l + sum_s dE_s/dxhat_l          (the dynamics: tau_l dx_l/dt = -dE/dxhat_l)

Example (seed 001's dense associative memory):
    g = engram.EnergyGraph()
    g.add_layer('v', 784, engram.Sigmoid(beta=1/(2*784)))
    g.add_layer('m', 100, engram.Softmax(beta=1.0))
    g.add_synapse('xi', ['m', 'v'], engram.DenseSynapse(Xi))   # E_S = -m^T Xi v
    s = g.zeros(4)              # 4 samples; s['v'][:] = cues
    E = g.energy(s)             # 4 float64 energies
    r = engram.relax(g, s, dt=0.1, clamped=[])

A graph has one dtype (float32 or float64, default float64); synapses of the other dtype are
converted when added. Energies are always float64.)doc")
      .def(py::init([](const py::object& dtype) {
             return make_dual<EnergyGraph>(parse_dtype(dtype), [](auto tag) {
               return EnergyGraph<typename decltype(tag)::type>();
             });
           }),
           py::arg("dtype") = py::none())
      .def_property_readonly("dtype", [](const GraphHandle& g) { return numpy_dtype(g.dtype()); })
      .def(
          "add_layer",
          [](GraphHandle& h, std::string name, const py::object& shape,
             const LagrangianHandle& lagrangian, double tau) -> GraphHandle& {
            const UseCount::Writer changing(h.use, "EnergyGraph.add_layer");
            h.visit([&](auto& g) {
              using T = scalar_t<decltype(g)>;
              g.add_layer(std::move(name), shape_of(shape), lagrangian.template get<T>(), tau);
            });
            return h;
          },
          py::return_value_policy::reference, py::arg("name"), py::arg("shape"),
          py::arg("lagrangian"), py::arg("tau") = 1.0,
          "Adds a layer: shape is an int or a tuple (its size is the product), tau > 0.\n"
          "Returns the graph, so calls chain.")
      .def(
          "add_synapse",
          [](GraphHandle& h, std::string name, const std::vector<std::string>& layers,
             const SynapseHandle& synapse) -> GraphHandle& {
            const UseCount::Writer changing(h.use, "EnergyGraph.add_synapse");
            h.visit([&](auto& g) {
              using T = scalar_t<decltype(g)>;
              g.add_synapse(std::move(name), layers, synapse.template copy_as<T>());
            });
            return h;
          },
          py::return_value_policy::reference, py::arg("name"), py::arg("layers"),
          py::arg("synapse"),
          "Connects a copy of `synapse` to the named layers (one per operand, sizes must match).\n"
          "Returns the graph.")
      .def_property_readonly(
          "layers",
          [](const GraphHandle& h) {
            return h.visit([](const auto& g) {
              std::vector<LayerInfo> out;
              for (const auto& l : g.layers())
                out.push_back({l.name, py::tuple(py::cast(l.shape)), l.size,
                               lagrangian_object(LagrangianHandle(l.lagrangian)), l.tau});
              return out;
            });
          },
          "The layers in the order they were added.")
      .def_property_readonly(
          "synapses",
          [](GraphHandle& h) {
            const py::object self = py::cast(&h, py::return_value_policy::reference);  // the graph
            return h.visit([&](auto& g) {
              std::vector<SynapseInfo> out;
              for (const auto& c : g.synapses()) {
                std::vector<std::string> names;
                for (std::size_t k : c.layers) names.push_back(g.layers()[k].name);
                out.push_back(
                    {c.name, names, synapse_object(SynapseHandle(g.synapse(c.name), self))});
              }
              return out;
            });
          },
          "The synapses in the order they were added (each a live view into the graph).")
      .def(
          "synapse",
          [](GraphHandle& h, const std::string& name) {
            const py::object self = py::cast(&h, py::return_value_policy::reference);  // the graph
            return h.visit(
                [&](auto& g) { return synapse_object(SynapseHandle(g.synapse(name), self)); });
          },
          py::arg("name"), "The synapse named `name`, live: set_param on it changes the graph.")
      .def(
          "zeros",
          [](const GraphHandle& h, Index batch) {
            return h.visit([&](const auto& g) { return StateHandle{g.zeros(batch)}; });
          },
          py::arg("batch") = 1, "A State of `batch` samples with every internal state 0.")
      .def(
          "state",
          [](const GraphHandle& h, const py::kwargs& layers) {
            return h.visit([&](const auto& g) {
              using T = scalar_t<decltype(g)>;
              Index batch = 1;
              for (const auto& [name, value] : layers) {
                const MatrixArg<T> a(value, py::cast<std::string>(name), true, false);
                batch = a.rows();
                break;
              }
              State<T> s = g.zeros(batch);
              for (const auto& [name, value] : layers) {
                const auto layer = py::cast<std::string>(name);
                const MatrixArg<T> a(value, layer, true, false);
                check_shape(a.map(), batch, g.layer(layer).size, layer);
                s[layer] = a.map();
              }
              return StateHandle{std::move(s)};
            });
          },
          "A State from arrays given by layer name (each (B, D_l) or (D_l,)); layers not given\n"
          "start at 0. Example: g.state(v=cues).")
      .def(
          "check",
          [](const GraphHandle& h, StateHandle& s) {
            h.visit([&](const auto& g) { g.check(state_of<scalar_t<decltype(g)>>(s, "check")); });
          },
          py::arg("state"), "Raises ValueError unless `state` fits the graph and is finite.")
      .def(
          "activations",
          [](const GraphHandle& h, StateHandle& s) {
            return h.visit([&](const auto& g) {
              return by_layer(g, g.activations(state_of<scalar_t<decltype(g)>>(s, "activations")));
            });
          },
          py::arg("state"), "xhat_l = grad L_l(x_l) for every layer, by name.")
      .def(
          "energy",
          [](const GraphHandle& h, StateHandle& s) {
            return h.visit([&](const auto& g) {
              return to_numpy(g.energy(state_of<scalar_t<decltype(g)>>(s, "energy")));
            });
          },
          py::arg("state"), "Total energy per sample: B float64 values.")
      .def(
          "energy_terms",
          [](const GraphHandle& h, StateHandle& s) {
            return h.visit([&](const auto& g) {
              EnergyBreakdown b =
                  g.energy_terms(state_of<scalar_t<decltype(g)>>(s, "energy_terms"));
              py::dict out;
              for (std::size_t k = 0; k < b.names.size(); ++k)
                out[py::str(b.names[k])] =
                    to_numpy(Eigen::VectorXd(b.values.row(Index(k)).transpose()));
              return out;
            });
          },
          py::arg("state"),
          "The energy of every term per sample, by name: layers (xhat.x - L), then synapses.")
      .def(
          "grad",
          [](const GraphHandle& h, StateHandle& s) {
            return h.visit([&](const auto& g) {
              return by_layer(g, g.grad(state_of<scalar_t<decltype(g)>>(s, "grad")));
            });
          },
          py::arg("state"),
          "dE/dxhat_l = x_l + sum_s dE_s/dxhat_l for every layer, by name (= -tau_l dx_l/dt).")
      .def(
          "to_dot",
          [](const GraphHandle& h) { return h.visit([](const auto& g) { return g.to_dot(); }); },
          "The graph in Graphviz DOT.")
      .def(
          "copy", [](const GraphHandle& h) { return GraphHandle(h); }, "A deep copy.")
      .def("__copy__", [](const GraphHandle& h) { return GraphHandle(h); })
      .def("__deepcopy__", [](const GraphHandle& h, const py::dict&) { return GraphHandle(h); })
      .def("__repr__", &graph_repr);
}

}  // namespace engram::python
