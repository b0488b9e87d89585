// Shared test helpers: error-message expectations and finite differences in double.
#pragma once

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "engram/core/types.hpp"

/// Expects `statement` to throw `exception` whose what() contains `substring`.
#define EXPECT_THROW_MESSAGE(statement, exception, substring) \
  EXPECT_THAT([&] { statement; },                             \
              ::testing::ThrowsMessage<exception>(::testing::HasSubstr(substring)))

namespace engram::test {

/// Five-point central difference of a scalar function of a matrix along direction d,
///   [−f(x+2hd) + 8f(x+hd) − 8f(x−hd) + f(x−2hd)] / 12h   (truncation O(h⁴)),
/// with its roundoff bound eps · Σ|f| · 18/12h.
struct Difference {
  double value;
  double roundoff;
};

inline Difference central_difference(const std::function<double(const Mat<double>&)>& f,
                                     const Mat<double>& x, const Mat<double>& d, double h) {
  const double f2 = f(x + 2 * h * d), f1 = f(x + h * d), m1 = f(x - h * d), m2 = f(x - 2 * h * d);
  const double eps = std::numeric_limits<double>::epsilon();
  const double mag = std::abs(f2) + 8 * std::abs(f1) + 8 * std::abs(m1) + std::abs(m2);
  return {(-f2 + 8 * f1 - 8 * m1 + m2) / (12 * h), eps * mag / (12 * h)};
}

/// A step for the five-point stencil: eps^(1/5) times the length over which f varies (for a
/// polynomial, ‖x‖∞; for a Lagrangian with inverse temperature β, 1/β).
inline double fd_step(double length) {
  return std::pow(std::numeric_limits<double>::epsilon(), 0.2) * std::max(1.0, length);
}
inline double fd_step(const Mat<double>& x) {
  return fd_step(x.cwiseAbs().maxCoeff());
}

/// Expects analytic ≈ numeric to relative error < rtol, allowing the difference's roundoff.
/// `atol` covers rounding inside f that its final value does not show (e.g. f = a − b with a ≈ b).
inline void expect_derivative(double analytic, const Difference& numeric, double rtol,
                              const std::string& what, double atol = 0.0) {
  const double err = std::abs(analytic - numeric.value);
  const double scale = std::max(std::abs(analytic), std::abs(numeric.value));
  // Below 1e-280 a derivative is zero for every purpose (and subnormal numbers lose digits).
  EXPECT_LE(err, rtol * scale + 10 * numeric.roundoff + atol + 1e-280)
      << what << ": analytic " << analytic << " vs numeric " << numeric.value;
}

/// max |a − b| / max(1, |b|) over all entries.
template <class A, class B>
double max_relative_gap(const A& a, const B& b) {
  return ((a - b).array().abs() / b.array().abs().max(1.0)).maxCoeff();
}

}  // namespace engram::test
