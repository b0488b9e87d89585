#include "engram/analysis/basins.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "engram/io/png.hpp"

namespace engram {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_attractors(const VectorField& field, const std::vector<Eigen::VectorXd>& attractors,
                      const char* caller) {
  ENGRAM_CHECK(!attractors.empty(), "{}: expected at least one attractor", caller);
  for (std::size_t k = 0; k < attractors.size(); ++k)
    field.check_state(attractors[k], fmt::format("{}: attractors[{}]", caller, k));
}

void check_options(const BasinOptions& o, const char* caller) {
  ENGRAM_CHECK(std::isfinite(o.t_max) && o.t_max > 0, "{}: t_max must be positive, got {}", caller,
               o.t_max);
  ENGRAM_CHECK(std::isfinite(o.capture_radius) && o.capture_radius > 0,
               "{}: capture_radius must be positive, got {}", caller, o.capture_radius);
  ENGRAM_CHECK(o.escape_lower.size() == o.escape_upper.size(),
               "{}: escape_lower and escape_upper must have the same size, got {} and {}", caller,
               o.escape_lower.size(), o.escape_upper.size());
}

void check_range(std::array<double, 2> r, const char* caller, const char* what) {
  ENGRAM_CHECK(std::isfinite(r[0]) && std::isfinite(r[1]) && r[0] < r[1],
               "{}: {} must be finite with lo < hi, got [{}, {}]", caller, what, r[0], r[1]);
}

// The label of x0 without re-checking arguments (the callers check them once).
int follow(const VectorField& field, const std::vector<Eigen::VectorXd>& attractors,
           const Eigen::VectorXd& x0, const BasinOptions& options) {
  int label = -1;
  IntegrateOptions o = options.integrate;
  o.record_every = 0.0;  // test every step
  const double r2 = options.capture_radius * options.capture_radius;
  const bool escape = options.escape_lower.size() == x0.size();
  o.stop = [&](double, const Eigen::VectorXd& x) {
    if (escape &&
        ((x - options.escape_lower).minCoeff() < 0 || (options.escape_upper - x).minCoeff() < 0))
      return true;  // left the region: no attractor
    for (std::size_t k = 0; k < attractors.size(); ++k)
      if ((x - attractors[k]).squaredNorm() <= r2) {
        label = static_cast<int>(k);
        return true;
      }
    return false;
  };
  integrate(field, x0, options.t_max, o);
  return label;
}

}  // namespace

int basin_of(const VectorField& field, const std::vector<Eigen::VectorXd>& attractors,
             const Eigen::VectorXd& x0, const BasinOptions& options) {
  check_attractors(field, attractors, "basin_of");
  check_options(options, "basin_of");
  field.check_state(x0, "basin_of: x0");
  return follow(field, attractors, x0, options);
}

BasinMap basin_map(const VectorField& field, const std::vector<Eigen::VectorXd>& attractors,
                   std::array<double, 2> x_range, std::array<double, 2> y_range, Index nx, Index ny,
                   const BasinOptions& options) {
  ENGRAM_CHECK(field.dim() == 2, "basin_map: the field must be 2-D, got dimension {}", field.dim());
  check_attractors(field, attractors, "basin_map");
  check_options(options, "basin_map");
  check_range(x_range, "basin_map", "x_range");
  check_range(y_range, "basin_map", "y_range");
  ENGRAM_CHECK(nx >= 1 && ny >= 1, "basin_map: resolution must be at least 1x1, got {}x{}", nx, ny);
  BasinMap map;
  map.attractors = static_cast<int>(attractors.size());
  auto centres = [](std::array<double, 2> r, Index n) {
    const double h = (r[1] - r[0]) / static_cast<double>(n);
    Eigen::VectorXd c(n);
    for (Index k = 0; k < n; ++k) c(k) = r[0] + (static_cast<double>(k) + 0.5) * h;
    return c;
  };
  map.xs = centres(x_range, nx);
  map.ys = centres(y_range, ny);
  map.labels.resize(ny, nx);
  Eigen::VectorXd x0(2);
  for (Index i = 0; i < ny; ++i)
    for (Index j = 0; j < nx; ++j) {
      x0 << map.xs(j), map.ys(i);
      map.labels(i, j) = follow(field, attractors, x0, options);
    }
  return map;
}

