// Python classes for the Lagrangians (SPEC M-01): engram.Lagrangian and one subclass per family.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/io/registry.hpp"
#include "engram/neurons.hpp"

namespace engram::python {

namespace {

// One Python class per family; the C++ object is the same handle.
template <class Tag>
struct Family : LagrangianHandle {
  using LagrangianHandle::LagrangianHandle;
  explicit Family(LagrangianHandle h) : LagrangianHandle(std::move(h)) {}
};
using IdentityHandle = Family<struct IdentityTag>;
using SigmoidHandle = Family<struct SigmoidTag>;
using TanhHandle = Family<struct TanhTag>;
using SoftplusHandle = Family<struct SoftplusTag>;
using ReluHandle = Family<struct ReluTag>;
using RectifiedPolynomialHandle = Family<struct RectifiedPolynomialTag>;
using SoftmaxHandle = Family<struct SoftmaxTag>;
using HardSigmoidHandle = Family<struct HardSigmoidTag>;

// Applies `f(lagrangian, x)` at the precision of the array x.
template <class F>
py::object at_precision_of(const LagrangianHandle& h, const py::handle& x, F&& f) {
  return with_dtype(dtype_of_array(x), [&](auto tag) -> py::object {
    using T = typename decltype(tag)::type;
    const MatrixArg<T> arg(x, "x");
    return f(*h.get<T>(), arg);
  });
}

// Per-sample values: a float for a 1-D x, an array of B values for a 2-D x.
py::object per_sample(Energies&& e, bool one) {
  if (one) return py::float_(e(0));
  return to_numpy(std::move(e));
}

double hyperparameter(const LagrangianHandle& h, const char* name) {
  return h.get<double>()->hyperparameters().at(name);
}

template <class Handle, class L, class... Args>
Handle make(Args... args) {
  return Handle(LagrangianPtr<double>(std::make_shared<const L>(args...)));
}

}  // namespace

py::object lagrangian_object(const LagrangianHandle& h) {
  const std::string kind = h.get<double>()->kind();
  if (kind == "identity") return py::cast(IdentityHandle(h));
  if (kind == "sigmoid") return py::cast(SigmoidHandle(h));
  if (kind == "tanh") return py::cast(TanhHandle(h));
  if (kind == "softplus") return py::cast(SoftplusHandle(h));
  if (kind == "relu") return py::cast(ReluHandle(h));
  if (kind == "rectified_polynomial") return py::cast(RectifiedPolynomialHandle(h));
  if (kind == "softmax") return py::cast(SoftmaxHandle(h));
  if (kind == "hard_sigmoid") return py::cast(HardSigmoidHandle(h));
  return py::cast(h);  // a family without its own Python class
}

void bind_neurons(py::module_& m) {
  py::class_<LagrangianHandle>(m, "Lagrangian", R"doc(
A convex Lagrangian L that defines a layer of neurons (SPEC M-01).

For a batch x of shape (B, D) (one sample per row; a 1-D x is one sample):
    activation   xhat = grad L(x)                       same shape as x
    value        L(x)                                   B values (float64)
    energy       E = xhat . x - L(x)  (Legendre)        B values (float64)
    hvp          Hessian-vector product  grad^2 L(x) v  same shape as x
Computations run in the dtype of x (float32 or float64); energies are always float64.
Build one of the families: Identity, Sigmoid, Tanh, Softplus, Relu, RectifiedPolynomial, Softmax,
HardSigmoid, or make_lagrangian(kind, **hyperparameters).)doc")
      .def_property_readonly(
          "name", [](const LagrangianHandle& h) { return h.get<double>()->name(); },
          "Short description with parameters, e.g. 'sigmoid(beta=0.5)'.")
      .def_property_readonly(
          "kind", [](const LagrangianHandle& h) { return h.get<double>()->kind(); },
          "The family as model files name it: 'identity', 'sigmoid', 'tanh', ...")
      .def_property_readonly(
          "hyperparameters",
          [](const LagrangianHandle& h) { return h.get<double>()->hyperparameters(); },
          "The family's scalar settings, e.g. {'beta': 0.5}.")
      .def(
          "value",
          [](const LagrangianHandle& h, const py::handle& x) {
            return at_precision_of(h, x, [](const auto& L, const auto& arg) {
              return per_sample(L.value(arg.map()), arg.was_vector());
            });
          },
          py::arg("x"),
          "L(x) per sample: x is (B, D) or (D,); returns B float64 values or a float.")
      .def(
          "activation",
          [](const LagrangianHandle& h, const py::handle& x) {
            return at_precision_of(h, x, [](const auto& L, const auto& arg) -> py::object {
              return to_numpy(L.activation(arg.map()), arg.was_vector());
            });
          },
          py::arg("x"), "xhat = grad L(x), the same shape and dtype as x.")
      .def(
          "energy",
          [](const LagrangianHandle& h, const py::handle& x) {
            return at_precision_of(h, x, [](const auto& L, const auto& arg) {
              return per_sample(L.energy(arg.map()), arg.was_vector());
            });
          },
          py::arg("x"),
          "Neuron energy E = xhat . x - L(x) per sample (stable closed form), float64.")
      .def(
          "hvp",
          [](const LagrangianHandle& h, const py::handle& x, const py::handle& v) {
            return at_precision_of(h, x, [&](const auto& L, const auto& arg) -> py::object {
              using T = typename std::remove_cvref_t<decltype(arg.map())>::Scalar;
              const MatrixArg<T> dir(v, "v");
              return to_numpy(L.hvp(arg.map(), dir.map()), arg.was_vector());
            });
          },
          py::arg("x"), py::arg("v"),
          "Hessian-vector product grad^2 L(x) v per sample; v has the shape of x.")
      .def("__repr__", [](const py::object& self) {
        // engram.Sigmoid(beta=0.5) for a family's class, engram.Lagrangian('sigmoid(...)')
        // otherwise.
        const auto& h = self.cast<const LagrangianHandle&>();
        const auto type = py::type::handle_of(self).attr("__name__").cast<std::string>();
        if (type == "Lagrangian")
          return fmt::format("engram.Lagrangian('{}')", h.get<double>()->name());
        std::vector<std::string> args;
        for (const auto& [k, v] : h.get<double>()->hyperparameters())
          args.push_back(fmt::format("{}={}", k, v));
        return fmt::format("engram.{}({})", type, fmt::join(args, ", "));
      });

  py::class_<IdentityHandle, LagrangianHandle>(
      m, "Identity", "L(x) = 1/2 |x|^2, xhat = x, E = 1/2 |x|^2 (SPEC M-01).")
      .def(py::init([] { return make<IdentityHandle, Identity<double>>(); }));
  py::class_<SigmoidHandle, LagrangianHandle>(
      m, "Sigmoid",
      "L(x) = beta^-1 sum log(1 + exp(beta x)), xhat = sigmoid(beta x),\n"
      "E = beta^-1 sum [xhat log xhat + (1 - xhat) log(1 - xhat)] (SPEC M-01). beta > 0.")
      .def(py::init([](double beta) { return make<SigmoidHandle, Sigmoid<double>>(beta); }),
           py::arg("beta") = 1.0)
      .def_property_readonly("beta",
                             [](const SigmoidHandle& h) { return hyperparameter(h, "beta"); });
  py::class_<TanhHandle, LagrangianHandle>(
      m, "Tanh", "L(x) = beta^-1 sum log cosh(beta x), xhat = tanh(beta x) (SPEC M-01). beta > 0.")
      .def(py::init([](double beta) { return make<TanhHandle, Tanh<double>>(beta); }),
           py::arg("beta") = 1.0)
      .def_property_readonly("beta", [](const TanhHandle& h) { return hyperparameter(h, "beta"); });
  py::class_<SoftplusHandle, LagrangianHandle>(
      m, "Softplus",
      "L(x) = -beta^-1 sum Li2(-exp(beta x)), xhat = log(1 + exp(beta x)) (SPEC M-01). beta > 0.")
      .def(py::init([](double beta) { return make<SoftplusHandle, Softplus<double>>(beta); }),
           py::arg("beta") = 1.0)
      .def_property_readonly("beta",
                             [](const SoftplusHandle& h) { return hyperparameter(h, "beta"); });
  py::class_<ReluHandle, LagrangianHandle>(
      m, "Relu", "L(x) = 1/2 sum max(x, 0)^2, xhat = max(x, 0) (SPEC M-01).")
      .def(py::init([] { return make<ReluHandle, Relu<double>>(); }));
  py::class_<HardSigmoidHandle, LagrangianHandle>(
      m, "HardSigmoid",
      "L(x) = sum l(x_i), l = 0, x^2/2, x - 1/2 on x < 0, [0, 1], x > 1; xhat = clip(x, 0, 1);\n"
      "E = sum e(x_i), e = 0, x^2/2, 1/2 (SPEC M-01; Scellier & Bengio 2017's rho).")
      .def(py::init([] { return make<HardSigmoidHandle, HardSigmoid<double>>(); }));
  py::class_<RectifiedPolynomialHandle, LagrangianHandle>(
      m, "RectifiedPolynomial",
      "L(x) = (1/n) sum max(x, 0)^n, xhat = max(x, 0)^(n-1), n >= 2 (SPEC M-01).")
      .def(py::init([](double n) {
             return make<RectifiedPolynomialHandle, RectifiedPolynomial<double>>(n);
           }),
           py::arg("n"))
      .def_property_readonly(
          "n", [](const RectifiedPolynomialHandle& h) { return hyperparameter(h, "n"); });
  py::class_<SoftmaxHandle, LagrangianHandle>(
      m, "Softmax",
      "L(x) = beta^-1 log sum exp(beta x), xhat = softmax(beta x),\n"
      "E = beta^-1 sum xhat log xhat (SPEC M-01). beta > 0.")
      .def(py::init([](double beta) { return make<SoftmaxHandle, Softmax<double>>(beta); }),
           py::arg("beta") = 1.0)
      .def_property_readonly("beta",
                             [](const SoftmaxHandle& h) { return hyperparameter(h, "beta"); });

  m.def(
      "make_lagrangian",
      [](const std::string& kind, const py::kwargs& hyperparameters) {
        return lagrangian_object(
            LagrangianHandle(make_lagrangian<double>(kind, hyperparameters_of(hyperparameters))));
      },
      py::arg("kind"),
      "The Lagrangian of family `kind` with its hyperparameters, e.g.\n"
      "make_lagrangian('sigmoid', beta=0.5). See lagrangian_kinds().");
  m.def("lagrangian_kinds", &lagrangian_kinds, "The Lagrangian kinds make_lagrangian knows.");
}

}  // namespace engram::python
