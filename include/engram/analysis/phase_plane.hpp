// The phase plane of a 2-D vector field (SPEC M-24, `engram analyze`): nullclines as line segments
// and a direction field on a grid, the data a phase portrait is drawn from.
#pragma once

#include <vector>

#include "engram/analysis/vector_field.hpp"

namespace engram {

/// A rectangle [x_lo, x_hi] × [y_lo, y_hi] of the plane, x_lo < x_hi and y_lo < y_hi.
struct PlaneBox {
  double x_lo = -1, x_hi = 1, y_lo = -1, y_hi = 1;
  /// Throws std::invalid_argument naming `what` unless the bounds are finite and ordered.
  void check(const char* what) const;
};

/// A piece of a curve, from a to b.
struct Segment {
  Eigen::Vector2d a, b;
};

/// The nullcline f_component(x, y) = 0 of a 2-D field inside `box`, as segments: marching squares
/// on a resolution × resolution grid of cells, each zero crossing on a cell edge placed by linear
/// interpolation (ambiguous cells resolved by the value at the cell centre). Throws unless the
/// field is 2-D, component is 0 or 1, and resolution ≥ 2.
std::vector<Segment> nullcline(const VectorField& field, int component, const PlaneBox& box,
                               int resolution = 200);

/// The direction field on a resolution × resolution grid of points: one row (x, y, f_x, f_y) per
/// point, row-major over y then x (resolution² rows).
Eigen::MatrixXd direction_field(const VectorField& field, const PlaneBox& box, int resolution = 20);

}  // namespace engram
