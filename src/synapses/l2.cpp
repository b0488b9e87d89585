#include "engram/synapses/l2.hpp"

#include <fmt/format.h>

#include "bilinear.hpp"
#include "engram/core/error.hpp"

namespace engram {

template <class T>
L2Synapse<T>::L2Synapse(Mat<T> theta) : Synapse<T>("L2Synapse") {
  ENGRAM_CHECK(theta.rows() > 0 && theta.cols() > 0,
               "L2Synapse: theta must be non-empty (K x D), got {}x{}", theta.rows(), theta.cols());
  this->add_param("theta", std::move(theta));
  params_changed();
}

template <class T>
void L2Synapse<T>::params_changed() {
  theta_sq_norms_ = theta().template cast<double>().rowwise().squaredNorm();
}

template <class T>
std::unique_ptr<Synapse<T>> L2Synapse<T>::clone() const {
  return std::make_unique<L2Synapse>(*this);
}

template <class T>
std::string L2Synapse<T>::name() const {
  return fmt::format("l2({}x{})", theta().rows(), theta().cols());
}

template <class T>
std::vector<Index> L2Synapse<T>::operand_sizes() const {
  return {theta().cols(), theta().rows()};
}

template <class T>
void L2Synapse<T>::do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const {
  const MatCRef<T>& x = xhats[0];  // B × D
  const MatCRef<T>& z = xhats[1];  // B × K
  const Eigen::VectorXd x_sq = x.template cast<double>().rowwise().squaredNorm();
  if (energy || !grads.empty()) {
    // d²(b, μ) = ‖θ_μ‖² − 2 x̂_b·θ_μ + ‖x̂_b‖²
    Eigen::MatrixXd d2 = -2.0 * (x * theta().transpose()).template cast<double>();
    d2.rowwise() += theta_sq_norms_.transpose();
    d2.colwise() += x_sq;
    if (energy) {
      for (Index b = 0; b < x.rows(); ++b)
        (*energy)(b) = 0.5 * z.row(b).template cast<double>().dot(d2.row(b)) - 0.5 * x_sq(b);
    }
    if (!grads.empty()) {
      // ∂E/∂x̂ = (Σ_μ ẑ_μ − 1) x̂ − ẑ θ ;  ∂E/∂ẑ = ½ d²
      const Vec<T> z_mass = z.rowwise().sum().array() - T(1);
      grads[0] += z_mass.asDiagonal() * x;
      grads[0].noalias() -= z * theta();
      grads[1] += (0.5 * d2).template cast<T>();
    }
  }
}

template <class T>
void L2Synapse<T>::do_grad_directional(Operands<T> xhats, Operands<T> u, Gradients<T> out) const {
  const MatCRef<T>& x = xhats[0];  // B × D
  const MatCRef<T>& z = xhats[1];  // B × K
  const Vec<T> z_mass = z.rowwise().sum().array() - T(1);
  const Vec<T> u_mass = u[1].rowwise().sum();
  out[0] += u_mass.asDiagonal() * x;
  out[0] += z_mass.asDiagonal() * u[0];
  out[0].noalias() -= u[1] * theta();
  // ∂E/∂ẑ_μ = ½‖θ_μ − x̂‖² moves by x̂·u_x − θ_μ·u_x.
  const Vec<T> xu = x.cwiseProduct(u[0]).rowwise().sum();
  out[1].colwise() += xu;
  out[1].noalias() -= u[0] * theta().transpose();
}

template <class T>
std::vector<Mat<T>> L2Synapse<T>::do_param_grad(Operands<T> xhats) const {
  const MatCRef<T>& x = xhats[0];
  const MatCRef<T>& z = xhats[1];
  // ∂E/∂θ_μ = (Σ_b ẑ_bμ) θ_μ − Σ_b ẑ_bμ x̂_b
  const Vec<T> z_mass = z.colwise().sum().transpose();
  Mat<T> g = z_mass.asDiagonal() * theta();
  g.noalias() -= z.transpose() * x;
  return {std::move(g)};
}

template <class T>
std::vector<Mat<T>> L2Synapse<T>::do_param_grad_directional(Operands<T> xhats,
                                                            Operands<T> u) const {
  // M-35: ∂E/∂θ_μ = Σ_b ẑ_bμ (θ_μ − x̂_b) moves by Σ_b u_zbμ (θ_μ − x̂_b) − Σ_b ẑ_bμ u_xb.
  const Vec<T> u_mass = u[1].colwise().sum().transpose();
  Mat<T> g = u_mass.asDiagonal() * theta();
  g.noalias() -= u[1].transpose() * xhats[0];
  g.noalias() -= xhats[1].transpose() * u[0];
  return {std::move(g)};
}

template class L2Synapse<float>;
template class L2Synapse<double>;

}  // namespace engram
