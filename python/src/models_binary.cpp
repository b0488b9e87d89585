// Python classes for the +-1 models: engram.ClassicalHopfield (SPEC M-10) and
// engram.DenseAssociativeMemory (M-13).
#include <pybind11/stl.h>

#include "engram/models/classical_hopfield.hpp"
#include "engram/models/dense_am.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

using ClassicalHandle = Dual<ClassicalHopfield>;
using DenseHandle = Dual<DenseAssociativeMemory>;

void bind_classical(py::module_& m) {
  py::class_<ClassicalHandle> cls(m, "ClassicalHopfield", R"doc(
The binary Hopfield network of 1982 (SPEC M-10): N units s_i in {-1, +1}, weights W (N, N),
symmetric with a zero diagonal, energy E(s) = -1/2 s^T W s and field h = W s. An update sets
s_i <- sign(h_i) and keeps s_i when h_i is exactly 0.

    net = engram.ClassicalHopfield.from_patterns(Xi)      # Xi: (P, N) of +-1, Hebbian W
    r = net.recall(noisy, mode='asynchronous')             # noisy: (B, N) or (N,) of -1, 0, +1
    r.states, r.converged, r.energy_trace

Asynchronous recall visits the units in a fresh random order each sweep (seeded per sample): the
energy never rises. Synchronous recall sets s <- sign(W s) for every unit at once; it can end in a
2-cycle (converged = False). A 0 in a cue is an unknown unit that takes the sign of its field at
its first update. A model built from Hebbian patterns recalls by bit-packed exact integer
arithmetic (packed='auto').

The dtype is that of W / the patterns (float32 stays float32, anything else is float64) unless
dtype= is given.)doc");
  cls.def(py::init([](const py::handle& W, const py::object& dtype) {
            return make_dual<ClassicalHopfield>(model_dtype(W, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              return ClassicalHopfield<T>(MatrixArg<T>(W, "W", false).copy());
            });
          }),
          py::arg("W"), py::arg("dtype") = py::none(),
          "W: (N, N), symmetric with a zero diagonal (deviations up to rounding are repaired,\n"
          "larger ones raise ValueError naming the entry).")
      .def_static(
          "from_patterns",
          [](const py::handle& patterns, const std::string& rule, const py::object& dtype) {
            const LearningRule r = rule_of(rule);
            return make_dual<ClassicalHopfield>(model_dtype(patterns, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              const MatrixArg<T> p(patterns, "patterns", false);
              return without_gil([&] { return ClassicalHopfield<T>::from_patterns(p.map(), r); });
            });
          },
          py::arg("patterns"), py::arg("rule") = "hebbian", py::arg("dtype") = py::none(),
          "W by `rule` ('hebbian': W = Xi^T Xi / N with a zero diagonal, 'storkey' or\n"
          "'pseudo_inverse') from patterns Xi (P, N) of exactly +-1; the patterns are kept.")
      .def_property_readonly("dtype",
                             [](const ClassicalHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly(
          "size",
          [](const ClassicalHandle& h) { return h.visit([](const auto& n) { return n.size(); }); },
          "N, the number of units.")
      .def_property_readonly(
          "W",
          [](const py::object& self) {
            return self.cast<const ClassicalHandle&>().visit(
                [&](const auto& n) { return view(n.W(), self); });
          },
          "The weights (N, N), a read-only view.")
      .def_property_readonly(
          "patterns",
          [](const py::object& self) {
            return self.cast<const ClassicalHandle&>().visit(
                [&](const auto& n) { return view(n.patterns(), self); });
          },
          "The patterns (P, N) the weights came from, read-only; (0, N) for a model built from W.")
      .def_property_readonly(
          "rule",
          [](const ClassicalHandle& h) -> py::object {
            const auto rule = h.visit([](const auto& n) { return n.rule(); });
            return rule ? py::object(py::str(to_string(*rule))) : py::object(py::none());
          },
          "The learning rule's name, or None for a model built from W.")
      .def_property_readonly(
          "has_packed_path",
          [](const ClassicalHandle& h) {
            return h.visit([](const auto& n) { return n.has_packed_path(); });
          },
          "Whether recall can use the bit-packed kernels (Hebbian, from patterns).")
      .def(
          "energy",
          [](const ClassicalHandle& h, const py::handle& states) {
            const Index N = h.visit([](const auto& n) { return n.size(); });
            return with_states(h, states, N, "ClassicalHopfield.energy: states",
                               [](const auto& net, const auto& s) {
                                 return per_sample(net.energy(s.map()), s.was_vector());
                               });
          },
          py::arg("states"),
          "E = -1/2 s^T W s per row of states (B, N) (any finite values), float64; a float for a\n"
          "1-D state.")
      .def(
          "recall",
          [](const ClassicalHandle& h, const py::handle& cues, const std::string& mode,
             int max_iterations, std::uint64_t seed, const std::string& packed,
             const std::string& bit_kernel) {
            ClassicalRecallOptions o;
            o.mode = parse_choice<UpdateMode>(mode,
                                              {{"asynchronous", UpdateMode::asynchronous},
                                               {"synchronous", UpdateMode::synchronous}},
                                              "mode");
            o.max_iterations = max_iterations;
            o.seed = seed;
            o.packed = parse_choice<PackedMode>(
                packed,
                {{"auto", PackedMode::automatic}, {"on", PackedMode::on}, {"off", PackedMode::off}},
                "packed");
            o.bit_kernel = parse_bit_kernel(bit_kernel);
            const Index N = h.visit([](const auto& n) { return n.size(); });
            return with_states(h, cues, N, "ClassicalHopfield.recall: cues",
                               [&](const auto& net, const auto& c) {
                                 auto r = without_gil([&] { return net.recall(c.map(), o); });
                                 return to_python(std::move(r), c.was_vector());
                               });
          },
          py::arg("cues"), py::kw_only(), py::arg("mode") = "asynchronous",
          py::arg("max_iterations") = 100, py::arg("seed") = 0, py::arg("packed") = "auto",
          py::arg("bit_kernel") = "automatic",
          R"doc(Recalls from cues (B, N) or (N,) holding -1, +1 or 0 (unknown); returns a Retrieval.
    mode: 'asynchronous' (random order per sweep; the energy never rises) or 'synchronous'
        (s <- sign(W s); may end in a 2-cycle, then converged is False).
    max_iterations: upper bound on sweeps / synchronous iterations per sample.
    seed: seed of the asynchronous orders; sample b draws from its own stream (seed, b).
    packed: 'auto' (bit-packed exact recall when the model has it: XOR/popcount overlaps, in
        both modes), 'on' (required; ValueError without it) or 'off' (the products with W).
    bit_kernel: 'automatic' (AVX-512 VPOPCNTDQ where the CPU has it), 'portable' or
        'avx512_vpopcntdq' (ValueError on a CPU without it); all give the same result.
Runs without the GIL.)doc")
      .def("__repr__", [](const ClassicalHandle& h) {
        return h.visit([&](const auto& n) {
          return fmt::format("engram.ClassicalHopfield(size={}, rule={}, patterns={}, dtype={})",
                             n.size(), n.rule() ? "'" + to_string(*n.rule()) + "'" : "None",
                             n.patterns().rows(), dtype_name(h.dtype()));
        });
      });
  def_save_load(cls, "classical_hopfield");
}

void bind_dense(py::module_& m) {
  py::class_<DenseHandle> cls(m, "DenseAssociativeMemory", R"doc(
The Dense Associative Memory of Krotov & Hopfield 2016 (SPEC M-13): K patterns Xi (K, D) and an
interaction F. For states sigma in {-1, +1}^D:
    E(sigma) = -sum_mu F(xi_mu . sigma)      (log_sum_exp: -beta^-1 log sum_mu exp(beta xi_mu . sigma))
    unit i:  sigma_i <- sign( sum_mu F(xi_mu,i + h_mu) - F(-xi_mu,i + h_mu) ),
             h_mu = sum_{j != i} xi_mu,j sigma_j   (sigma_i kept on a tie)
F is polynomial m^n, rectified_polynomial max(m, 0)^n, exponential exp(beta m) or log_sum_exp.
Continuous states: graph() has a layer 'v' with a Tanh(gain) Lagrangian and the memory synapse;
relax_continuous descends it.

    dam = engram.DenseAssociativeMemory(Xi, 'polynomial(n=3)')
    r = dam.recall(cues)          # cues: (B, D) of +-1 (0 = unknown))doc");
  cls.def(py::init([](const py::handle& xi, const py::object& interaction, double gain,
                      const py::object& dtype) {
            const Interaction f = interaction_of(interaction);
            return make_dual<DenseAssociativeMemory>(model_dtype(xi, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              return DenseAssociativeMemory<T>(MatrixArg<T>(xi, "xi", false).copy(), f, gain);
            });
          }),
          py::arg("xi"), py::arg("interaction") = "polynomial(n=3)", py::arg("gain") = 1.0,
          py::arg("dtype") = py::none(),
          "xi: (K, D) patterns; interaction: an engram.Interaction or its text\n"
          "('polynomial(n=3)', 'rectified_polynomial(n=2.5)', 'exponential(beta=0.5)',\n"
          "'log_sum_exp(beta=1)'); gain g > 0 of the continuous states' tanh(g v).")
      .def_property_readonly("dtype", [](const DenseHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly(
          "num_patterns",
          [](const DenseHandle& h) {
            return h.visit([](const auto& d) { return d.num_patterns(); });
          },
          "K.")
      .def_property_readonly(
          "dim",
          [](const DenseHandle& h) { return h.visit([](const auto& d) { return d.dim(); }); }, "D.")
      .def_property_readonly(
          "patterns",
          [](const py::object& self) {
            return self.cast<const DenseHandle&>().visit(
                [&](const auto& d) { return view(d.patterns(), self); });
          },
          "The patterns Xi (K, D), a read-only view.")
      .def_property_readonly(
          "interaction",
          [](const DenseHandle& h) {
            return h.visit([](const auto& d) { return d.interaction(); });
          },
          "The interaction F (an engram.Interaction).")
      .def_property_readonly(
          "gain",
          [](const DenseHandle& h) { return h.visit([](const auto& d) { return d.gain(); }); },
          "g of the continuous states' tanh(g v).")
      .def(
          "energy",
          [](const DenseHandle& h, const py::handle& states) {
            const Index D = h.visit([](const auto& d) { return d.dim(); });
            return with_states(h, states, D, "DenseAssociativeMemory.energy: states",
                               [](const auto& dam, const auto& s) {
                                 return per_sample(dam.energy(s.map()), s.was_vector());
                               });
          },
          py::arg("states"),
          "E = -sum_mu F(xi_mu . sigma) per row of states (B, D) (any finite values), float64;\n"
          "a float for a 1-D state. ValueError if it overflows (exponential F).")
      .def(
          "update",
          [](const DenseHandle& h, const py::handle& states) {
            const Index D = h.visit([](const auto& d) { return d.dim(); });
            return with_states(h, states, D, "DenseAssociativeMemory.update: states",
                               [](const auto& dam, const auto& s) -> py::object {
                                 auto next = without_gil([&] { return dam.update(s.map()); });
                                 return to_numpy(std::move(next), s.was_vector());
                               });
          },
          py::arg("states"),
          "One synchronous update of every unit of +-1 states (B, D); same shape back.")
      .def(
          "recall",
          [](const DenseHandle& h, const py::handle& cues, int max_sweeps, bool synchronous,
             std::uint64_t seed, bool record_trace) {
            const DenseRecallOptions o{max_sweeps, synchronous, seed, record_trace};
            const Index D = h.visit([](const auto& d) { return d.dim(); });
            return with_states(h, cues, D, "DenseAssociativeMemory.recall: cues",
                               [&](const auto& dam, const auto& c) {
                                 auto r = without_gil([&] { return dam.recall(c.map(), o); });
                                 return to_python(std::move(r), c.was_vector());
                               });
          },
          py::arg("cues"), py::kw_only(), py::arg("max_sweeps") = 100,
          py::arg("synchronous") = false, py::arg("seed") = 0, py::arg("record_trace") = true,
          R"doc(Binary recall from cues (B, D) or (D,) of -1, +1 or 0 (unknown); returns a Retrieval.
    max_sweeps: upper bound on sweeps (each visits every unit once).
    synchronous: False: units in a fresh random order per sweep (the energy never rises);
        True: every unit from the same state (may cycle; then converged is False).
    seed: seed of the visiting orders (rows are independent).
    record_trace: keep the energy after every sweep (the exponential F's energy can overflow
        where the updates do not: then pass False).
steps counts the sweeps that flipped a unit. Runs without the GIL.)doc")
      .def(
          "relax_continuous",
          [](const DenseHandle& h, const py::handle& cues, const py::kwargs& kwargs) {
            const RelaxOptions o = relax_options(kwargs);
            const Index D = h.visit([](const auto& d) { return d.dim(); });
            return with_states(h, cues, D, "DenseAssociativeMemory.relax_continuous: cues",
                               [&](const auto& dam, const auto& c) {
                                 auto r =
                                     without_gil([&] { return dam.relax_continuous(c.map(), o); });
                                 return to_python(std::move(r), c.was_vector());
                               });
          },
          py::arg("cues"),
          (std::string("Continuous recall: relax() on graph() from internal states v = cues (B, "
                       "D).\nThe states returned are tanh(g v); the trace is the graph's energy. "
                       "Runs without the GIL.\n\n") +
           kRelaxOptionsDoc)
              .c_str())
      .def(
          "graph",
          [](const DenseHandle& h) {
            return h.visit([](const auto& d) { return py::cast(Dual<EnergyGraph>{d.graph()}); });
          },
          "The model as an engram.EnergyGraph: layer 'v' (D units, Tanh(gain)) and synapse\n"
          "'memory' (MemorySynapse(Xi, F)).")
      .def("__repr__", [](const DenseHandle& h) {
        return h.visit([&](const auto& d) {
          return fmt::format(
              "engram.DenseAssociativeMemory(num_patterns={}, dim={}, interaction='{}', gain={}, "
              "dtype={})",
              d.num_patterns(), d.dim(), d.interaction().to_string(), d.gain(),
              dtype_name(h.dtype()));
        });
      });
  def_save_load(cls, "dense_am");
}

}  // namespace

void bind_models_binary(py::module_& m) {
  bind_classical(m);
  bind_dense(m);
}

}  // namespace engram::python
