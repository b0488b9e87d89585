#include "engram/synapses/field.hpp"

#include <fmt/format.h>

#include "bilinear.hpp"
#include "engram/core/error.hpp"

namespace engram {

template <class T>
FieldSynapse<T>::FieldSynapse(Index dim) : Synapse<T>("FieldSynapse"), dim_(dim), field_(0, dim) {
  ENGRAM_CHECK(dim > 0, "FieldSynapse: dim must be positive, got {}", dim);
}

template <class T>
std::unique_ptr<Synapse<T>> FieldSynapse<T>::clone() const {
  return std::make_unique<FieldSynapse>(*this);
}

template <class T>
std::string FieldSynapse<T>::name() const {
  return fmt::format("field({})", dim_);
}

template <class T>
void FieldSynapse<T>::set_field(Mat<T> u) {
  ENGRAM_CHECK(u.cols() == dim_, "FieldSynapse::set_field: u must have {} columns, got {}", dim_,
               u.cols());
  check_finite(u, "FieldSynapse::set_field: u");
  field_ = std::move(u);
}

template <class T>
void FieldSynapse<T>::do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const {
  const MatCRef<T>& x = xhats[0];
  ENGRAM_CHECK(x.rows() == field_.rows(),
               "FieldSynapse::evaluate: batch {} but the field was set for batch {}", x.rows(),
               field_.rows());
  if (energy) *energy = -detail::rowwise_dot<T>(x, field_);
  if (!grads.empty()) grads[0] -= field_;
}

template class FieldSynapse<float>;
template class FieldSynapse<double>;

}  // namespace engram
