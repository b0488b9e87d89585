#include "engram/core/rng.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

template <class T>
Mat<T> Rng::uniform(Index rows, Index cols, double lo, double hi) {
  ENGRAM_CHECK(rows >= 0 && cols >= 0, "Rng::uniform: negative size {}x{}", rows, cols);
  ENGRAM_CHECK(lo < hi, "Rng::uniform: need lo < hi, got [{}, {})", lo, hi);
  std::uniform_real_distribution<double> dist(lo, hi);
  Mat<T> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) {
    T v;
    do v = static_cast<T>(dist(engine_));  // a double just below hi may round up to hi in float
    while (v >= static_cast<T>(hi));
    m.data()[i] = v;
  }
  return m;
}

template <class T>
Mat<T> Rng::normal(Index rows, Index cols, double mean, double stddev) {
  ENGRAM_CHECK(rows >= 0 && cols >= 0, "Rng::normal: negative size {}x{}", rows, cols);
  check_positive(stddev, "Rng::normal: stddev");
  std::normal_distribution<double> dist(mean, stddev);
  Mat<T> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(dist(engine_));
  return m;
}

double Rng::real(double lo, double hi) {
  ENGRAM_CHECK(lo < hi, "Rng::real: need lo < hi, got [{}, {})", lo, hi);
  return std::uniform_real_distribution<double>(lo, hi)(engine_);
}

Index Rng::index(Index n) {
  ENGRAM_CHECK(n > 0, "Rng::index: n must be positive, got {}", n);
  return std::uniform_int_distribution<Index>(0, n - 1)(engine_);
}

template Mat<float> Rng::uniform<float>(Index, Index, double, double);
template Mat<double> Rng::uniform<double>(Index, Index, double, double);
template Mat<float> Rng::normal<float>(Index, Index, double, double);
template Mat<double> Rng::normal<double>(Index, Index, double, double);

}  // namespace engram
