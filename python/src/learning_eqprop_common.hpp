// What the Python classes of equilibrium propagation (SPEC M-31) share: options from keyword
// arguments, integer labels, per-epoch stats and lists of parameter arrays.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engram/core/error.hpp"
#include "engram/learning/eqprop.hpp"
#include "handles.hpp"

namespace engram::python {

inline EqPropOptions options_of(const std::vector<Index>& sizes, const std::string& activation,
                                const std::string& cost, double beta, bool symmetric,
                                bool random_sign, double dt, int free_steps, int nudged_steps,
                                const std::vector<double>& learning_rates, Index batch) {
  EqPropOptions o;
  o.sizes = sizes;
  o.activation = activation;
  o.cost = parse_cost_kind(cost);
  o.beta = beta;
  o.symmetric = symmetric;
  o.random_sign = random_sign;
  o.dt = dt;
  o.free_steps = free_steps;
  o.nudged_steps = nudged_steps;
  o.learning_rates = learning_rates;
  if (learning_rates.size() == 1 && sizes.size() > 2)
    o.learning_rates.assign(sizes.size() - 1, learning_rates[0]);
  o.batch = batch;
  o.check();
  return o;
}

/// Integer class labels (1-D), each checked later against the number of classes.
inline std::vector<int> labels_of(const py::handle& obj, const char* what) {
  const py::array a = py::array::ensure(obj);
  ENGRAM_CHECK(a && a.ndim() == 1, "{}: labels must be a 1-D array of integers", what);
  const char kind = a.dtype().kind();
  ENGRAM_CHECK(kind == 'i' || kind == 'u', "{}: labels must be integers, got dtype kind '{}'", what,
               kind);
  const auto v = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
  std::vector<int> out(static_cast<std::size_t>(v.size()));
  for (py::ssize_t i = 0; i < v.size(); ++i) {
    const std::int64_t y = v.data()[i];
    ENGRAM_CHECK(y >= 0 && y < (1 << 30), "{}: label {} at index {} is out of range", what, y, i);
    out[static_cast<std::size_t>(i)] = static_cast<int>(y);
  }
  return out;
}

inline py::dict stats(const EpochStats& s) {
  py::dict d;
  d["error"] = s.error;
  d["cost"] = s.cost;
  return d;
}

template <class T>
py::list to_list(std::vector<Mat<T>>&& ms) {
  py::list out;
  for (Mat<T>& m : ms) out.append(to_numpy(std::move(m)));
  return out;
}

template <class T>
std::vector<Mat<T>> from_list(const py::sequence& items, const char* what) {
  std::vector<Mat<T>> out;
  for (const MatrixArg<T>& a : matrix_args<T>(items, what)) out.push_back(a.copy());
  return out;
}

constexpr const char* kOptionsDoc =
    "sizes: layer sizes [input, hidden..., output]; activation: 'hard_sigmoid' or 'sigmoid';\n"
    "cost: 'squared' (C = 1/2 |yhat - t|^2) or 'cross_entropy' (C = -sum t log softmax(yhat));\n"
    "beta != 0: nudging strength; symmetric: +-beta (else one-sided, random_sign draws its sign\n"
    "per batch); dt in (0, 1]: Euler step; free_steps, nudged_steps: Euler steps per phase;\n"
    "learning_rates: one per weight layer (or one for all); batch: mini-batch size; seed: the\n"
    "Glorot initialisation and the shuffles; dtype: float32 or float64.";

/// Registers engram.FeedForwardNetwork (learning_feedforward.cpp).
void bind_feedforward(py::module_& m);
/// Registers engram.CostSynapse, SquaredErrorCost, CrossEntropyCost, FieldSynapse
/// (learning_costs.cpp).
void bind_costs(py::module_& m);

}  // namespace engram::python
