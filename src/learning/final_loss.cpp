// M-35: the built-in losses of a layer's final activations and their gradients in the states.
#include <fmt/format.h>

#include <cmath>

#include "engram/core/error.hpp"
#include "engram/learning/through_dynamics.hpp"
#include "engram/neurons/softmax.hpp"

namespace engram {

const char* to_string(LossKind kind) {
  return kind == LossKind::squared_error ? "squared_error" : "cross_entropy";
}

LossKind parse_loss_kind(const std::string& name) {
  if (name == "squared_error") return LossKind::squared_error;
  if (name == "cross_entropy") return LossKind::cross_entropy;
  ENGRAM_CHECK(false, "unknown loss \"{}\"; expected squared_error or cross_entropy", name);
  return LossKind::squared_error;
}

namespace {

/// Cross-entropy on a softmax layer from x itself: log x̂ = βx − lse(βx), a = β(x̂ Σt − t).
template <class T>
double softmax_cross_entropy(const Mat<T>& x, const Mat<T>& target, double beta, Mat<T>& a) {
  double value = 0.0;
  a.resize(x.rows(), x.cols());
  for (Index b = 0; b < x.rows(); ++b) {
    const Eigen::VectorXd z = beta * x.row(b).transpose().template cast<double>();
    const double top = z.maxCoeff();
    const double lse = top + std::log((z.array() - top).exp().sum());
    const Eigen::VectorXd t = target.row(b).transpose().template cast<double>();
    value -= t.dot(z.array().matrix() - Eigen::VectorXd::Constant(z.size(), lse));
    const Eigen::VectorXd p = (z.array() - lse).exp().matrix();
    a.row(b) = (beta * (p * t.sum() - t)).transpose().template cast<T>();
  }
  return value;
}

}  // namespace

template <class T>
FinalLoss<T> final_loss(const EnergyGraph<T>& graph, const State<T>& state,
                        const std::vector<LayerLoss<T>>& losses) {
  graph.check(state);
  FinalLoss<T> out;
  for (const auto& layer : graph.layers())
    out.grad.push_back(Mat<T>::Zero(state.batch(), layer.size));
  for (const LayerLoss<T>& loss : losses) {
    const std::size_t l = graph.layer_index(loss.layer);
    const auto& layer = graph.layers()[l];
    const std::string what =
        fmt::format("{} loss on layer '{}': target", to_string(loss.kind), layer.name);
    check_shape(loss.target, state.batch(), layer.size, what);
    check_finite(loss.target, what);
    const Mat<T>& x = state.at(l);
    const Mat<T> xhat = layer.lagrangian->activation(x);
    Mat<T> dxhat;
    if (loss.kind == LossKind::squared_error) {
      dxhat = xhat - loss.target;
      out.value += 0.5 * dxhat.template cast<double>().squaredNorm();
    } else {
      ENGRAM_CHECK((loss.target.array() >= T(0)).all(), "{} must be >= 0 everywhere", what);
      if (const auto* softmax = dynamic_cast<const Softmax<T>*>(layer.lagrangian.get())) {
        Mat<T> a;
        out.value += softmax_cross_entropy(x, loss.target, softmax->beta(), a);
        out.grad[l] += a;
        continue;
      }
      dxhat.resize(xhat.rows(), xhat.cols());
      for (Index b = 0; b < xhat.rows(); ++b)
        for (Index i = 0; i < xhat.cols(); ++i) {
          const double t = static_cast<double>(loss.target(b, i));
          const double p = static_cast<double>(xhat(b, i));
          dxhat(b, i) = T(0);
          if (t == 0.0) continue;
          ENGRAM_CHECK(p > 0.0,
                       "cross_entropy loss on layer '{}': activation ({}, {}) = {} is not "
                       "positive (use a softmax or sigmoid layer)",
                       layer.name, b, i, p);
          out.value -= t * std::log(p);
          dxhat(b, i) = static_cast<T>(-t / p);
        }
    }
    out.grad[l] += layer.lagrangian->hvp(x, dxhat);
  }
  return out;
}

template FinalLoss<float> final_loss(const EnergyGraph<float>&, const State<float>&,
                                     const std::vector<LayerLoss<float>>&);
template FinalLoss<double> final_loss(const EnergyGraph<double>&, const State<double>&,
                                      const std::vector<LayerLoss<double>>&);

}  // namespace engram
