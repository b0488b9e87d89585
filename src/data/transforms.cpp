#include "engram/data/transforms.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

template <class T>
Mat<T> binarize(const MatCRef<T>& x, double threshold) {
  ENGRAM_CHECK(std::isfinite(threshold), "binarize: threshold must be finite, got {}", threshold);
  // NaN would silently become −1; Inf compares fine.
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < x.cols(); ++j)
      ENGRAM_CHECK(!std::isnan(x(i, j)), "binarize: x contains NaN at ({}, {})", i, j);
  const T t = static_cast<T>(threshold);
  return (x.array() >= t)
      .select(Mat<T>::Ones(x.rows(), x.cols()), Mat<T>::Constant(x.rows(), x.cols(), T(-1)));
}

template <class T>
Mat<T> to_bipolar(const MatCRef<T>& x) {
  return (T(2) * x.array() - T(1)).matrix();
}

template <class T>
Mat<T> from_bipolar(const MatCRef<T>& s) {
  return ((s.array() + T(1)) / T(2)).matrix();
}

template Mat<float> binarize<float>(const MatCRef<float>&, double);
template Mat<double> binarize<double>(const MatCRef<double>&, double);
template Mat<float> to_bipolar<float>(const MatCRef<float>&);
template Mat<double> to_bipolar<double>(const MatCRef<double>&);
template Mat<float> from_bipolar<float>(const MatCRef<float>&);
template Mat<double> from_bipolar<double>(const MatCRef<double>&);

}  // namespace engram
