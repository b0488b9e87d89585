// M-26: continuous attractors (lines, rings of fixed points) recognised in a list of fixed points.
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "engram/analysis/attractors.hpp"
#include "engram/core/error.hpp"

namespace engram {

namespace {

struct Candidate {
  int index;  // into the caller's list
  Eigen::VectorXd x;
  Eigen::VectorXd null;  // unit eigenvector of the zero eigenvalue
  bool attracting;
};

// The fixed points with exactly one zero eigenvalue, with its (real) eigenvector.
std::vector<Candidate> candidates(const VectorField& field, const std::vector<FixedPoint>& points,
                                  double zero_tol) {
  std::vector<Candidate> out;
  for (std::size_t k = 0; k < points.size(); ++k) {
    const Eigen::EigenSolver<Eigen::MatrixXd> eig(jacobian_at(field, points[k].x));
    const Eigen::VectorXcd lambda = eig.eigenvalues();
    const double eps = zero_tol * std::max(1.0, lambda.cwiseAbs().maxCoeff());
    int zeros = 0;
    Index z = 0;
    bool attracting = true;
    for (Index i = 0; i < lambda.size(); ++i) {
      if (std::abs(lambda(i)) <= eps) {
        ++zeros;
        z = i;
      } else if (lambda(i).real() >= -eps) {
        attracting = false;
      }
    }
    if (zeros != 1) continue;
    const Eigen::VectorXd v = eig.eigenvectors().col(z).real();  // real for a real eigenvalue
    out.push_back({static_cast<int>(k), points[k].x, v.normalized(), attracting});
  }
  return out;
}

// Prim's minimum spanning tree: parent[i] and the length of the edge to it (parent −1 at root).
void spanning_tree(const std::vector<Candidate>& c, std::vector<int>& parent,
                   std::vector<double>& length) {
  const std::size_t m = c.size();
  parent.assign(m, -1);
  length.assign(m, std::numeric_limits<double>::infinity());
  std::vector<bool> in(m, false);
  length[0] = 0;
  for (std::size_t step = 0; step < m; ++step) {
    std::size_t u = m;
    for (std::size_t i = 0; i < m; ++i)
      if (!in[i] && (u == m || length[i] < length[u])) u = i;
    in[u] = true;
    for (std::size_t i = 0; i < m; ++i) {
      const double d = (c[i].x - c[u].x).norm();
      if (!in[i] && d < length[i]) {
        length[i] = d;
        parent[i] = static_cast<int>(u);
      }
    }
  }
}

void check(const VectorField& field, const std::vector<FixedPoint>& points,
           const ContinuousAttractorOptions& o) {
  for (std::size_t k = 0; k < points.size(); ++k)
    field.check_state(points[k].x, fmt::format("continuous_attractor: points[{}].x", k));
  for (const auto& [value, name] : {std::pair{o.zero_tol, "zero_tol"},
                                    {o.link_distance, "link_distance"},
                                    {o.residual_tol, "residual_tol"}})
    ENGRAM_CHECK(std::isfinite(value) && value >= 0,
                 "continuous_attractor: {} must be >= 0, got {}", name, value);
  check_positive(o.shape_tol, "continuous_attractor: shape_tol");
  ENGRAM_CHECK(o.min_points >= 2, "continuous_attractor: min_points must be at least 2, got {}",
               o.min_points);
  ENGRAM_CHECK(o.min_alignment >= 0 && o.min_alignment <= 1,
               "continuous_attractor: min_alignment must be in [0, 1], got {}", o.min_alignment);
}

}  // namespace

ContinuousAttractor continuous_attractor(const VectorField& field,
                                         const std::vector<FixedPoint>& points,
                                         const ContinuousAttractorOptions& o) {
  check(field, points, o);
  ContinuousAttractor out;
  const std::vector<Candidate> all = candidates(field, points, o.zero_tol);
  if (static_cast<int>(all.size()) < o.min_points) {
    out.reason = fmt::format("{} of {} fixed points have a single zero eigenvalue (min_points {})",
                             all.size(), points.size(), o.min_points);
    return out;
  }

  // Neighbours: single linkage, i.e. the spanning tree cut at the link distance.
  std::vector<int> parent;
  std::vector<double> length;
  spanning_tree(all, parent, length);
  std::vector<double> edges(length.begin() + 1, length.end());
  std::nth_element(edges.begin(), edges.begin() + edges.size() / 2, edges.end());
  // Random samples of a curve leave exponentially distributed gaps: the largest of N is about
  // (ln N + 3) / ln 2 times the median, hence the factor growing with ln N.
  const double factor = std::max(10.0, 3 * (std::log(static_cast<double>(all.size())) + 1));
  out.link_distance = o.link_distance > 0 ? o.link_distance : factor * edges[edges.size() / 2];
  std::vector<int> root(all.size());
  std::iota(root.begin(), root.end(), 0);
  std::function<int(int)> find = [&](int i) { return root[i] == i ? i : root[i] = find(root[i]); };
  for (std::size_t i = 1; i < all.size(); ++i)
    if (length[i] <= out.link_distance) root[find(static_cast<int>(i))] = find(parent[i]);
  std::vector<int> size(all.size(), 0);
  for (std::size_t i = 0; i < all.size(); ++i) ++size[find(static_cast<int>(i))];
  const int biggest = static_cast<int>(std::max_element(size.begin(), size.end()) - size.begin());
  std::vector<int> family;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (find(static_cast<int>(i)) == biggest) family.push_back(static_cast<int>(i));
  if (static_cast<int>(family.size()) < o.min_points) {
    out.reason = fmt::format("the largest connected family has {} fixed points (min_points {})",
                             family.size(), o.min_points);
    return out;
  }

  // A continuum has fixed points between neighbours too: the root solver started at the middle
  // of each link must land close by.
  double longest = 0.0;  // the longest link inside the family
  for (int i : family) {
    if (parent[i] < 0 || length[i] > out.link_distance) continue;
    longest = std::max(longest, length[i]);
    const Eigen::VectorXd mid = (all[i].x + all[parent[i]].x) / 2;
    const Refinement r = refine_fixed_point(field, mid, o.residual_tol);
    if (!r.converged || (r.x - mid).norm() > length[i] / 4) {
      out.reason = fmt::format(
          "no fixed point between points {} and {}: isolated fixed points, not a continuum",
          all[i].index, all[parent[i]].index);
      return out;
    }
  }

  // The zero mode must point along the family: a small step δ along it, refined back onto the
  // fixed points, must stay where it went (d ≈ δv, so |d·v| / max(δ, ‖d‖) ≈ 1), while at an
  // isolated point the solver falls back (d ≈ 0).
  out.alignment = 1.0;
  out.attracting = true;
  const double delta = 1e-3 * out.link_distance;
  for (int i : family) {
    const Candidate& c = all[i];
    const Refinement r = refine_fixed_point(field, c.x + delta * c.null, o.residual_tol);
    const Eigen::VectorXd d = r.x - c.x;
    const double cos = r.converged ? std::abs(d.dot(c.null)) / std::max(delta, d.norm()) : 0.0;
    out.alignment = std::min(out.alignment, cos);
    out.attracting = out.attracting && c.attracting;
  }
  if (out.alignment < o.min_alignment) {
    out.reason =
        fmt::format("the zero-eigenvalue direction is not along the family (|cos| {:.3f} < {})",
                    out.alignment, o.min_alignment);
    return out;
  }

  // Its shape, from the principal axes of the whole family.
  const Index m = static_cast<Index>(family.size()), n = field.dim();
  Eigen::MatrixXd P(m, n);
  for (Index k = 0; k < m; ++k) P.row(k) = all[family[k]].x.transpose();
  const Eigen::RowVectorXd mean = P.colwise().mean();
  const Eigen::MatrixXd centred = P.rowwise() - mean;
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinV);
  const Eigen::VectorXd sv = svd.singularValues();
  std::vector<double> key(static_cast<std::size_t>(m));
  if (n == 1 || sv(1) <= o.shape_tol * sv(0)) {
    out.shape = "line";
    out.direction = svd.matrixV().col(0);
    for (Index k = 0; k < m; ++k) key[k] = centred.row(k).dot(out.direction);
  } else {
    const Eigen::MatrixXd uv = centred * svd.matrixV().leftCols(2);
    // Kåsa's circle fit: u² + v² = 2au + 2bv + c in least squares, R² = c + a² + b².
    Eigen::MatrixXd A(m, 3);
    A << 2 * uv, Eigen::VectorXd::Ones(m);
    const Eigen::Vector3d abc = A.colPivHouseholderQr().solve(uv.rowwise().squaredNorm());
    const Eigen::Vector2d c2(abc(0), abc(1));
    const double R = std::sqrt(abc(2) + c2.squaredNorm());
    const double spread =
        ((uv.rowwise() - c2.transpose()).rowwise().norm().array() - R).abs().maxCoeff();
    const bool planar = n == 2 || sv(2) <= o.shape_tol * sv(0);
    if (planar && std::isfinite(R) && spread <= o.shape_tol * R) {
      out.centre = mean.transpose() + svd.matrixV().leftCols(2) * c2;
      out.radius = R;
      for (Index k = 0; k < m; ++k) key[k] = std::atan2(uv(k, 1) - c2(1), uv(k, 0) - c2(0));
      std::vector<double> angles = key;
      std::sort(angles.begin(), angles.end());
      double gap = angles.front() + 2 * M_PI - angles.back(), cut = angles.front();
      for (std::size_t k = 1; k < angles.size(); ++k)
        if (angles[k] - angles[k - 1] > gap) {
          gap = angles[k] - angles[k - 1];
          cut = angles[k];
        }
      // The spanning tree of a circle's points leaves out the largest gap: closed when that gap
      // is no wider than a link or twice the longest link.
      out.shape = gap * R <= std::max(out.link_distance, 2 * longest) ? "ring" : "arc";
      for (double& a : key) a = a < cut ? a + 2 * M_PI : a;  // an arc starts after its gap
    } else {
      out.shape = "curve";
      for (Index k = 0; k < m; ++k) key[k] = centred.row(k).dot(svd.matrixV().col(0));
    }
  }
  std::vector<Index> order(static_cast<std::size_t>(m));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](Index a, Index b) { return key[a] < key[b]; });
  out.points.resize(m, n);
  for (Index k = 0; k < m; ++k) {
    out.members.push_back(all[family[order[k]]].index);
    out.points.row(k) = P.row(order[k]);
  }
  out.found = true;
  return out;
}

}  // namespace engram
