#include "engram/synapses/bias.hpp"

#include <fmt/format.h>

#include "engram/core/error.hpp"

namespace engram {

template <class T>
BiasSynapse<T>::BiasSynapse(Mat<T> b) : Synapse<T>("BiasSynapse") {
  ENGRAM_CHECK(b.rows() == 1 && b.cols() > 0, "BiasSynapse: b must be 1xD with D > 0, got {}x{}",
               b.rows(), b.cols());
  this->add_param("b", std::move(b));
}

template <class T>
std::unique_ptr<Synapse<T>> BiasSynapse<T>::clone() const {
  return std::make_unique<BiasSynapse>(*this);
}

template <class T>
std::string BiasSynapse<T>::name() const {
  return fmt::format("bias({})", b().cols());
}

template <class T>
std::vector<Index> BiasSynapse<T>::operand_sizes() const {
  return {b().cols()};
}

template <class T>
void BiasSynapse<T>::do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const {
  const MatCRef<T>& x = xhats[0];
  if (energy)  // −b·x̂ per sample, accumulated in double without a double copy of x̂
    for (Index r = 0; r < x.rows(); ++r) {
      double sum = 0.0;
      for (Index i = 0; i < x.cols(); ++i)
        sum += static_cast<double>(x(r, i)) * static_cast<double>(b()(0, i));
      (*energy)(r) = -sum;
    }
  if (!grads.empty()) grads[0].rowwise() -= b().row(0);
}

template <class T>
std::vector<Mat<T>> BiasSynapse<T>::do_param_grad(Operands<T> xhats) const {
  return {-xhats[0].colwise().sum()};
}

template <class T>
std::vector<Mat<T>> BiasSynapse<T>::do_param_grad_directional(Operands<T>, Operands<T> u) const {
  return {-u[0].colwise().sum()};
}

template class BiasSynapse<float>;
template class BiasSynapse<double>;

}  // namespace engram