std::array<float, 3> basin_colour(int label) {
  // Matplotlib's tab10 palette: distinct hues that stay apart for colour-blind readers too.
  static constexpr unsigned char kPalette[10][3] = {
      {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
      {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  if (label < 0) return {0.0f, 0.0f, 0.0f};
  const auto& c = kPalette[label % 10];
  return {c[0] / 255.0f, c[1] / 255.0f, c[2] / 255.0f};
}

void write_basin_map(const std::filesystem::path& path, const Eigen::MatrixXi& labels, int scale) {
  ENGRAM_CHECK(labels.size() > 0, "write_basin_map: the labels grid is empty");
  ENGRAM_CHECK(labels.minCoeff() >= -1, "write_basin_map: labels must be >= -1, got {}",
               labels.minCoeff());
  ENGRAM_CHECK(scale >= 1, "write_basin_map: scale must be at least 1, got {}", scale);
  const Index ny = labels.rows(), nx = labels.cols();
  Mat<float> rgb(ny, 3 * nx);
  for (Index i = 0; i < ny; ++i)
    for (Index j = 0; j < nx; ++j) {
      const auto c = basin_colour(labels(ny - 1 - i, j));  // image row 0 is the top: highest y
      for (int ch = 0; ch < 3; ++ch) rgb(i, 3 * j + ch) = c[ch];
    }
  write_png_rgb(path, rgb, 0.0, 1.0, scale);
}

Proportion wilson_interval(int count, int samples, double z) {
  ENGRAM_CHECK(samples >= 1, "wilson_interval: samples must be at least 1, got {}", samples);
  ENGRAM_CHECK(count >= 0 && count <= samples,
               "wilson_interval: count must be in [0, samples = {}], got {}", samples, count);
  check_positive(z, "wilson_interval: z");
  const double n = samples, p = count / n, z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return {count, p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

BasinFractions basin_fractions(const VectorField& field,
                               const std::vector<Eigen::VectorXd>& attractors,
                               const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                               int samples, std::uint64_t seed, const BasinOptions& options) {
  const Index n = field.dim();
  check_attractors(field, attractors, "basin_fractions");
  check_options(options, "basin_fractions");
  ENGRAM_CHECK(lower.size() == n && upper.size() == n,
               "basin_fractions: bounds must have {} values each (the system's dimension), got "
               "lower {} and upper {}",
               n, lower.size(), upper.size());
  check_finite(lower, "basin_fractions: lower");
  check_finite(upper, "basin_fractions: upper");
  ENGRAM_CHECK((lower.array() < upper.array()).all(),
               "basin_fractions: lower must be below upper in every coordinate");
  ENGRAM_CHECK(samples >= 1, "basin_fractions: samples must be at least 1, got {}", samples);

  std::vector<int> counts(attractors.size(), 0);
  int unreached = 0;
  Rng rng(seed);
  Eigen::VectorXd x0(n);
  for (int s = 0; s < samples; ++s) {
    for (Index i = 0; i < n; ++i) x0(i) = rng.real(lower(i), upper(i));
    const int label = follow(field, attractors, x0, options);
    (label < 0 ? unreached : counts[static_cast<std::size_t>(label)]) += 1;
  }
  BasinFractions out;
  out.samples = samples;
  for (int c : counts) out.attractors.push_back(wilson_interval(c, samples));
  out.unreached = wilson_interval(unreached, samples);
  return out;
}

Landscape landscape(const VectorField& field, const std::vector<FixedPoint>& points) {
  Landscape out;
  for (std::size_t k = 0; k < points.size(); ++k)
    field.check_state(points[k].x, fmt::format("landscape: points[{}].x", k));
  out.has_energy =
      field.has_energy() ||
      (!points.empty() &&
       std::all_of(points.begin(), points.end(), [](const FixedPoint& p) { return p.has_energy; }));
  auto energy = [&](const FixedPoint& p) {
    if (!out.has_energy) return kNaN;
    return p.has_energy ? p.energy : field.energy(p.x);
  };
  std::vector<double> ea, es;
  for (std::size_t k = 0; k < points.size(); ++k) {
    const FixedPointKind kind = points[k].kind;
    if (is_attractor(kind)) {
      out.attractors.push_back(static_cast<int>(k));
      ea.push_back(energy(points[k]));
    } else if (kind == FixedPointKind::saddle) {
      out.saddles.push_back(static_cast<int>(k));
      es.push_back(energy(points[k]));
    } else if (kind == FixedPointKind::unstable_node || kind == FixedPointKind::unstable_spiral) {
      ++out.repeller_count;
    }
  }
  out.attractor_count = static_cast<int>(out.attractors.size());
  out.saddle_count = static_cast<int>(out.saddles.size());
  out.energy_gap = out.barrier = kNaN;
  if (!out.has_energy) return out;
  out.attractor_energies = Eigen::Map<const Eigen::VectorXd>(ea.data(), Index(ea.size()));
  out.saddle_energies = Eigen::Map<const Eigen::VectorXd>(es.data(), Index(es.size()));
  if (ea.empty()) return out;
  std::vector<std::size_t> order(ea.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ea[a] < ea[b]; });
  out.deepest = out.attractors[order[0]];
  if (order.size() >= 2) out.energy_gap = ea[order[1]] - ea[order[0]];
  if (!es.empty()) out.barrier = *std::min_element(es.begin(), es.end()) - ea[order[0]];
  return out;
}

}  // namespace engram
