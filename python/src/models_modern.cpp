// Python classes for the modern Hopfield network (SPEC M-12): engram.ModernHopfield and the
// log-sum-exp retrieval partials (engram.LsePartial, lse_partial, lse_merge, lse_value,
// lse_average) that let a retrieval over sharded memories be one exact reduction.
#include <pybind11/stl.h>

#include <limits>

#include "engram/models/modern_hopfield.hpp"
#include "engram/models/retrieval_partials.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

using ModernHandle = Dual<ModernHopfield>;
using PartialHandle = Dual<LsePartial>;

Index dim_of(const ModernHandle& h) {
  return h.visit([](const auto& n) { return n.dim(); });
}

void bind_modern(py::module_& m) {
  py::class_<ModernHandle> cls(m, "ModernHopfield", R"doc(
The continuous modern Hopfield network of Ramsauer et al. 2021 (SPEC M-12): K stored patterns
Xi (K, D), one per row, and an inverse temperature beta > 0. Per query x (D,):
    E(x) = -beta^-1 log sum_mu exp(beta xi_mu . x) + 1/2 x^T x
    update: x <- Xi^T softmax(beta Xi x)         (the CCCP step: E never increases)
The energy leaves out the constants beta^-1 log K + 1/2 M^2. One update with beta = 1/sqrt(d) and
Xi = K = V is attention softmax(Q K^T / sqrt(d)) V.

    net = engram.ModernHopfield(Xi, beta=8.0)
    r = net.retrieve(noisy)                  # noisy: (B, D) or (D,)
    net.attention(queries)                   # (B, K) softmax weights

The update is fused over blocks of `block` memories (a stable running softmax, see lse_partial),
so no (B, K) buffer is formed; graph() is the same model as an EnergyGraph.)doc");
  cls.def(py::init([](const py::handle& xi, double beta, Index block, const py::object& dtype) {
            return make_dual<ModernHopfield>(model_dtype(xi, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              return ModernHopfield<T>(MatrixArg<T>(xi, "xi", false).copy(), beta, block);
            });
          }),
          py::arg("xi"), py::arg("beta") = 1.0, py::arg("block") = 4096,
          py::arg("dtype") = py::none(),
          "xi: (K, D) patterns, non-empty and finite; beta > 0; block >= 1 memories per fused\n"
          "block.")
      .def_property_readonly("dtype", [](const ModernHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly(
          "num_patterns",
          [](const ModernHandle& h) {
            return h.visit([](const auto& n) { return n.num_patterns(); });
          },
          "K.")
      .def_property_readonly("dim", &dim_of, "D.")
      .def_property_readonly(
          "beta",
          [](const ModernHandle& h) { return h.visit([](const auto& n) { return n.beta(); }); },
          "The inverse temperature.")
      .def_property_readonly(
          "block",
          [](const ModernHandle& h) { return h.visit([](const auto& n) { return n.block(); }); },
          "Memories per fused block.")
      .def_property_readonly(
          "patterns",
          [](const py::object& self) {
            return self.cast<const ModernHandle&>().visit(
                [&](const auto& n) { return view(n.patterns(), self); });
          },
          "The stored patterns Xi (K, D), a read-only view.")
      .def(
          "energy",
          [](const ModernHandle& h, const py::handle& states) {
            return with_states(h, states, dim_of(h), "ModernHopfield.energy: states",
                               [](const auto& net, const auto& s) {
                                 return per_sample(net.energy(s.map()), s.was_vector());
                               });
          },
          py::arg("states"),
          "E(x) = -beta^-1 lse(beta Xi x) + 1/2 x^T x per row of states (B, D), float64; a float\n"
          "for a 1-D state.")
      .def(
          "update",
          [](const ModernHandle& h, const py::handle& states) {
            return with_states(h, states, dim_of(h), "ModernHopfield.update: states",
                               [](const auto& net, const auto& s) -> py::object {
                                 auto next = without_gil([&] { return net.update(s.map()); });
                                 return to_numpy(std::move(next), s.was_vector());
                               });
          },
          py::arg("states"),
          "One update x <- Xi^T softmax(beta Xi x) of every row of states (B, D); same shape back.")
      .def(
          "attention",
          [](const ModernHandle& h, const py::handle& queries) {
            return with_states(h, queries, dim_of(h), "ModernHopfield.attention: queries",
                               [](const auto& net, const auto& q) -> py::object {
                                 auto w = without_gil([&] { return net.attention(q.map()); });
                                 return to_numpy(std::move(w), q.was_vector());
                               });
          },
          py::arg("queries"),
          "The weights softmax(beta Xi q) of every query (B, D): (B, K), rows sum to 1.")
      .def(
          "retrieve",
          [](const ModernHandle& h, const py::handle& queries, int max_steps,
             std::optional<double> tolerance, bool record_trace) {
            const ModernRetrieveOptions o{max_steps, tolerance, record_trace};
            return with_states(h, queries, dim_of(h), "ModernHopfield.retrieve: queries",
                               [&](const auto& net, const auto& q) {
                                 auto r = without_gil([&] { return net.retrieve(q.map(), o); });
                                 return to_python(std::move(r), q.was_vector());
                               });
          },
          py::arg("queries"), py::kw_only(), py::arg("max_steps") = 100,
          py::arg("tolerance") = py::none(), py::arg("record_trace") = true,
          R"doc(Iterates the update from queries (B, D) or (D,) until each converges or max_steps;
returns a Retrieval (trace: E before the first update and after each one).
    tolerance: a query has converged when ||dx||_inf <= tolerance (1 + ||x||_inf); None:
        sqrt(eps) of the dtype; 0: only an exact fixed point stops it.
    record_trace: False skips the energies (the trace is empty) and with them the extra pass
        over the memories they cost: one fused pass per update.
Runs without the GIL.)doc")
      .def(
          "retrieve_by_descent",
          [](const ModernHandle& h, const py::handle& queries, const py::kwargs& kwargs) {
            const RelaxOptions o = relax_options(kwargs);
            return with_states(
                h, queries, dim_of(h), "ModernHopfield.retrieve_by_descent: queries",
                [&](const auto& net, const auto& q) {
                  auto r = without_gil([&] { return net.retrieve_by_descent(q.map(), o); });
                  return to_python(std::move(r), q.was_vector());
                });
          },
          py::arg("queries"),
          (std::string("Gradient-descent retrieval: relax() on graph() from queries (B, D),\n"
                       "x <- x - dt (x - Xi^T softmax(beta Xi x)). steps counts the accepted "
                       "steps that\nmoved each query. Runs without the GIL.\n\n") +
           kRelaxOptionsDoc)
              .c_str())
      .def(
          "graph",
          [](const ModernHandle& h) {
            return h.visit([](const auto& n) { return py::cast(Dual<EnergyGraph>{n.graph()}); });
          },
          "The model as an engram.EnergyGraph: layer 'x' (D units, Identity: E_x = 1/2 |x|^2)\n"
          "and synapse 'memory' (MemorySynapse with log_sum_exp(beta)).")
      .def("__repr__", [](const ModernHandle& h) {
        return h.visit([&](const auto& n) {
          return fmt::format("engram.ModernHopfield(num_patterns={}, dim={}, beta={}, dtype={})",
                             n.num_patterns(), n.dim(), n.beta(), dtype_name(h.dtype()));
        });
      });
  def_save_load(cls, "modern_hopfield");
}

void bind_partials(py::module_& m) {
  py::class_<PartialHandle>(m, "LsePartial", R"doc(
What a block of memories Xi_b (K_b, D) contributes, per query q (row of Q, (B, D)), to
    lse(beta Xi q) = max + log(sum)   and   Xi^T softmax(beta Xi q) = weighted / sum,
with logits l_mu = beta xi_mu . q over the block:
    max       (B,)    max_mu l_mu                       (-inf for an empty block)
    sum       (B,)    sum_mu exp(l_mu - max)            (0 for an empty block)
    weighted  (B, D)  sum_mu exp(l_mu - max) xi_mu
Partials of disjoint blocks merge exactly (lse_merge), so a retrieval over shards is one reduction:
    p = engram.lse_merge(engram.lse_partial(Xi[:k], Q, beta), engram.lse_partial(Xi[k:], Q, beta))
    engram.lse_average(p)      # == Xi^T softmax(beta Xi q) per query
Arrays are read-only views in the partial's dtype.)doc")
      .def(py::init([](const py::handle& max, const py::handle& sum, const py::handle& weighted,
                       const py::object& dtype) {
             return make_dual<LsePartial>(model_dtype(weighted, dtype), [&](auto tag) {
               using T = typename decltype(tag)::type;
               // max may be -inf (an empty block): only weighted and sum must be finite.
               const MatrixArg<T> mx(max, "max", true, false), s(sum, "sum"),
                   w(weighted, "weighted", false);
               const Index B = w.rows();
               if (mx.map().array().isNaN().any() ||
                   (mx.map().array() == std::numeric_limits<T>::infinity()).any())
                 throw py::value_error("LsePartial: max must be finite or -inf (an empty block)");
               if ((s.map().array() < 0).any())
                 throw py::value_error("LsePartial: sum must be >= 0");
               if (!mx.was_vector() || !s.was_vector() || mx.cols() != B || s.cols() != B)
                 throw py::value_error(fmt::format(
                     "LsePartial: max and sum must be 1-D of length {} (weighted's rows)", B));
               LsePartial<T> p{Vec<T>(mx.map().transpose()), Vec<T>(s.map().transpose()), w.copy()};
               return p;
             });
           }),
           py::arg("max"), py::arg("sum"), py::arg("weighted"), py::arg("dtype") = py::none(),
           "A partial from its arrays (e.g. received from another shard).")
      .def_static(
          "empty",
          [](Index batch, Index dim, const py::object& dtype) {
            return make_dual<LsePartial>(parse_dtype(dtype), [&](auto tag) {
              return LsePartial<typename decltype(tag)::type>::empty(batch, dim);
            });
          },
          py::arg("batch"), py::arg("dim"), py::arg("dtype") = py::none(),
          "The partial of no memories (the identity of lse_merge).")
      .def_property_readonly("dtype", [](const PartialHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly(
          "max",
          [](const py::object& self) {
            return self.cast<const PartialHandle&>().visit(
                [&](const auto& p) { return vector_view(p.max.data(), p.max.size(), self); });
          },
          "(B,) the largest logit per query.")
      .def_property_readonly(
          "sum",
          [](const py::object& self) {
            return self.cast<const PartialHandle&>().visit(
                [&](const auto& p) { return vector_view(p.sum.data(), p.sum.size(), self); });
          },
          "(B,) sum_mu exp(l_mu - max).")
      .def_property_readonly(
          "weighted",
          [](const py::object& self) {
            return self.cast<const PartialHandle&>().visit(
                [&](const auto& p) { return view(p.weighted, self); });
          },
          "(B, D) sum_mu exp(l_mu - max) xi_mu.")
      .def("__repr__", [](const PartialHandle& h) {
        return h.visit([&](const auto& p) {
          return fmt::format("engram.LsePartial(batch={}, dim={}, dtype={})", p.weighted.rows(),
                             p.weighted.cols(), dtype_name(h.dtype()));
        });
      });

  m.def(
      "lse_partial",
      [](const py::handle& xi_block, const py::handle& queries, double beta,
         const py::object& dtype) {
        return make_dual<LsePartial>(model_dtype(xi_block, dtype), [&](auto tag) {
          using T = typename decltype(tag)::type;
          const MatrixArg<T> xi(xi_block, "xi_block", false), q(queries, "queries");
          check_cols(q, xi.cols(), "lse_partial: queries");
          return without_gil([&] { return lse_partial<T>(xi.map(), q.map(), beta); });
        });
      },
      py::arg("xi_block"), py::arg("queries"), py::arg("beta"), py::arg("dtype") = py::none(),
      "The LsePartial of the block xi_block (K_b, D) for queries (B, D) at inverse temperature\n"
      "beta > 0, in the dtype of xi_block unless dtype= is given. Two GEMMs.");
  m.def(
      "lse_merge",
      [](const PartialHandle& a, const PartialHandle& b) {
        check_same_dtype(a.dtype(), b.dtype(), "lse_merge");
        return a.visit([&](const auto& pa) {
          using T = scalar_t<decltype(pa)>;
          return PartialHandle{lse_merge<T>(pa, std::get<LsePartial<T>>(b.value))};
        });
      },
      py::arg("a"), py::arg("b"),
      "The partial of the union of two disjoint blocks: M = max(a.max, b.max),\n"
      "sum = a.sum e^(a.max - M) + b.sum e^(b.max - M), likewise weighted.");
  m.def(
      "lse_value",
      [](const PartialHandle& p) {
        return p.visit([](const auto& q) { return to_numpy(lse_value(q)); });
      },
      py::arg("p"), "lse(beta Xi q) = max + log(sum) per query (B,), float64; -inf when empty.");
  m.def(
      "lse_average",
      [](const PartialHandle& p) {
        return p.visit([](const auto& q) -> py::object {
          using T = scalar_t<decltype(q)>;
          Mat<T> out(q.weighted.rows(), q.weighted.cols());
          lse_average<T>(q, out);
          return to_numpy(std::move(out));
        });
      },
      py::arg("p"), "Xi^T softmax(beta Xi q) = weighted / sum per query, (B, D) in p's dtype.");
}

}  // namespace

void bind_models_modern(py::module_& m) {
  bind_modern(m);
  bind_partials(m);
}

}  // namespace engram::python
