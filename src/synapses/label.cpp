#include "engram/synapses/label.hpp"

#include <fmt/format.h>

#include "bilinear.hpp"
#include "engram/core/error.hpp"

namespace engram {

template <class T>
LabelSynapse<T>::LabelSynapse(Mat<T> theta, double lambda)
    : Synapse<T>("LabelSynapse"), lambda_(lambda) {
  ENGRAM_CHECK(theta.rows() > 0 && theta.cols() > 0,
               "LabelSynapse: theta must be non-empty (K x C), got {}x{}", theta.rows(),
               theta.cols());
  check_positive(lambda, "LabelSynapse: lambda");
  ENGRAM_CHECK(lambda <= static_cast<double>(Eigen::NumTraits<T>::highest()),
               "LabelSynapse: lambda = {} does not fit the scalar type", lambda);
  this->add_param("theta", std::move(theta));
}

template <class T>
std::unique_ptr<Synapse<T>> LabelSynapse<T>::clone() const {
  return std::make_unique<LabelSynapse>(*this);
}

template <class T>
std::string LabelSynapse<T>::name() const {
  return fmt::format("label({}x{}, lambda={:g})", theta().rows(), theta().cols(), lambda_);
}

template <class T>
std::vector<Index> LabelSynapse<T>::operand_sizes() const {
  return {theta().rows(), theta().cols()};
}

template <class T>
void LabelSynapse<T>::do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const {
  detail::bilinear_evaluate<T>(theta(), lambda_, xhats[0], xhats[1], energy,
                               grads.empty() ? nullptr : &grads[0],
                               grads.empty() ? nullptr : &grads[1]);
}

template <class T>
std::vector<Mat<T>> LabelSynapse<T>::do_param_grad(Operands<T> xhats) const {
  return {static_cast<T>(-lambda_) * (xhats[0].transpose() * xhats[1])};
}

template <class T>
void LabelSynapse<T>::do_grad_directional(Operands<T>, Operands<T> u, Gradients<T> out) const {
  detail::bilinear_evaluate<T>(theta(), lambda_, u[0], u[1], nullptr, &out[0], &out[1]);
}

template <class T>
std::vector<Mat<T>> LabelSynapse<T>::do_param_grad_directional(Operands<T> xhats,
                                                               Operands<T> u) const {
  // M-35: ∂E/∂Θ = −λ Σ_batch ẑ ŷᵀ moves by −λ Σ_batch (u_z ŷᵀ + ẑ u_yᵀ).
  Mat<T> g = u[0].transpose() * xhats[1];
  g.noalias() += xhats[0].transpose() * u[1];
  return {static_cast<T>(-lambda_) * g};
}

template class LabelSynapse<float>;
template class LabelSynapse<double>;

}  // namespace engram
