// Lagrangian<T>: the convex function that defines a layer of neurons (SPEC M-01).
// Activation x̂ = ∇L(x); neuron energy E = x̂·x − L(x) (Legendre transform); Hessian-vector products.
#pragma once

#include <memory>
#include <string>

#include "engram/core/error.hpp"
#include "engram/core/types.hpp"

namespace engram {

/// A convex Lagrangian L over one sample's internal state x ∈ R^D, applied row by row to a batch.
///
/// Every method takes x as B × D (one sample per row). Values and energies are returned in double
/// whatever T is (SPEC M-04): energies of float models are accumulated in double.
template <class T>
class Lagrangian {
 public:
  virtual ~Lagrangian() = default;

  /// Short description with parameters, e.g. "sigmoid(beta=0.0167)".
  virtual std::string name() const = 0;

  /// The family, as model files name it: "identity", "sigmoid", "tanh", "relu",
  /// "rectified_polynomial", "softmax".
  virtual std::string kind() const = 0;

  /// The family's scalar settings, e.g. {"beta": 0.5}; empty when it has none.
  virtual Hyperparameters hyperparameters() const { return {}; }

  /// L(x) for each sample: B values.
  virtual Energies value(const MatCRef<T>& x) const = 0;

  /// x̂ = ∇L(x), written into `xhat` (B × D, already sized).
  virtual void activation(const MatCRef<T>& x, MatRef<T> xhat) const = 0;

  /// M-01: E = x̂·x − L(x) for each sample, evaluated in a numerically stable closed form.
  virtual Energies energy(const MatCRef<T>& x) const = 0;

  /// Hessian-vector product ∇²L(x) v for each sample, written into `out` (B × D, already sized).
  virtual void hvp(const MatCRef<T>& x, const MatCRef<T>& v, MatRef<T> out) const = 0;

  /// Allocating convenience for activation().
  Mat<T> activation(const MatCRef<T>& x) const {
    Mat<T> xhat(x.rows(), x.cols());
    activation(x, xhat);
    return xhat;
  }

  /// Allocating convenience for hvp().
  Mat<T> hvp(const MatCRef<T>& x, const MatCRef<T>& v) const {
    check_shape(v, x.rows(), x.cols(), "Lagrangian::hvp: v (same shape as x)");
    Mat<T> out(x.rows(), x.cols());
    hvp(x, v, out);
    return out;
  }
};

/// Lagrangians are immutable once built, so layers (and copies of graphs) share them.
template <class T>
using LagrangianPtr = std::shared_ptr<const Lagrangian<T>>;

}  // namespace engram
