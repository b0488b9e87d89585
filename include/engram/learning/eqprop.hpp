// Equilibrium propagation (SPEC M-31; Scellier & Bengio 2017, Laborieux et al. 2021): a layered
// energy network relaxed with its input clamped (free phase), then with β·C added to the energy
// (nudged phase); ∂C/∂θ ≈ (1/β)(∂E/∂θ(nudged) − ∂E/∂θ(free)), or (1/2β)(∂E/∂θ(+β) − ∂E/∂θ(−β)).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"
#include "engram/graph.hpp"

namespace engram {

/// The cost the output is nudged by (and the baseline is trained on).
enum class CostKind { squared_error, cross_entropy };
/// "squared" or "cross_entropy".
std::string to_string(CostKind cost);
/// The inverse of to_string; throws std::invalid_argument naming the accepted names.
CostKind parse_cost_kind(std::string_view name);

/// Layer sizes, Lagrangian, cost, and the training hyperparameters shared by the EqProp network
/// and its backprop baseline.
struct EqPropOptions {
  std::vector<Index> sizes{784, 500, 10};   ///< input, hidden..., output (≥ 2 layers, each > 0)
  std::string activation = "hard_sigmoid";  ///< "hard_sigmoid" or "sigmoid" (β = 1)
  CostKind cost = CostKind::squared_error;
  double beta = 1.0;         ///< nudging strength β ≠ 0 (finite)
  bool symmetric = true;     ///< ±β (Laborieux et al. 2021); false: one-sided β
  bool random_sign = false;  ///< one-sided: draw the sign of β per batch (Scellier & Bengio 2017)
  double dt = 0.5;           ///< Euler step ε of x ← x − ε ∂E/∂x̂ (in (0, 1])
  int free_steps = 20;       ///< Euler steps of the free phase, from x = 0
  int nudged_steps = 4;      ///< Euler steps of each nudged phase, from the free state
  std::vector<double> learning_rates{0.1, 0.05};  ///< one per weight layer (W_l and b_l), > 0
  Index batch = 20;                               ///< mini-batch size

  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// What one pass over a data set measured.
struct EpochStats {
  double error = 0.0;  ///< fraction misclassified (argmax of ŷ at the free state ≠ label)
  double cost = 0.0;   ///< mean C at the free state
};

/// M-31: the layered network as an EnergyGraph: layers "x" (input, identity, clamped), "h1".."hk",
/// "y" (hard-sigmoid or sigmoid); DenseSynapse "W1".."W{k+1}" between consecutive layers
/// (E = −x̂_{l−1}ᵀ W_l x̂_l), BiasSynapse "b1".."b{k+1}" on the non-input layers, and the cost
/// synapse "cost" (β·C, synapses/cost.hpp) on "y".
///
/// Relaxation runs on free_graph(): the same graph without the clamped input layer, whose drive
/// x̂ W1 enters as a FieldSynapse "field" on "h1" computed once per batch; its energy equals
/// graph()'s minus the constant ½‖x‖² of the input layer, so its gradients are exactly graph()'s.
/// States are free_graph() states (layers "h1".."y").
template <class T>
class EqPropNetwork {
 public:
  /// Glorot-uniform weights U(±√(6/(D_in + D_out))), zero biases, drawn from `rng`.
  EqPropNetwork(const EqPropOptions& options, Rng& rng);

  const EqPropOptions& options() const { return options_; }
  const EnergyGraph<T>& graph() const { return graph_; }
  const EnergyGraph<T>& free_graph() const { return free_; }
  /// graph() without the cost synapse: the trained network alone, every synapse registered, so
  /// io/graph_file.hpp can save it.
  EnergyGraph<T> network_graph() const;

  /// Sets the clamped input x (B × D_0, finite) and the targets (B × D_out, or 0 rows for none):
  /// the field x̂ W1 and the cost's target. Every phase below uses the last batch set.
  void set_batch(const MatCRef<T>& x, const MatCRef<T>& targets);
  /// One-hot targets of `labels` (each < D_out), B × D_out.
  Mat<T> one_hot(const std::vector<int>& labels) const;

  /// Free phase: `steps` Euler steps (default options().free_steps) with β = 0 from x = 0.
  /// `trace`, when given, receives the energy of every sample before and after every step.
  State<T> free_phase(std::optional<int> steps = {}, Eigen::MatrixXd* trace = nullptr);
  /// Nudged phase: `steps` Euler steps (default options().nudged_steps) with β·C, from `state`.
  void nudged_phase(State<T>& state, double beta, std::optional<int> steps = {},
                    Eigen::MatrixXd* trace = nullptr);
  /// Relaxes `state` with the cost at β by engram's relax() to relative tolerance `tol`.
  void relax_to(State<T>& state, double beta, double tol, int max_steps);

  /// ∂(Σ_b E)/∂θ at `state` for W1, b1, W2, b2, ... (the order of param_names()).
  std::vector<Mat<T>> energy_param_grads(const State<T>& state) const;
  /// ∂(Σ_b E)/∂θ(a) − ∂(Σ_b E)/∂θ(b) for two states of the current batch; the first layer's
  /// terms, bilinear in the clamped x̂ and ĥ1, come from one param_grad call at ĥ1(a) − ĥ1(b).
  std::vector<Mat<T>> energy_param_grad_difference(const State<T>& a, const State<T>& b) const;
  /// The EqProp estimate of ∂(mean_b C)/∂θ for the current batch (free, then nudged phases) with
  /// nudging `beta` (default options().beta). Returns the free state in `free_state` if given.
  std::vector<Mat<T>> gradient_estimate(State<T>* free_state = nullptr,
                                        std::optional<double> beta = {});
  /// Mean C over the batch at `state` (β-independent).
  double cost(const State<T>& state) const;

  /// One SGD step on a batch (labels each < D_out); returns the free phase's stats.
  EpochStats train_batch(const MatCRef<T>& x, const std::vector<int>& labels, Rng& rng);
  /// One epoch over `images` (N × D_0) with `labels` in a shuffled order; `progress` gets the
  /// number of examples done after every batch.
  EpochStats train_epoch(const MatCRef<T>& images, const std::vector<int>& labels, Rng& rng,
                         const std::function<void(Index)>& progress = {});
  /// Argmax of ŷ at the free state, per row of `x`.
  std::vector<int> predict(const MatCRef<T>& x);
  /// Error and mean cost over a data set (free phase only), in batches.
  EpochStats evaluate(const MatCRef<T>& images, const std::vector<int>& labels);

  /// "W1", "b1", "W2", "b2", ...
  std::vector<std::string> param_names() const;
  std::vector<Mat<T>> params() const;
  /// Replaces every parameter (same names, shapes, finite), in both graphs.
  void set_params(const std::vector<Mat<T>>& params);

 private:
  void euler(State<T>& state, int steps, Eigen::MatrixXd* trace);
  void set_beta(double beta);
  void check_labels(const std::vector<int>& labels, Index rows, const char* who) const;

  EqPropOptions options_;
  EnergyGraph<T> graph_;  ///< the whole network, input layer included
  EnergyGraph<T> free_;   ///< the free layers, the input folded into "field"
  Mat<T> x_;              ///< the clamped input of the current batch
  Evaluation<T> ev_;      ///< buffers reused by every step
};

}  // namespace engram
