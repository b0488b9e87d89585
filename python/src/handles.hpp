// The C++ objects behind engram's Python classes: every class works in float32 and float64, so a
// Python object holds the float or the double instance (Dual), or both for immutable Lagrangians.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include "arrays.hpp"
#include "engram/dynamics/relax.hpp"
#include "engram/graph.hpp"
#include "engram/synapses/memory.hpp"

namespace engram::python {

/// Which calls are using an object without the GIL (relax on a graph, generate on a conditional
/// memory) and whether one is changing it. Every check and change happens with the GIL held, so
/// they cannot race; calls that would change an object in use raise instead of racing with (or
/// waiting on) the calls using it. A copy of an object starts unused.
class UseCount {
 public:
  UseCount() = default;
  UseCount(const UseCount&) noexcept {}
  UseCount& operator=(const UseCount&) noexcept { return *this; }

  /// Marks the object in use until the guard goes (take it with the GIL held).
  class Reader {
   public:
    explicit Reader(const UseCount& c, const char* what);
    ~Reader() { --c_.readers_; }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

   private:
    const UseCount& c_;
  };
  /// Marks the object being changed until the guard goes; raises RuntimeError naming `what`
  /// while it is in use.
  class Writer {
   public:
    explicit Writer(const UseCount& c, const char* what);
    ~Writer() { c_.writing_ = false; }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

   private:
    const UseCount& c_;
  };

 private:
  mutable std::atomic<int> readers_{0};
  mutable std::atomic<bool> writing_{false};
};

/// M<float> or M<double>: the object behind a Python class whose precision is chosen at
/// construction (a graph, a state, a model).
template <template <class> class M>
struct Dual {
  std::variant<M<float>, M<double>> value;
  /// Calls using the object without the GIL (see UseCount).
  UseCount use{};

  Dtype dtype() const { return value.index() == 0 ? Dtype::float32 : Dtype::float64; }
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), value);
  }
  template <class F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), value);
  }
  template <class T>
  M<T>& get() {
    return std::get<M<T>>(value);
  }
};

/// The scalar type of M<T>: scalar_t<ModernHopfield<float>> is float.
template <class X>
struct scalar_of;
template <template <class> class M, class T>
struct scalar_of<M<T>> {
  using type = T;
};
template <class X>
using scalar_t = typename scalar_of<std::remove_cvref_t<X>>::type;

/// Calls f(std::type_identity<T>{}) with T the scalar type `d` names.
template <class F>
decltype(auto) with_dtype(Dtype d, F&& f) {
  if (d == Dtype::float32) return f(std::type_identity<float>{});
  return f(std::type_identity<double>{});
}

/// A Dual<M> built by make(std::type_identity<T>{}) -> M<T>, with T chosen by `d`.
template <template <class> class M, class F>
Dual<M> make_dual(Dtype d, F&& make) {
  if (d == Dtype::float32) return Dual<M>{make(std::type_identity<float>{})};
  return Dual<M>{make(std::type_identity<double>{})};
}

/// Throws ValueError unless `a` and `b` have the same precision; `what` names the call.
void check_same_dtype(Dtype a, Dtype b, const char* what);

/// A Lagrangian at both precisions (Lagrangians are immutable and small, so both are kept).
class LagrangianHandle {
 public:
  LagrangianHandle() = default;
  /// The other precision is rebuilt from the kind and hyperparameters (io/registry.hpp).
  explicit LagrangianHandle(LagrangianPtr<double> f64);
  explicit LagrangianHandle(LagrangianPtr<float> f32);
  template <class T>
  const LagrangianPtr<T>& get() const {
    if constexpr (std::is_same_v<T, float>)
      return f32_;
    else
      return f64_;
  }

 private:
  LagrangianPtr<float> f32_;
  LagrangianPtr<double> f64_;
};

/// A copy of `s` at precision T: a clone, or rebuilt through the registry (io/registry.hpp) from
/// its kind, hyperparameters and parameters cast to T.
template <class T, class U>
SynapsePtr<T> synapse_as(const Synapse<U>& s);

/// A synapse of one precision. Standalone synapses own theirs; a handle from EnergyGraph.synapse()
/// points into the graph and keeps the graph's Python object alive.
class SynapseHandle {
 public:
  using Ptr = std::variant<std::shared_ptr<Synapse<float>>, std::shared_ptr<Synapse<double>>>;

  SynapseHandle() = default;
  template <class T>
  explicit SynapseHandle(SynapsePtr<T> owned)
      : ptr_(std::shared_ptr<Synapse<T>>(std::move(owned))) {}
  template <class T>
  SynapseHandle(Synapse<T>& in_graph, py::object graph)
      : ptr_(std::shared_ptr<Synapse<T>>(std::shared_ptr<void>(), &in_graph)),
        graph_(std::move(graph)) {}

  Dtype dtype() const { return ptr_.index() == 0 ? Dtype::float32 : Dtype::float64; }
  template <class F>
  decltype(auto) visit(F&& f) const {
    return std::visit([&](const auto& p) -> decltype(auto) { return f(*p); }, ptr_);
  }
  /// The graph this synapse lives in (None for a standalone synapse).
  const py::object& graph() const { return graph_; }
  /// A fresh copy at precision T (converted through the registry when the precision differs).
  template <class T>
  SynapsePtr<T> copy_as() const;

 private:
  Ptr ptr_;
  py::object graph_;
};

/// The object as an instance of its family's Python class (engram.Sigmoid, engram.DenseSynapse,
/// ...), so family properties (beta, interaction, ...) work on what a graph hands back.
py::object lagrangian_object(const LagrangianHandle& h);
py::object synapse_object(const SynapseHandle& h);

/// An interaction F given as an engram.Interaction or its text ("polynomial(n=3)"); anything else
/// is a TypeError.
Interaction interaction_of(const py::handle& spec);

/// Keyword arguments as hyperparameters (name -> float); a value that is not a number is a
/// TypeError naming it.
Hyperparameters hyperparameters_of(const py::kwargs& kwargs);

/// Relax options from keyword arguments (dt, max_steps, tolerance, clamped, shrink_on_rise,
/// max_halvings, record_trace, on_step); an unknown keyword is a TypeError listing the known ones.
/// `base` supplies the defaults.
RelaxOptions relax_options(const py::kwargs& kwargs, RelaxOptions base = {});

/// Documentation of the keywords relax_options reads, for docstrings.
extern const char* const kRelaxOptionsDoc;

/// A RelaxResult as a Python object (steps, converged, status, energy, trace, dt, ...).
py::object to_python(RelaxResult&& result);

}  // namespace engram::python
