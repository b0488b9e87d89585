// Gradients through the unrolled dynamics (SPEC M-35) against a closed form and against central
// differences of the loss of the unrolled run, on random graphs in double.
#include <engram/graph.hpp>
#include <engram/neurons.hpp>
#include <engram/synapses.hpp>

#include "engram/core/rng.hpp"
#include "engram/learning/through_dynamics.hpp"
#include "support/check.hpp"
#include "support/random_graph.hpp"

namespace engram {
namespace {

using test::central_difference;
using test::expect_derivative;

TEST(ThroughDynamics, MatchesTheClosedFormOfALinearRelaxation) {
  // E = ½x² − b x on an identity layer: x_T = b + (1 − h)^T (x_0 − b) with h = dt/τ, so for
  // ℓ = ½(x_T − t)²: ∂ℓ/∂x_0 = (x_T − t)(1 − h)^T and ∂ℓ/∂b = (x_T − t)(1 − (1 − h)^T).
  const double dt = 0.3, tau = 1.5, b = 0.7, x0 = -0.4, target = 0.2;
  const int steps = 6;
  EnergyGraph<double> g;
  g.add_layer("x", {1}, Identity<double>(), tau)
      .add_synapse("b", {"x"}, BiasSynapse<double>(Mat<double>::Constant(1, 1, b)));
  State<double> s = g.zeros(1);
  s["x"](0, 0) = x0;
  const UnrollOptions o{dt, steps, {}};
  const auto r = gradient_through_dynamics<double>(
      g, s, o, {{"x", LossKind::squared_error, Mat<double>::Constant(1, 1, target)}});
  const double q = std::pow(1.0 - dt / tau, steps);
  const double xT = b + q * (x0 - b);
  EXPECT_NEAR(r.final["x"](0, 0), xT, 1e-14);
  EXPECT_NEAR(r.loss, 0.5 * (xT - target) * (xT - target), 1e-14);
  EXPECT_NEAR(r.grad.initial[0](0, 0), (xT - target) * q, 1e-14);
  EXPECT_NEAR(r.grad.params[0][0](0, 0), (xT - target) * (1.0 - q), 1e-14);
}

/// A random graph of smooth layers (no ReLU kink) with every synapse family, memories included.
EnergyGraph<double> smooth_graph(Rng& rng) {
  static const int families[] = {0, 1, 2, 3, 5, 6};
  EnergyGraph<double> g;
  const Index num_layers = 2 + rng.index(3);
  for (Index l = 0; l < num_layers; ++l)
    g.add_layer(fmt::format("l{}", l), {1 + rng.index(4)},
                test::lagrangian_family(families[rng.index(6)], rng.real(0.5, 2.0)),
                rng.real(0.5, 2.0));
  const Index num_synapses = 2 + rng.index(4);
  for (Index s = 0; s < num_synapses; ++s) {
    const std::size_t a = rng.index(num_layers);
    std::size_t b = rng.index(num_layers);
    while (b == a) b = rng.index(num_layers);
    const Index na = g.layers()[a].size, nb = g.layers()[b].size;
    const std::string name = fmt::format("s{}", s), la = g.layers()[a].name,
                      lb = g.layers()[b].name;
    const double w = 0.5 / std::sqrt(static_cast<double>(na + nb));
    switch (rng.index(7)) {
      case 0:
        g.add_synapse(name, {la, lb}, DenseSynapse<double>(rng.normal<double>(na, nb, 0, w)));
        break;
      case 1:
        g.add_synapse(name, {la, lb}, L2Synapse<double>(rng.uniform<double>(nb, na)));
        break;
      case 2: {
        Mat<double> W = rng.normal<double>(na, na, 0, w);
        W = (0.5 * (W + W.transpose())).eval();
        W.diagonal().setZero();
        g.add_synapse(name, {la}, RecurrentSynapse<double>(W));
        break;
      }
      case 3:
        g.add_synapse(name, {la}, BiasSynapse<double>(rng.normal<double>(1, na)));
        break;
      case 4:
        g.add_synapse(name, {la, lb},
                      LabelSynapse<double>(rng.uniform<double>(na, nb, 0, w), rng.real(0.5, 2.0)));
        break;
      case 5:
        g.add_synapse(name, {la},
                      MemorySynapse<double>(rng.normal<double>(3, na, 0, w),
                                            Interaction::log_sum_exp(rng.real(0.5, 2.0))));
        break;
      default:
        g.add_synapse(
            name, {la},
            MemorySynapse<double>(rng.normal<double>(3, na, 0, w), Interaction::polynomial(3)));
    }
  }
  return g;
}

/// Losses on the last layer (squared error) and, where one is softmax or sigmoid, cross-entropy.
std::vector<LayerLoss<double>> some_losses(const EnergyGraph<double>& g, Index batch, Rng& rng) {
  std::vector<LayerLoss<double>> losses;
  const auto& last = g.layers().back();
  losses.push_back({last.name, LossKind::squared_error, rng.normal<double>(batch, last.size)});
  for (const auto& layer : g.layers())
    if (layer.lagrangian->kind() == "softmax" || layer.lagrangian->kind() == "sigmoid") {
      losses.push_back(
          {layer.name, LossKind::cross_entropy, rng.uniform<double>(batch, layer.size)});
      break;
    }
  return losses;
}

double unrolled_loss(const EnergyGraph<double>& g, const State<double>& x0, const UnrollOptions& o,
                     const std::vector<LayerLoss<double>>& losses) {
  return final_loss(g, unroll(g, x0, o).back(), losses).value;
}

TEST(ThroughDynamics, MatchesCentralDifferencesOnRandomGraphs) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Rng rng(seed);
    EnergyGraph<double> g = smooth_graph(rng);
    const Index batch = 2;
    const State<double> x0 = test::random_state(g, batch, rng, 0.7);
    UnrollOptions o{0.15, 5, {}};
    if (seed % 2 == 0) o.clamped.push_back(g.layers().front().name);
    const auto losses = some_losses(g, batch, rng);
    const auto r = gradient_through_dynamics(g, x0, o, losses);
    EXPECT_NEAR(r.loss, unrolled_loss(g, x0, o, losses), 1e-12 * (1 + std::abs(r.loss)));
    // Initial states, one layer at a time along a random direction.
    for (std::size_t l = 0; l < g.layers().size(); ++l) {
      const Mat<double> d = rng.normal<double>(batch, g.layers()[l].size);
      auto f = [&](const Mat<double>& x) {
        State<double> s = x0;
        s.at(l) = x;
        return unrolled_loss(g, s, o, losses);
      };
      expect_derivative(r.grad.initial[l].cwiseProduct(d).sum(),
                        central_difference(f, x0.at(l), d, 1e-3), 1e-6,
                        fmt::format("seed {} layer {}", seed, g.layers()[l].name), 1e-9);
    }
    // Every parameter of every synapse.
    for (std::size_t s = 0; s < g.synapses().size(); ++s) {
      Synapse<double>& syn = g.synapse(g.synapses()[s].name);
      for (std::size_t k = 0; k < syn.num_params(); ++k) {
        const Mat<double> theta = syn.param(k);
        Mat<double> d = rng.normal<double>(theta.rows(), theta.cols());
        if (syn.kind() == "RecurrentSynapse") {
          d = (0.5 * (d + d.transpose())).eval();
          d.diagonal().setZero();
        }
        auto f = [&](const Mat<double>& p) {
          syn.set_param(k, p);
          return unrolled_loss(g, x0, o, losses);
        };
        const auto numeric = central_difference(f, theta, d, 1e-3);
        syn.set_param(k, theta);
        expect_derivative(r.grad.params[s][k].cwiseProduct(d).sum(), numeric, 1e-6,
                          fmt::format("seed {} synapse {} ({}) param {}", seed, s, syn.name(), k),
                          1e-9);
      }
    }
  }
}

