#include "engram/analysis/phase_plane.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

namespace {

void check_plane(const VectorField& field, const char* what, int resolution, int minimum) {
  ENGRAM_CHECK(field.dim() == 2, "{}: the field must be 2-D, got {} dimensions", what, field.dim());
  ENGRAM_CHECK(resolution >= minimum && resolution <= 10000,
               "{}: resolution must be in [{}, 10000], got {}", what, minimum, resolution);
}

// Where the linear interpolant between values f0 at p0 and f1 at p1 crosses 0.
Eigen::Vector2d crossing(const Eigen::Vector2d& p0, double f0, const Eigen::Vector2d& p1,
                         double f1) {
  const double s = f0 / (f0 - f1);
  return p0 + s * (p1 - p0);
}

}  // namespace

void PlaneBox::check(const char* what) const {
  ENGRAM_CHECK(std::isfinite(x_lo) && std::isfinite(x_hi) && x_lo < x_hi,
               "{}: x range needs finite lo < hi, got [{}, {}]", what, x_lo, x_hi);
  ENGRAM_CHECK(std::isfinite(y_lo) && std::isfinite(y_hi) && y_lo < y_hi,
               "{}: y range needs finite lo < hi, got [{}, {}]", what, y_lo, y_hi);
}

std::vector<Segment> nullcline(const VectorField& field, int component, const PlaneBox& box,
                               int resolution) {
  check_plane(field, "nullcline", resolution, 2);
  ENGRAM_CHECK(component == 0 || component == 1, "nullcline: component must be 0 or 1, got {}",
               component);
  box.check("nullcline");
  const int n = resolution;
  const double hx = (box.x_hi - box.x_lo) / n, hy = (box.y_hi - box.y_lo) / n;
  auto point = [&](int i, int j) { return Eigen::Vector2d(box.x_lo + i * hx, box.y_lo + j * hy); };
  auto value = [&](const Eigen::Vector2d& p) { return field.rate(p)(component); };
  // Values at the (n + 1)² grid points; a non-finite value leaves its cells out.
  Eigen::MatrixXd f(n + 1, n + 1);
  for (int i = 0; i <= n; ++i)
    for (int j = 0; j <= n; ++j) f(i, j) = value(point(i, j));

  std::vector<Segment> out;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      // Corners counter-clockwise: (i,j), (i+1,j), (i+1,j+1), (i,j+1).
      const Eigen::Vector2d p[4] = {point(i, j), point(i + 1, j), point(i + 1, j + 1),
                                    point(i, j + 1)};
      const double v[4] = {f(i, j), f(i + 1, j), f(i + 1, j + 1), f(i, j + 1)};
      if (!(std::isfinite(v[0]) && std::isfinite(v[1]) && std::isfinite(v[2]) &&
            std::isfinite(v[3])))
        continue;
      std::vector<Eigen::Vector2d> hits;  // crossings on edges 0-1, 1-2, 2-3, 3-0, in order
      for (int e = 0; e < 4; ++e) {
        const int a = e, b = (e + 1) % 4;
        if ((v[a] < 0) != (v[b] < 0)) hits.push_back(crossing(p[a], v[a], p[b], v[b]));
      }
      if (hits.size() == 2) {
        out.push_back({hits[0], hits[1]});
      } else if (hits.size() == 4) {
        // A saddle cell: the centre's sign says which corners the curve separates.
        const double centre = value((p[0] + p[2]) / 2);
        const bool joined_with_first = (centre < 0) == (v[0] < 0);
        if (joined_with_first) {
          out.push_back({hits[0], hits[1]});
          out.push_back({hits[2], hits[3]});
        } else {
          out.push_back({hits[0], hits[3]});
          out.push_back({hits[1], hits[2]});
        }
      }
    }
  return out;
}

Eigen::MatrixXd direction_field(const VectorField& field, const PlaneBox& box, int resolution) {
  check_plane(field, "direction_field", resolution, 1);
  box.check("direction_field");
  const int n = resolution;
  Eigen::MatrixXd out(static_cast<Index>(n) * n, 4);
  Index row = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const double x =
          n == 1 ? (box.x_lo + box.x_hi) / 2 : box.x_lo + (box.x_hi - box.x_lo) * i / (n - 1);
      const double y =
          n == 1 ? (box.y_lo + box.y_hi) / 2 : box.y_lo + (box.y_hi - box.y_lo) * j / (n - 1);
      const Eigen::VectorXd f = field.rate(Eigen::Vector2d(x, y));
      out.row(row++) << x, y, f(0), f(1);
    }
  return out;
}

}  // namespace engram
