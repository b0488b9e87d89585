#include "engram/synapses/cost.hpp"

#include <fmt/format.h>

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

// ---- CostSynapse -----------------------------------------------------------------------------

template <class T>
CostSynapse<T>::CostSynapse(std::string kind, Index dim, double beta)
    : Synapse<T>(std::move(kind)), dim_(dim), beta_(0.0), target_(0, dim > 0 ? dim : 0) {
  ENGRAM_CHECK(dim > 0, "{}: dim must be positive, got {}", this->kind(), dim);
  set_beta(beta);
}

template <class T>
void CostSynapse<T>::set_beta(double beta) {
  ENGRAM_CHECK(std::isfinite(beta), "{}: beta must be finite, got {}", this->kind(), beta);
  beta_ = beta;
}

template <class T>
void CostSynapse<T>::set_target(const MatCRef<T>& target) {
  ENGRAM_CHECK(target.cols() == dim_, "{}::set_target: target must have {} columns, got {}",
               this->kind(), dim_, target.cols());
  check_finite(target, fmt::format("{}::set_target: target", this->kind()));
  target_ = target;
}

template <class T>
void CostSynapse<T>::check_batch(const MatCRef<T>& yhat, const char* who) const {
  ENGRAM_CHECK(yhat.cols() == dim_, "{}::{}: yhat must have {} columns, got {}", this->kind(), who,
               dim_, yhat.cols());
  ENGRAM_CHECK(yhat.rows() == target_.rows(),
               "{}::{}: batch {} but the target was set for batch {}", this->kind(), who,
               yhat.rows(), target_.rows());
}

template <class T>
Energies CostSynapse<T>::cost(const MatCRef<T>& yhat) const {
  check_batch(yhat, "cost");
  return cost_and_grad(yhat, nullptr);
}

template <class T>
void CostSynapse<T>::do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const {
  check_batch(xhats[0], "evaluate");
  const Energies c = cost_and_grad(xhats[0], grads.empty() ? nullptr : &grads[0]);
  if (energy) *energy = beta_ * c;
}

// ---- SquaredErrorCost ------------------------------------------------------------------------

template <class T>
SquaredErrorCost<T>::SquaredErrorCost(Index dim, double beta)
    : CostSynapse<T>("SquaredErrorCost", dim, beta) {}

template <class T>
std::unique_ptr<Synapse<T>> SquaredErrorCost<T>::clone() const {
  return std::make_unique<SquaredErrorCost>(*this);
}

template <class T>
std::string SquaredErrorCost<T>::name() const {
  return fmt::format("squared_error({}, beta={:.6g})", this->operand_sizes()[0], this->beta());
}

template <class T>
Energies SquaredErrorCost<T>::cost_and_grad(const MatCRef<T>& yhat, MatRef<T>* grad) const {
  const Mat<T>& t = this->target();
  Energies c(yhat.rows());
  for (Index b = 0; b < yhat.rows(); ++b) {
    double sum = 0.0;
    for (Index k = 0; k < yhat.cols(); ++k) {
      const double d = static_cast<double>(yhat(b, k)) - static_cast<double>(t(b, k));
      sum += d * d;
    }
    c(b) = 0.5 * sum;
  }
  if (grad) grad->noalias() += static_cast<T>(this->beta()) * (yhat - t);
  return c;
}

template <class T>
void SquaredErrorCost<T>::do_grad_directional(Operands<T> xhats, Operands<T> u,
                                              Gradients<T> out) const {
  this->check_batch(xhats[0], "grad_directional");
  out[0].noalias() += static_cast<T>(this->beta()) * u[0];
}

// ---- CrossEntropyCost ------------------------------------------------------------------------

namespace {

/// softmax of each row, computed in double from the row's maximum; also returns lse per row.
template <class T>
Eigen::MatrixXd softmax_rows(const MatCRef<T>& y, Energies& lse) {
  Eigen::MatrixXd p = y.template cast<double>();
  lse.resize(y.rows());
  for (Index b = 0; b < p.rows(); ++b) {
    const double m = p.row(b).maxCoeff();
    p.row(b) = (p.row(b).array() - m).exp().matrix();
    const double z = p.row(b).sum();
    p.row(b) /= z;
    lse(b) = m + std::log(z);
  }
  return p;
}

}  // namespace

template <class T>
CrossEntropyCost<T>::CrossEntropyCost(Index dim, double beta)
    : CostSynapse<T>("CrossEntropyCost", dim, beta) {}

template <class T>
std::unique_ptr<Synapse<T>> CrossEntropyCost<T>::clone() const {
  return std::make_unique<CrossEntropyCost>(*this);
}

template <class T>
std::string CrossEntropyCost<T>::name() const {
  return fmt::format("cross_entropy({}, beta={:.6g})", this->operand_sizes()[0], this->beta());
}

template <class T>
Energies CrossEntropyCost<T>::cost_and_grad(const MatCRef<T>& yhat, MatRef<T>* grad) const {
  const Eigen::MatrixXd t = this->target().template cast<double>();
  Energies lse;
  const Eigen::MatrixXd p = softmax_rows<T>(yhat, lse);
  const Eigen::VectorXd s = t.rowwise().sum();
  Energies c(yhat.rows());
  for (Index b = 0; b < yhat.rows(); ++b)
    c(b) = s(b) * lse(b) - t.row(b).dot(yhat.row(b).template cast<double>());
  if (grad) {
    const Eigen::MatrixXd g =
        this->beta() * (p.array().colwise() * s.array()).matrix() - this->beta() * t;
    *grad += g.cast<T>();
  }
  return c;
}

template <class T>
void CrossEntropyCost<T>::do_grad_directional(Operands<T> xhats, Operands<T> u,
                                              Gradients<T> out) const {
  this->check_batch(xhats[0], "grad_directional");
  Energies lse;
  const Eigen::MatrixXd p = softmax_rows<T>(xhats[0], lse);
  const Eigen::VectorXd s = this->target().template cast<double>().rowwise().sum();
  const Eigen::MatrixXd ud = u[0].template cast<double>();
  for (Index b = 0; b < p.rows(); ++b) {
    const double pu = p.row(b).dot(ud.row(b));
    for (Index k = 0; k < p.cols(); ++k)
      out[0](b, k) += static_cast<T>(this->beta() * s(b) * p(b, k) * (ud(b, k) - pu));
  }
}

template class CostSynapse<float>;
template class CostSynapse<double>;
template class SquaredErrorCost<float>;
template class SquaredErrorCost<double>;
template class CrossEntropyCost<float>;
template class CrossEntropyCost<double>;

}  // namespace engram
