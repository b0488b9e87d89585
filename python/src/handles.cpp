#include "handles.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "engram/io/registry.hpp"

namespace engram::python {

UseCount::Reader::Reader(const UseCount& c, const char* what) : c_(c) {
  if (c_.writing_)
    throw std::runtime_error(
        fmt::format("{}: the object is being changed by another thread", what));
  ++c_.readers_;
}

UseCount::Writer::Writer(const UseCount& c, const char* what) : c_(c) {
  if (c_.readers_ > 0 || c_.writing_)
    throw std::runtime_error(
        fmt::format("{}: cannot change it while it is in use (by a call in another thread, or by "
                    "the call whose callback this is)",
                    what));
  c_.writing_ = true;
}

void check_same_dtype(Dtype a, Dtype b, const char* what) {
  if (a != b)
    throw py::value_error(fmt::format("{}: precisions differ ({} and {}); build both in one dtype",
                                      what, dtype_name(a), dtype_name(b)));
}

LagrangianHandle::LagrangianHandle(LagrangianPtr<double> f64)
    : f32_(make_lagrangian<float>(f64->kind(), f64->hyperparameters())), f64_(std::move(f64)) {}

LagrangianHandle::LagrangianHandle(LagrangianPtr<float> f32)
    : f32_(std::move(f32)), f64_(make_lagrangian<double>(f32_->kind(), f32_->hyperparameters())) {}

template <class T, class U>
SynapsePtr<T> synapse_as(const Synapse<U>& s) {
  if constexpr (std::is_same_v<U, T>) {
    return s.clone();
  } else {
    std::vector<Mat<T>> params;
    for (std::size_t k = 0; k < s.num_params(); ++k)
      params.push_back(s.param(k).template cast<T>());
    return make_synapse<T>(s.kind(), s.hyperparameters(), std::move(params));
  }
}
template SynapsePtr<float> synapse_as<float>(const Synapse<float>&);
template SynapsePtr<float> synapse_as<float>(const Synapse<double>&);
template SynapsePtr<double> synapse_as<double>(const Synapse<float>&);
template SynapsePtr<double> synapse_as<double>(const Synapse<double>&);

template <class T>
SynapsePtr<T> SynapseHandle::copy_as() const {
  return visit([](const auto& s) { return synapse_as<T>(s); });
}
template SynapsePtr<float> SynapseHandle::copy_as<float>() const;
template SynapsePtr<double> SynapseHandle::copy_as<double>() const;

const char* const kRelaxOptionsDoc = R"doc(Relaxation keywords (all optional):
    dt (float, 0.1): Euler step, x_l <- x_l - (dt/tau_l) dE/dxhat_l.
    max_steps (int, 1000): upper bound on steps.
    tolerance (float or None): a sample converges when max_l |dx_l/dt|_inf <=
        tolerance * (1 + max_l |x_l|_inf); None: sqrt(eps) of the dtype; 0: run all steps.
    clamped (list of str): layers held fixed (their activations still drive the others).
    shrink_on_rise (bool, True): undo a step that raises a sample's energy and halve its dt.
    max_halvings (int, 40): halvings after which a sample is declared stalled.
    record_trace (bool, True): keep the energy of every sample after every step.
    on_step (callable(step, energies) or None): called after every step.)doc";

namespace {

// value as a V, or a TypeError naming the argument and what it expected.
template <class V>
V cast_or_raise(const py::handle& value, const std::string& what, const char* expected) {
  try {
    return value.cast<V>();
  } catch (const py::cast_error&) {
    throw py::type_error(fmt::format("{}: expected {}, got {}", what, expected,
                                     py::repr(value).cast<std::string>()));
  }
}

}  // namespace

Interaction interaction_of(const py::handle& spec) {
  if (py::isinstance<py::str>(spec)) return Interaction::parse(spec.cast<std::string>());
  if (py::isinstance<Interaction>(spec)) return spec.cast<Interaction>();
  throw py::type_error(fmt::format(
      "interaction: expected an engram.Interaction or its text such as 'polynomial(n=3)', got {}",
      py::repr(spec).cast<std::string>()));
}

Hyperparameters hyperparameters_of(const py::kwargs& kwargs) {
  Hyperparameters hp;
  for (const auto& [k, v] : kwargs) {
    const auto name = k.cast<std::string>();
    hp[name] = cast_or_raise<double>(v, name, "a number");
  }
  return hp;
}

RelaxOptions relax_options(const py::kwargs& kwargs, RelaxOptions o) {
  for (const auto& [key_obj, value] : kwargs) {
    const auto key = key_obj.cast<std::string>();
    const std::string what = "relax option '" + key + "'";
    if (key == "dt") {
      o.dt = cast_or_raise<double>(value, what, "a number");
    } else if (key == "max_steps") {
      o.max_steps = cast_or_raise<int>(value, what, "an int (32 bits)");
    } else if (key == "tolerance") {
      o.tolerance =
          value.is_none()
              ? std::nullopt
              : std::optional<double>(cast_or_raise<double>(value, what, "a number or None"));
    } else if (key == "clamped") {
      if (py::isinstance<py::str>(value))
        throw py::type_error(
            "relax option 'clamped': expected a list of layer names, got one string");
      o.clamped = cast_or_raise<std::vector<std::string>>(value, what, "a list of layer names");
    } else if (key == "shrink_on_rise") {
      o.shrink_on_rise = cast_or_raise<bool>(value, what, "a bool");
    } else if (key == "max_halvings") {
      o.max_halvings = cast_or_raise<int>(value, what, "an int");
    } else if (key == "record_trace") {
      o.record_trace = cast_or_raise<bool>(value, what, "a bool");
    } else if (key == "on_step") {
      if (value.is_none()) {
        o.on_step = nullptr;
        continue;
      }
      if (!PyCallable_Check(value.ptr())) throw py::type_error("on_step: expected a callable");
      // relax() runs without the GIL: the callback takes it back for its call, and the Python
      // function is released under the GIL whichever copy of the options goes last.
      auto owned = std::make_unique<py::function>(py::reinterpret_borrow<py::function>(value));
      std::shared_ptr<py::function> callback(owned.release(), [](py::function* f) {
        py::gil_scoped_acquire gil;
        std::unique_ptr<py::function>{f}.reset();
      });
      o.on_step = [callback](int step, const Energies& energy) {
        py::gil_scoped_acquire gil;
        (*callback)(step, to_numpy(Eigen::VectorXd(energy)));
      };
    } else {
      throw py::type_error(fmt::format(
          "unknown relax option '{}'; the options are dt, max_steps, tolerance, clamped, "
          "shrink_on_rise, max_halvings, record_trace, on_step",
          key));
    }
  }
  return o;
}

}  // namespace engram::python