/// pixels (clamped, identity) – dense – memories (tanh) – dense – labels (softmax), with biases.
template <class T>
EnergyGraph<T> classifier_graph(std::uint64_t seed) {
  Rng rng(seed);
  EnergyGraph<T> g;
  g.add_layer("v", {4}, Identity<T>())
      .add_layer("h", {5}, Tanh<T>(1.5), 0.5)
      .add_layer("y", {3}, Softmax<T>(1.0))
      .add_synapse("W", {"h", "v"}, DenseSynapse<T>(rng.normal<double>(5, 4, 0, 0.5).cast<T>()))
      .add_synapse("U", {"h", "y"}, DenseSynapse<T>(rng.normal<double>(5, 3, 0, 0.5).cast<T>()))
      .add_synapse("b", {"h"}, BiasSynapse<T>(rng.normal<double>(1, 5, 0, 0.3).cast<T>()));
  return g;
}

TEST(ThroughDynamics, HoldsClampedLayersAndAgreesInFloat) {
  const EnergyGraph<double> g = classifier_graph<double>(4);
  const EnergyGraph<float> gf = classifier_graph<float>(4);
  Rng rng(9);
  State<double> x0 = g.zeros(3);
  x0["v"] = rng.uniform<double>(3, 4);
  State<float> x0f = gf.zeros(3);
  x0f["v"] = x0["v"].cast<float>();
  const UnrollOptions o{0.2, 8, {"v"}};
  const auto traj = unroll(g, x0, o);
  ASSERT_EQ(traj.size(), 9u);
  for (const auto& s : traj) EXPECT_EQ(s["v"], x0["v"]);
  Mat<double> t = Mat<double>::Zero(3, 3);
  t(0, 0) = t(1, 2) = t(2, 1) = 1.0;
  const auto r = gradient_through_dynamics<double>(g, x0, o, {{"y", LossKind::cross_entropy, t}});
  const auto rf = gradient_through_dynamics<float>(
      gf, x0f, o, {{"y", LossKind::cross_entropy, t.cast<float>()}});
  EXPECT_NEAR(rf.loss, r.loss, 1e-4 * (1 + r.loss));
  for (std::size_t s = 0; s < r.grad.params.size(); ++s)
    EXPECT_LT(test::max_relative_gap(rf.grad.params[s][0].cast<double>(), r.grad.params[s][0]),
              1e-4)
        << "synapse " << s;
  EXPECT_LT(test::max_relative_gap(rf.grad.initial[0].cast<double>(), r.grad.initial[0]), 1e-4);
}

