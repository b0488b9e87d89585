#include "engram/synapses/synapse.hpp"

#include <stdexcept>

#include "engram/core/error.hpp"

namespace engram {

template <class T>
void Synapse<T>::check_operands(Operands<T> xhats, const char* who) const {
  const std::vector<Index> sizes = operand_sizes();
  ENGRAM_CHECK(xhats.size() == sizes.size(), "{}::{}: expected {} operand(s), got {}", name(), who,
               sizes.size(), xhats.size());
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    ENGRAM_CHECK(xhats[k].cols() == sizes[k], "{}::{}: operand {} must have {} columns, got {}",
                 name(), who, k, sizes[k], xhats[k].cols());
    ENGRAM_CHECK(xhats[k].rows() == xhats[0].rows(),
                 "{}::{}: operand {} has batch {} but operand 0 has batch {}", name(), who, k,
                 xhats[k].rows(), xhats[0].rows());
  }
}

template <class T>
void Synapse<T>::evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const {
  check_operands(xhats, "evaluate");
  ENGRAM_CHECK(grads.empty() || grads.size() == xhats.size(),
               "{}::evaluate: expected {} gradient buffers, got {}", name(), xhats.size(),
               grads.size());
  for (std::size_t k = 0; k < grads.size(); ++k)
    check_shape(grads[k], xhats[k].rows(), xhats[k].cols(),
                fmt::format("{}::evaluate: gradient buffer {}", name(), k));
  if (energy) energy->resize(xhats[0].rows());
  do_evaluate(xhats, energy, grads);
}

template <class T>
Energies Synapse<T>::energy(Operands<T> xhats) const {
  Energies e;
  evaluate(xhats, &e, {});
  return e;
}

template <class T>
std::vector<Mat<T>> Synapse<T>::grad(Operands<T> xhats) const {
  check_operands(xhats, "grad");
  std::vector<Mat<T>> g;
  g.reserve(xhats.size());
  for (const MatCRef<T>& x : xhats) g.push_back(Mat<T>::Zero(x.rows(), x.cols()));
  std::vector<MatRef<T>> targets(g.begin(), g.end());
  do_evaluate(xhats, nullptr, targets);
  return g;
}

template <class T>
void Synapse<T>::check_directions(Operands<T> xhats, Operands<T> directions,
                                  const char* who) const {
  check_operands(xhats, who);
  ENGRAM_CHECK(directions.size() == xhats.size(), "{}::{}: expected {} direction(s), got {}",
               name(), who, xhats.size(), directions.size());
  for (std::size_t k = 0; k < xhats.size(); ++k)
    check_shape(directions[k], xhats[k].rows(), xhats[k].cols(),
                fmt::format("{}::{}: direction {}", name(), who, k));
}

template <class T>
std::vector<Mat<T>> Synapse<T>::grad_directional(Operands<T> xhats, Operands<T> directions) const {
  check_directions(xhats, directions, "grad_directional");
  std::vector<Mat<T>> out;
  out.reserve(xhats.size());
  for (const MatCRef<T>& x : xhats) out.push_back(Mat<T>::Zero(x.rows(), x.cols()));
  std::vector<MatRef<T>> targets(out.begin(), out.end());
  do_grad_directional(xhats, directions, targets);
  return out;
}

template <class T>
void Synapse<T>::do_grad_directional(Operands<T>, Operands<T>, Gradients<T>) const {
  throw std::logic_error(
      fmt::format("{} ({}) has no second derivatives: it does not implement do_grad_directional",
                  name(), kind_));
}

template <class T>
std::vector<Mat<T>> Synapse<T>::param_grad_directional(Operands<T> xhats,
                                                       Operands<T> directions) const {
  check_directions(xhats, directions, "param_grad_directional");
  return do_param_grad_directional(xhats, directions);
}

template <class T>
std::vector<Mat<T>> Synapse<T>::do_param_grad_directional(Operands<T>, Operands<T>) const {
  if (params_.empty()) return {};  // nothing to differentiate (a cost or field term)
  throw std::logic_error(fmt::format(
      "{} ({}) has no mixed second derivatives: it does not implement do_param_grad_directional",
      name(), kind_));
}

template <class T>
std::vector<Mat<T>> Synapse<T>::param_grad(Operands<T> xhats) const {
  check_operands(xhats, "param_grad");
  return do_param_grad(xhats);
}

template <class T>
const Mat<T>& Synapse<T>::param(std::size_t k) const {
  ENGRAM_CHECK(k < params_.size(), "{}::param: index {} out of range ({} parameters)", name(), k,
               params_.size());
  return params_[k];
}

template <class T>
void Synapse<T>::set_param(std::size_t k, const MatCRef<T>& value) {
  ENGRAM_CHECK(k < params_.size(), "{}::set_param: index {} out of range ({} parameters)", name(),
               k, params_.size());
  const std::string what = fmt::format("{}::set_param: {}", name(), param_names_[k]);
  check_shape(value, params_[k].rows(), params_[k].cols(), what);
  check_finite(value, what);
  Mat<T> v = value;
  check_param(k, v);
  params_[k] = v;  // into the existing storage: views of the parameter (NumPy) stay valid
  params_changed();
}

template <class T>
void Synapse<T>::add_param(std::string name, Mat<T> value) {
  check_finite(value, fmt::format("{}: {}", kind_, name));
  param_names_.push_back(std::move(name));
  params_.push_back(std::move(value));
}

template class Synapse<float>;
template class Synapse<double>;

}  // namespace engram
