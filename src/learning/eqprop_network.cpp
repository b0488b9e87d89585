// EqPropNetwork: the layered energy graph, its free and nudged phases and the EqProp gradient
// estimate (SPEC M-31).
#include <fmt/format.h>

#include <cmath>

#include "engram/core/error.hpp"
#include "engram/dynamics/relax.hpp"
#include "engram/learning/eqprop.hpp"
#include "engram/neurons.hpp"
#include "engram/synapses.hpp"

namespace engram {

namespace {

std::string hidden_name(std::size_t l, std::size_t layers) {
  if (l == 0) return "x";
  if (l + 1 == layers) return "y";
  return fmt::format("h{}", l);
}

template <class T>
LagrangianPtr<T> activation_of(const std::string& name) {
  if (name == "sigmoid") return std::make_shared<const Sigmoid<T>>(1.0);
  return std::make_shared<const HardSigmoid<T>>();
}

template <class T>
SynapsePtr<T> cost_of(CostKind cost, Index dim) {
  if (cost == CostKind::cross_entropy) return std::make_unique<CrossEntropyCost<T>>(dim);
  return std::make_unique<SquaredErrorCost<T>>(dim);
}

template <class T>
CostSynapse<T>& cost_synapse(EnergyGraph<T>& g) {
  return dynamic_cast<CostSynapse<T>&>(g.synapse("cost"));
}

}  // namespace

template <class T>
EqPropNetwork<T>::EqPropNetwork(const EqPropOptions& options, Rng& rng) : options_(options) {
  options_.check();
  const std::vector<Index>& D = options_.sizes;
  const std::size_t L = D.size();
  graph_.add_layer("x", {D[0]}, Identity<T>());
  for (std::size_t l = 1; l < L; ++l) {
    graph_.add_layer(hidden_name(l, L), {D[l]}, activation_of<T>(options_.activation));
    free_.add_layer(hidden_name(l, L), {D[l]}, activation_of<T>(options_.activation));
  }
  free_.add_synapse("field", {hidden_name(1, L)}, FieldSynapse<T>(D[1]));
  for (std::size_t l = 1; l < L; ++l) {
    const double a = std::sqrt(6.0 / static_cast<double>(D[l - 1] + D[l]));
    Mat<T> W = rng.uniform<T>(D[l - 1], D[l], -a, a);
    const std::string below = hidden_name(l - 1, L), here = hidden_name(l, L);
    const std::string w = fmt::format("W{}", l), b = fmt::format("b{}", l);
    if (l > 1) free_.add_synapse(w, {below, here}, DenseSynapse<T>(W));
    graph_.add_synapse(w, {below, here}, DenseSynapse<T>(std::move(W)));
    graph_.add_synapse(b, {here}, BiasSynapse<T>(Mat<T>::Zero(1, D[l])));
    free_.add_synapse(b, {here}, BiasSynapse<T>(Mat<T>::Zero(1, D[l])));
  }
  graph_.add_synapse("cost", {"y"}, cost_of<T>(options_.cost, D[L - 1]));
  free_.add_synapse("cost", {"y"}, cost_of<T>(options_.cost, D[L - 1]));
}

template <class T>
EnergyGraph<T> EqPropNetwork<T>::network_graph() const {
  EnergyGraph<T> g;
  for (const auto& layer : graph_.layers())
    g.add_layer(layer.name, layer.shape, layer.lagrangian, layer.tau);
  for (const auto& c : graph_.synapses()) {
    if (c.name == "cost") continue;
    std::vector<std::string> names;
    for (std::size_t l : c.layers) names.push_back(graph_.layers()[l].name);
    g.add_synapse(c.name, names, c.synapse->clone());
  }
  return g;
}

template <class T>
std::vector<std::string> EqPropNetwork<T>::param_names() const {
  std::vector<std::string> names;
  for (std::size_t l = 1; l < options_.sizes.size(); ++l) {
    names.push_back(fmt::format("W{}", l));
    names.push_back(fmt::format("b{}", l));
  }
  return names;
}

template <class T>
std::vector<Mat<T>> EqPropNetwork<T>::params() const {
  std::vector<Mat<T>> out;
  for (const std::string& name : param_names()) out.push_back(graph_.synapse(name).param(0));
  return out;
}

template <class T>
void EqPropNetwork<T>::set_params(const std::vector<Mat<T>>& params) {
  const std::vector<std::string> names = param_names();
  ENGRAM_CHECK(params.size() == names.size(),
               "EqPropNetwork::set_params: expected {} tensors, got {}", names.size(),
               params.size());
  for (std::size_t k = 0; k < names.size(); ++k) {
    const Mat<T>& old = graph_.synapse(names[k]).param(0);
    check_shape(params[k], old.rows(), old.cols(), fmt::format("EqPropNetwork: {}", names[k]));
    check_finite(params[k], fmt::format("EqPropNetwork: {}", names[k]));
  }
  for (std::size_t k = 0; k < names.size(); ++k) {
    graph_.synapse(names[k]).set_param(0, params[k]);
    if (names[k] != "W1") free_.synapse(names[k]).set_param(0, params[k]);
  }
  if (x_.rows() > 0)  // the field depends on W1
    dynamic_cast<FieldSynapse<T>&>(free_.synapse("field"))
        .set_field(Mat<T>(x_ * graph_.synapse("W1").param(0)));
}

template <class T>
void EqPropNetwork<T>::set_batch(const MatCRef<T>& x, const MatCRef<T>& targets) {
  const Index out = options_.sizes.back();
  check_shape(x, x.rows(), options_.sizes.front(), "EqPropNetwork: x (B x input size)");
  ENGRAM_CHECK(x.rows() > 0, "EqPropNetwork: x must have at least one row");
  check_finite(x, "EqPropNetwork: x");
  ENGRAM_CHECK(targets.rows() == 0 || targets.rows() == x.rows(),
               "EqPropNetwork: targets must have {} rows (one per input) or 0, got {}", x.rows(),
               targets.rows());
  check_shape(targets, targets.rows(), out, "EqPropNetwork: targets (B x output size)");
  x_ = x;
  dynamic_cast<FieldSynapse<T>&>(free_.synapse("field"))
      .set_field(Mat<T>(x_ * graph_.synapse("W1").param(0)));  // M-31: constant while x is held
  const Mat<T> t = targets.rows() == 0 ? Mat<T>(Mat<T>::Zero(x.rows(), out)) : Mat<T>(targets);
  cost_synapse(free_).set_target(t);
  cost_synapse(graph_).set_target(t);
}

template <class T>
Mat<T> EqPropNetwork<T>::one_hot(const std::vector<int>& labels) const {
  check_labels(labels, static_cast<Index>(labels.size()), "one_hot");
  Mat<T> t = Mat<T>::Zero(static_cast<Index>(labels.size()), options_.sizes.back());
  for (std::size_t b = 0; b < labels.size(); ++b) t(static_cast<Index>(b), labels[b]) = T(1);
  return t;
}

template <class T>
void EqPropNetwork<T>::check_labels(const std::vector<int>& labels, Index rows,
                                    const char* who) const {
  ENGRAM_CHECK(static_cast<Index>(labels.size()) == rows,
               "EqPropNetwork::{}: expected {} labels (one per row), got {}", who, rows,
               labels.size());
  const Index classes = options_.sizes.back();
  for (std::size_t b = 0; b < labels.size(); ++b)
    ENGRAM_CHECK(labels[b] >= 0 && labels[b] < classes,
                 "EqPropNetwork::{}: label {} at index {} is out of range [0, {})", who, labels[b],
                 b, classes);
}

template <class T>
void EqPropNetwork<T>::set_beta(double beta) {
  cost_synapse(free_).set_beta(beta);
  cost_synapse(graph_).set_beta(beta);
}

template <class T>
void EqPropNetwork<T>::euler(State<T>& state, int steps, Eigen::MatrixXd* trace) {
  // M-04 with τ = 1: x_l ← x_l − ε ∂E/∂x̂_l for every free layer, E from the graph.
  const T dt = static_cast<T>(options_.dt);
  if (trace) trace->resize(steps + 1, state.batch());
  for (int k = 0; k < steps; ++k) {
    free_.evaluate(state, ev_, true);
    if (trace) trace->row(k) = ev_.total.transpose();
    for (std::size_t l = 0; l < state.size(); ++l) state.at(l).noalias() -= dt * ev_.grads[l];
  }
  if (trace) {
    free_.evaluate(state, ev_, false);
    trace->row(steps) = ev_.total.transpose();
  }
}

template <class T>
State<T> EqPropNetwork<T>::free_phase(std::optional<int> steps, Eigen::MatrixXd* trace) {
  ENGRAM_CHECK(x_.rows() > 0, "EqPropNetwork::free_phase: call set_batch first");
  const int n = steps.value_or(options_.free_steps);
  ENGRAM_CHECK(n >= 0, "EqPropNetwork::free_phase: steps must be >= 0, got {}", n);
  set_beta(0.0);
  State<T> state = free_.zeros(x_.rows());
  euler(state, n, trace);
  return state;
}

template <class T>
void EqPropNetwork<T>::nudged_phase(State<T>& state, double beta, std::optional<int> steps,
                                    Eigen::MatrixXd* trace) {
  ENGRAM_CHECK(x_.rows() > 0, "EqPropNetwork::nudged_phase: call set_batch first");
  ENGRAM_CHECK(std::isfinite(beta), "EqPropNetwork::nudged_phase: beta must be finite, got {}",
               beta);
  const int n = steps.value_or(options_.nudged_steps);
  ENGRAM_CHECK(n >= 0, "EqPropNetwork::nudged_phase: steps must be >= 0, got {}", n);
  free_.check(state);
  set_beta(beta);
  euler(state, n, trace);
  set_beta(0.0);
}

template <class T>
void EqPropNetwork<T>::relax_to(State<T>& state, double beta, double tol, int max_steps) {
  ENGRAM_CHECK(x_.rows() > 0, "EqPropNetwork::relax_to: call set_batch first");
  set_beta(beta);
  RelaxOptions o;
  o.dt = options_.dt;
  o.max_steps = max_steps;
  o.tolerance = tol;
  o.record_trace = false;
  relax(free_, state, o);
  set_beta(0.0);
}

template <class T>
std::vector<Mat<T>> EqPropNetwork<T>::energy_param_grads(const State<T>& state) const {
  // ∂E/∂θ from the whole graph's synapses, at x̂ of the input and of the free layers.
  free_.check(state);
  ENGRAM_CHECK(state.batch() == x_.rows(), "EqPropNetwork: state batch {} but input batch {}",
               state.batch(), x_.rows());
  std::vector<Mat<T>> xhats{x_};
  const std::vector<Mat<T>> free_hats = free_.activations(state);
  xhats.insert(xhats.end(), free_hats.begin(), free_hats.end());
  std::vector<Mat<T>> out;
  for (std::size_t l = 1; l < xhats.size(); ++l) {
    const Synapse<T>& W = graph_.synapse(fmt::format("W{}", l));
    const Synapse<T>& b = graph_.synapse(fmt::format("b{}", l));
    out.push_back(std::move(W.param_grad({xhats[l - 1], xhats[l]})[0]));
    out.push_back(std::move(b.param_grad({xhats[l]})[0]));
  }
  return out;
}

template <class T>
double EqPropNetwork<T>::cost(const State<T>& state) const {
  const auto& c = dynamic_cast<const CostSynapse<T>&>(free_.synapse("cost"));
  return c.cost(free_.layers().back().lagrangian->activation(state.at(state.size() - 1))).mean();
}

template <class T>
std::vector<Mat<T>> EqPropNetwork<T>::energy_param_grad_difference(const State<T>& a,
                                                                   const State<T>& b) const {
  free_.check(a);
  free_.check(b);
  ENGRAM_CHECK(a.batch() == x_.rows() && b.batch() == x_.rows(),
               "EqPropNetwork: state batches {} and {} but input batch {}", a.batch(), b.batch(),
               x_.rows());
  const std::vector<Mat<T>> ha = free_.activations(a), hb = free_.activations(b);
  std::vector<Mat<T>> out;
  const Mat<T> dh1 = ha[0] - hb[0];  // −x̂ᵀĥ1(a) + x̂ᵀĥ1(b) = −x̂ᵀ(ĥ1(a) − ĥ1(b))
  out.push_back(std::move(graph_.synapse("W1").param_grad({x_, dh1})[0]));
  out.push_back(std::move(graph_.synapse("b1").param_grad({dh1})[0]));
  for (std::size_t l = 2; l < options_.sizes.size(); ++l) {
    const Synapse<T>& W = graph_.synapse(fmt::format("W{}", l));
    const Synapse<T>& bias = graph_.synapse(fmt::format("b{}", l));
    out.push_back(W.param_grad({ha[l - 2], ha[l - 1]})[0] -
                  W.param_grad({hb[l - 2], hb[l - 1]})[0]);
    out.push_back(bias.param_grad({ha[l - 1]})[0] - bias.param_grad({hb[l - 1]})[0]);
  }
  return out;
}

template <class T>
std::vector<Mat<T>> EqPropNetwork<T>::gradient_estimate(State<T>* free_state,
                                                        std::optional<double> beta_arg) {
  const double beta = beta_arg.value_or(options_.beta);
  ENGRAM_CHECK(std::isfinite(beta) && beta != 0.0,
               "EqPropNetwork::gradient_estimate: beta must be finite and non-zero, got {}", beta);
  State<T> s0 = free_phase();
  // (1/β)(∂E/∂θ(β) − ∂E/∂θ(0)), or (1/2β)(∂E/∂θ(β) − ∂E/∂θ(−β)); averaged over the batch.
  const T scale = static_cast<T>(
      1.0 / (static_cast<double>(x_.rows()) * (options_.symmetric ? 2.0 * beta : beta)));
  State<T> plus = s0;
  nudged_phase(plus, beta);
  State<T> minus = s0;
  if (options_.symmetric) nudged_phase(minus, -beta);
  std::vector<Mat<T>> g = energy_param_grad_difference(plus, minus);
  for (Mat<T>& gk : g) gk *= scale;
  if (free_state) *free_state = std::move(s0);
  return g;
}

template class EqPropNetwork<float>;
template class EqPropNetwork<double>;

}  // namespace engram
