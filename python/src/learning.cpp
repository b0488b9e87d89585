// Python binding of the Hebbian family of learning rules (SPEC M-10, M-30).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/learning/hebbian.hpp"

namespace engram::python {

namespace {

// rule(patterns) at the precision of `patterns` (float32 stays float32, anything else is float64).
template <class Rule>
py::object apply(const py::handle& patterns, Rule&& rule) {
  return with_dtype(dtype_of_array(patterns), [&](auto tag) -> py::object {
    using T = typename decltype(tag)::type;
    const MatrixArg<T> p(patterns, "patterns", false);
    Mat<T> W;
    {
      py::gil_scoped_release release;
      W = rule(tag, p.map());
    }
    return to_numpy(std::move(W));
  });
}

}  // namespace

void bind_learning(py::module_& m) {
  m.def(
      "hebbian",
      [](const py::handle& patterns) {
        return apply(patterns, [](auto tag, const auto& p) {
          return hebbian<typename decltype(tag)::type>(p);
        });
      },
      py::arg("patterns"),
      "Hebb's rule (SPEC M-10): W = Xi^T Xi / N with a zero diagonal, for patterns Xi (P, N).\n"
      "Returns (N, N), exactly symmetric.");
  m.def(
      "storkey",
      [](const py::handle& patterns) {
        return apply(patterns, [](auto tag, const auto& p) {
          return storkey<typename decltype(tag)::type>(p);
        });
      },
      py::arg("patterns"),
      "Storkey's rule (1997), one pattern at a time from W = 0:\n"
      "W_ij += (xi_i xi_j - xi_i h_ji - h_ij xi_j) / N, h_ij = sum_{k != i,j} W_ik xi_k.\n"
      "patterns: (P, N); returns (N, N), symmetric with a zero diagonal.");
  m.def(
      "pseudo_inverse",
      [](const py::handle& patterns) {
        return apply(patterns, [](auto tag, const auto& p) {
          return pseudo_inverse<typename decltype(tag)::type>(p);
        });
      },
      py::arg("patterns"),
      "Projection rule W = Xi^+ Xi (the projector onto the patterns' span) with a zero diagonal;\n"
      "every stored pattern stays a fixed point of sign(W s). patterns: (P, N).");
  m.def(
      "learn",
      [](const py::handle& patterns, const std::string& rule) {
        const LearningRule r = parse_learning_rule(rule);
        return apply(patterns, [&](auto tag, const auto& p) {
          return learn<typename decltype(tag)::type>(p, r);
        });
      },
      py::arg("patterns"), py::arg("rule") = "hebbian",
      "W from patterns (P, N) by rule 'hebbian', 'storkey' or 'pseudo_inverse'.");
}

}  // namespace engram::python
