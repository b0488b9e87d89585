// Python classes for the nudging costs and the external field of equilibrium propagation
// (SPEC M-31, M-02): engram.SquaredErrorCost, engram.CrossEntropyCost, engram.FieldSynapse.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/synapses/cost.hpp"
#include "engram/synapses/field.hpp"
#include "learning_eqprop_common.hpp"

namespace engram::python {

namespace {

struct CostHandle : SynapseHandle {
  using SynapseHandle::SynapseHandle;
};
struct SquaredHandle : CostHandle {
  using CostHandle::CostHandle;
};
struct CrossEntropyHandle : CostHandle {
  using CostHandle::CostHandle;
};
struct FieldHandle : SynapseHandle {
  using SynapseHandle::SynapseHandle;
};

template <class Handle, template <class> class S, class... Args>
Handle make(const py::object& dtype, Args... args) {
  if (parse_dtype(dtype) == Dtype::float32)
    return Handle(SynapsePtr<float>(std::make_unique<S<float>>(args...)));
  return Handle(SynapsePtr<double>(std::make_unique<S<double>>(args...)));
}

/// Calls f(cost) on the synapse as a CostSynapse<T>.
template <class F>
decltype(auto) with_cost(const SynapseHandle& h, F&& f) {
  return h.visit([&](auto& s) -> decltype(auto) {
    using T = scalar_t<decltype(s)>;
    return f(dynamic_cast<CostSynapse<T>&>(s));
  });
}

}  // namespace

void bind_costs(py::module_& m) {
  py::class_<CostHandle, SynapseHandle>(m, "CostSynapse", R"doc(
A nudging cost as a synapse on one (output) layer: E = beta * C(yhat, t), with per-batch targets t
(B, D) set by set_target and a strength beta of any sign (0 in the free phase). No parameters.)doc")
      .def_property(
          "beta",
          [](const CostHandle& h) { return with_cost(h, [](auto& c) { return c.beta(); }); },
          [](CostHandle& h, double beta) { with_cost(h, [&](auto& c) { c.set_beta(beta); }); })
      .def_property_readonly("target",
                             [](const CostHandle& h) {
                               return with_cost(h, [](auto& c) {
                                 return to_numpy(Mat<scalar_t<decltype(c)>>(c.target()));
                               });
                             })
      .def(
          "set_target",
          [](CostHandle& h, const py::handle& t) {
            with_cost(h, [&](auto& c) {
              using T = scalar_t<decltype(c)>;
              c.set_target(MatrixArg<T>(t, "target", false).map());
            });
          },
          py::arg("target"), "Targets (B, D), finite; the batch the cost accepts from now on.")
      .def(
          "cost",
          [](const CostHandle& h, const py::handle& yhat) {
            return with_cost(h, [&](auto& c) {
              using T = scalar_t<decltype(c)>;
              return to_numpy(c.cost(MatrixArg<T>(yhat, "yhat", false).map()));
            });
          },
          py::arg("yhat"), "C per sample (B float64 values), without beta.");
  py::class_<SquaredHandle, CostHandle>(m, "SquaredErrorCost",
                                        "C = 1/2 |yhat - t|^2; dE/dyhat = beta (yhat - t).")
      .def(py::init([](Index dim, double beta, const py::object& dtype) {
             return make<SquaredHandle, SquaredErrorCost>(dtype, dim, beta);
           }),
           py::arg("dim"), py::arg("beta") = 0.0, py::arg("dtype") = py::none());
  py::class_<CrossEntropyHandle, CostHandle>(
      m, "CrossEntropyCost",
      "C = -sum_k t_k log softmax(yhat)_k; dE/dyhat = beta (s softmax(yhat) - t), s = sum_k t_k.")
      .def(py::init([](Index dim, double beta, const py::object& dtype) {
             return make<CrossEntropyHandle, CrossEntropyCost>(dtype, dim, beta);
           }),
           py::arg("dim"), py::arg("beta") = 0.0, py::arg("dtype") = py::none());
  py::class_<FieldHandle, SynapseHandle>(m, "FieldSynapse", R"doc(
E = -u_b . xhat_b per sample with a per-batch field u (B, D): a DenseSynapse -a^T W b whose operand
a is clamped is FieldSynapse(u = a W) on b. No parameters.)doc")
      .def(py::init([](Index dim, const py::object& dtype) {
             return make<FieldHandle, FieldSynapse>(dtype, dim);
           }),
           py::arg("dim"), py::arg("dtype") = py::none())
      .def(
          "set_field",
          [](FieldHandle& h, const py::handle& u) {
            h.visit([&](auto& s) {
              using T = scalar_t<decltype(s)>;
              dynamic_cast<FieldSynapse<T>&>(s).set_field(MatrixArg<T>(u, "u", false).copy());
            });
          },
          py::arg("u"), "The field u (B, D), finite.");
}

}  // namespace engram::python
