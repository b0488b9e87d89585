#include "engram/analysis/graph_field.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engram/core/error.hpp"

namespace engram {

GraphField::GraphField(EnergyGraph<double> graph, std::map<std::string, Eigen::VectorXd> clamped)
    : graph_(std::move(graph)), clamped_(std::move(clamped)) {
  const auto& layers = graph_.layers();
  ENGRAM_CHECK(!layers.empty(), "GraphField: the graph has no layers");
  for (const auto& [name, value] : clamped_) {
    std::vector<std::string> known;
    for (const auto& l : layers) known.push_back(l.name);
    ENGRAM_CHECK(std::find(known.begin(), known.end(), name) != known.end(),
                 "GraphField: cannot clamp '{}': the graph has no such layer (layers: {})", name,
                 fmt::join(known, ", "));
    const auto& layer = graph_.layer(name);
    ENGRAM_CHECK(value.size() == layer.size,
                 "GraphField: clamped layer '{}' needs {} values, got {}", name, layer.size,
                 value.size());
    check_finite(value, fmt::format("GraphField: clamped layer '{}'", name));
  }
  free_index_.assign(layers.size(), -1);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (clamped_.count(layers[l].name)) continue;
    free_index_[l] = static_cast<int>(free_.size());
    free_.push_back(l);
    offsets_.push_back(dim_);
    dim_ += layers[l].size;
  }
  ENGRAM_CHECK(!free_.empty(), "GraphField: every layer is clamped; nothing is left to move");
}

State<double> GraphField::state(const Eigen::VectorXd& x) const {
  ENGRAM_CHECK(x.size() == dim_, "GraphField::state: expected {} values, got {}", dim_, x.size());
  State<double> s = graph_.zeros(1);
  const auto& layers = graph_.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (free_index_[l] < 0)
      s.at(l) = clamped_.at(layers[l].name).transpose();
    else
      s.at(l) = x.segment(offsets_[free_index_[l]], layers[l].size).transpose();
  }
  return s;
}

Eigen::VectorXd GraphField::free_state(const State<double>& s, Index sample) const {
  graph_.check(s);
  ENGRAM_CHECK(sample >= 0 && sample < s.batch(),
               "GraphField::free_state: sample {} out of range (batch {})", sample, s.batch());
  Eigen::VectorXd x(dim_);
  for (std::size_t k = 0; k < free_.size(); ++k)
    x.segment(offsets_[k], graph_.layers()[free_[k]].size) = s.at(free_[k]).row(sample);
  return x;
}

void GraphField::evaluate(const Eigen::VectorXd& x, Evaluation<double>& ev,
                          State<double>& s) const {
  // Sizes are checked; a non-finite x gives a non-finite rate (integrate reports "diverged").
  ENGRAM_CHECK(x.size() == dim_, "GraphField: expected a state of {} values, got {}", dim_,
               x.size());
  s = state(x);
  graph_.evaluate(s, ev, true);
}

Eigen::VectorXd GraphField::rate(const Eigen::VectorXd& x) const {
  Evaluation<double> ev;
  State<double> s;
  evaluate(x, ev, s);
  Eigen::VectorXd f(dim_);
  for (std::size_t k = 0; k < free_.size(); ++k) {
    const auto& layer = graph_.layers()[free_[k]];
    // M-04: τ_l dx_l/dt = −∂E/∂x̂_l
    f.segment(offsets_[k], layer.size) = -ev.grads[free_[k]].row(0).transpose() / layer.tau;
  }
  return f;
}

Eigen::MatrixXd GraphField::jacobian(const Eigen::VectorXd& x) const {
  Evaluation<double> ev;
  State<double> s;
  evaluate(x, ev, s);
  const auto& layers = graph_.layers();
  const std::size_t L = layers.size();
  // Column r of J is the change of f along e_r. Batched: row r of U_l is the change of x̂_l along
  // e_r, i.e. a row of ∇²L_l(x_l) for the layer holding unit r and 0 elsewhere (clamped layers
  // never move); the synapses then give H_syn u for all n directions at once.
  std::vector<Mat<double>> X(L), U(L), G(L);
  for (std::size_t l = 0; l < L; ++l) {
    X[l] = ev.xhats[l].replicate(dim_, 1);
    U[l] = Mat<double>::Zero(dim_, layers[l].size);
    G[l] = Mat<double>::Zero(dim_, layers[l].size);
  }
  for (std::size_t k = 0; k < free_.size(); ++k) {
    const std::size_t l = free_[k];
    const Index D = layers[l].size;
    const Mat<double> xs = s.at(l).replicate(D, 1);
    // ∇²L is symmetric: row r of hvp(x, I) is its column r.
    U[l].middleRows(offsets_[k], D) = layers[l].lagrangian->hvp(xs, Mat<double>::Identity(D, D));
  }
  std::vector<MatCRef<double>> xs, us;
  for (const auto& c : graph_.synapses()) {
    xs.clear();
    us.clear();
    for (std::size_t l : c.layers) {
      xs.emplace_back(X[l]);
      us.emplace_back(U[l]);
    }
    std::vector<Mat<double>> h = c.synapse->grad_directional(xs, us);
    for (std::size_t k = 0; k < c.layers.size(); ++k) G[c.layers[k]] += h[k];
  }
  // J = −diag(1/τ)(I + H_syn · blockdiag(∇²L)).
  Eigen::MatrixXd J(dim_, dim_);
  for (std::size_t k = 0; k < free_.size(); ++k) {
    const auto& layer = layers[free_[k]];
    auto rows = J.middleRows(offsets_[k], layer.size);
    rows = G[free_[k]].transpose();
    rows.middleCols(offsets_[k], layer.size).diagonal().array() += 1.0;
    rows /= -layer.tau;
  }
  return J;
}

double GraphField::energy(const Eigen::VectorXd& x) const {
  Evaluation<double> ev;
  State<double> s = state(x);
  graph_.evaluate(s, ev, false);
  return ev.total(0);
}

Eigen::VectorXd GraphField::energy_gradient(const Eigen::VectorXd& x) const {
  Evaluation<double> ev;
  State<double> s;
  evaluate(x, ev, s);
  // ∂E/∂x_l = ∇²L_l(x_l) ∂E/∂x̂_l (x̂ depends on x_l alone; ∂E_neuron/∂x̂ = x is included).
  Eigen::VectorXd g(dim_);
  for (std::size_t k = 0; k < free_.size(); ++k) {
    const auto& layer = graph_.layers()[free_[k]];
    g.segment(offsets_[k], layer.size) =
        layer.lagrangian->hvp(s.at(free_[k]), ev.grads[free_[k]]).row(0).transpose();
  }
  return g;
}

std::vector<std::string> GraphField::names() const {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(dim_));
  for (std::size_t l : free_)
    for (Index i = 0; i < graph_.layers()[l].size; ++i)
      out.push_back(fmt::format("{}[{}]", graph_.layers()[l].name, i));
  return out;
}

std::string GraphField::description() const {
  std::vector<std::string> moving, held;
  for (std::size_t l : free_)
    moving.push_back(fmt::format("{} ({})", graph_.layers()[l].name, graph_.layers()[l].size));
  for (const auto& [name, value] : clamped_) held.push_back(name);
  return fmt::format("energy graph dynamics: free {}{}", fmt::join(moving, ", "),
                     held.empty() ? "" : fmt::format("; clamped {}", fmt::join(held, ", ")));
}

}  // namespace engram