TEST(ThroughDynamics, RejectsBadInput) {
  Rng rng(3);
  const EnergyGraph<double> g = smooth_graph(rng);
  const State<double> x0 = test::random_state(g, 2, rng);
  const std::string last = g.layers().back().name;
  const std::vector<LayerLoss<double>> ok{
      {last, LossKind::squared_error, Mat<double>::Zero(2, g.layers().back().size)}};
  EXPECT_THROW_MESSAGE(unroll(g, x0, UnrollOptions{0.0, 3, {}}), std::invalid_argument,
                       "dt must be finite and > 0");
  EXPECT_THROW_MESSAGE(unroll(g, x0, UnrollOptions{0.1, 0, {}}), std::invalid_argument,
                       "steps must be >= 1");
  EXPECT_THROW_MESSAGE(unroll(g, x0, UnrollOptions{0.1, 2, {"nope"}}), std::invalid_argument,
                       "nope");
  EXPECT_THROW_MESSAGE(gradient_through_dynamics<double>(
                           g, x0, {}, {{last, LossKind::squared_error, Mat<double>::Zero(3, 1)}}),
                       std::invalid_argument, "target: expected shape");
  EXPECT_THROW_MESSAGE(
      gradient_through_dynamics<double>(g, x0, {},
                                        {{last, LossKind::cross_entropy,
                                          Mat<double>::Constant(2, g.layers().back().size, -1.0)}}),
      std::invalid_argument, "must be >= 0");
  const auto traj = unroll(g, x0, UnrollOptions{0.1, 3, {}});
  const auto grad = final_loss(g, traj.back(), ok).grad;
  EXPECT_THROW_MESSAGE(backpropagate(g, traj, UnrollOptions{0.1, 4, {}}, grad),
                       std::invalid_argument, "steps + 1 = 5 states, got 4");
  EXPECT_THROW_MESSAGE(parse_loss_kind("hinge"), std::invalid_argument, "unknown loss \"hinge\"");
  EXPECT_EQ(parse_loss_kind(to_string(LossKind::cross_entropy)), LossKind::cross_entropy);
}

TEST(ThroughDynamics, CrossEntropyOfASoftmaxLayerIsStable) {
  // Logits so far apart that x̂ underflows: the loss and gradient still come out finite and
  // equal to the log-softmax closed form β(x̂ − t) / -(βx_t − lse).
  EnergyGraph<float> g;
  g.add_layer("y", {3}, Softmax<float>(2.0));
  State<float> s = g.zeros(1);
  s["y"] << 0.f, 100.f, -100.f;
  Mat<float> t(1, 3);
  t << 1.f, 0.f, 0.f;
  const auto loss = final_loss<float>(g, s, {{"y", LossKind::cross_entropy, t}});
  EXPECT_NEAR(loss.value, 200.0, 1e-3);
  EXPECT_NEAR(loss.grad[0](0, 0), -2.0, 1e-5);
  EXPECT_NEAR(loss.grad[0](0, 1), 2.0, 1e-5);
  EXPECT_NEAR(loss.grad[0](0, 2), 0.0, 1e-5);
}

}  // namespace
}  // namespace engram
