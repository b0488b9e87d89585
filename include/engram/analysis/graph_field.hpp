// GraphField: the dynamics of an energy graph (SPEC M-04) as a vector field for the analysis
// toolkit (M-20..M-26), with its analytic Jacobian and the graph's energy as Lyapunov function.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engram/analysis/vector_field.hpp"
#include "engram/graph.hpp"

namespace engram {

/// The dynamics τ_l dx_l/dt = −∂E/∂x̂_l of an EnergyGraph<double> (M-04) with some layers clamped.
///
/// State: the internal states x_l of the free layers, one sample, concatenated in the graph's
/// layer order (n = Σ_free D_l values); coordinates are named "layer[i]". Clamped layers are held
/// at the given internal states. Then
///   f_l(x)  = −(1/τ_l) ∂E/∂x̂_l = −(1/τ_l)(x_l + Σ_s ∂E_s/∂x̂_l),
///   J       = −diag(1/τ) (I + H_syn · blockdiag(∇²L_l(x_l))),
/// with H_syn the Hessian of the synapse energies in the free activations (Synapse::
/// grad_directional) and ∇²L_l the Lagrangians' Hessians (Lagrangian::hvp), and
///   E(x)    = the graph's energy, ∇_{x_l}E = ∇²L_l(x_l) ∂E/∂x̂_l,
/// so f·∇E = −Σ_l (1/τ_l) gᵀ∇²L_l g ≤ 0: E is a Lyapunov function (convex Lagrangians).
///
///   GraphField field(graph, {{"y", label}});   // y held; the other layers move
///   Trajectory tr = integrate(field, field.free_state(start), 10.0);
///
/// The field holds its own copy of the graph. jacobian() needs every synapse's second derivatives
/// (Synapse::grad_directional): engram's families all have them; one defined elsewhere without
/// them makes jacobian() throw std::logic_error naming it.
class GraphField final : public VectorField {
 public:
  /// `clamped`: layer name → its internal state (D_l finite values). Unknown names, wrong sizes
  /// and a graph with no free layer left are errors naming them.
  explicit GraphField(EnergyGraph<double> graph,
                      std::map<std::string, Eigen::VectorXd> clamped = {});

  Index dim() const override { return dim_; }
  Eigen::VectorXd rate(const Eigen::VectorXd& x) const override;
  bool has_jacobian() const override { return true; }
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& x) const override;
  bool has_energy() const override { return true; }
  double energy(const Eigen::VectorXd& x) const override;
  Eigen::VectorXd energy_gradient(const Eigen::VectorXd& x) const override;
  std::vector<std::string> names() const override;
  std::string description() const override;

  const EnergyGraph<double>& graph() const { return graph_; }
  /// Indices (into graph().layers()) of the free layers, in state order.
  const std::vector<std::size_t>& free_layers() const { return free_; }
  /// Where free layer k's values start in the state vector (same order as free_layers()).
  const std::vector<Index>& offsets() const { return offsets_; }
  const std::map<std::string, Eigen::VectorXd>& clamped() const { return clamped_; }

  /// The graph's state (batch 1) at field state x: free layers from x, clamped ones held.
  State<double> state(const Eigen::VectorXd& x) const;
  /// The field state of sample `sample` of a graph state (the free layers' rows, concatenated).
  Eigen::VectorXd free_state(const State<double>& s, Index sample = 0) const;

 private:
  /// The graph's evaluation at x (activations and ∂E/∂x̂ of every layer).
  void evaluate(const Eigen::VectorXd& x, Evaluation<double>& ev, State<double>& s) const;

  EnergyGraph<double> graph_;
  std::map<std::string, Eigen::VectorXd> clamped_;
  std::vector<std::size_t> free_;
  std::vector<Index> offsets_;
  std::vector<int> free_index_;  // layer → position in free_, or −1 when clamped
  Index dim_ = 0;
};

}  // namespace engram
