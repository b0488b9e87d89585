// The Lyapunov property of SPEC M-04 on random graphs: Euler with a small step never raises the
// energy beyond rounding, and the first step's energy change is −dt Σ_l gᵀ ∇²L_l g / τ_l.
#include <engram/dynamics/relax.hpp>

#include "support/check.hpp"
#include "support/random_graph.hpp"

namespace engram {
namespace {

TEST(RandomGraphs, SmallEulerStepsNeverRaiseTheEnergy) {
  Rng rng(2024);
  int graphs = 0;
  for (; graphs < 250; ++graphs) {
    const EnergyGraph<double> g = test::random_graph(rng);
    State<double> s = test::random_state(g, 3, rng);
    const double scale = 1.0 + g.energy_terms(s).values.cwiseAbs().maxCoeff() *
                                   static_cast<double>(g.layers().size() + g.synapses().size());
    RelaxOptions o;
    o.dt = 1e-3;
    o.max_steps = 60;
    o.tolerance = 0.0;
    o.shrink_on_rise = false;  // the dynamics alone, no step control
    const RelaxResult r = relax(g, s, o);
    ASSERT_TRUE(r.trace.allFinite()) << "graph " << graphs << "\n" << g.to_dot();
    const Eigen::MatrixXd rises = r.trace.bottomRows(r.steps) - r.trace.topRows(r.steps);
    EXPECT_LE(rises.maxCoeff(), 64 * std::numeric_limits<double>::epsilon() * scale)
        << "graph " << graphs << "\n"
        << g.to_dot();
  }
  EXPECT_GE(graphs, 200);
}

TEST(RandomGraphs, FirstStepFollowsTheEnergyDecayRate) {
  // dE/dt = Σ_l (∂E/∂x̂_l) · ∇²L_l dx_l/dt = −Σ_l gᵀ ∇²L_l g / τ_l  (Krotov & Hopfield 2021).
  Rng rng(99);
  for (int trial = 0; trial < 100; ++trial) {
    const EnergyGraph<double> g = test::random_graph(rng);
    State<double> s = test::random_state(g, 2, rng);
    const auto grads = g.grad(s);
    Energies rate = Energies::Zero(2);
    for (std::size_t l = 0; l < s.size(); ++l)
      rate -=
          grads[l].cwiseProduct(g.layers()[l].lagrangian->hvp(s.at(l), grads[l])).rowwise().sum() /
          g.layers()[l].tau;
    RelaxOptions o;
    o.dt = 1e-7;
    o.max_steps = 1;
    o.tolerance = 0.0;
    o.shrink_on_rise = false;
    const RelaxResult r = relax(g, s, o);
    for (Index b = 0; b < 2; ++b) {
      const double observed = (r.trace(1, b) - r.trace(0, b)) / o.dt;
      EXPECT_LE(rate(b), 1e-12);
      EXPECT_NEAR(observed, rate(b),
                  1e-4 * std::abs(rate(b)) + 1e-6 * (1 + std::abs(r.trace(0, b))))
          << "graph " << trial << " sample " << b << "\n"
          << g.to_dot();
    }
  }
}

}  // namespace
}  // namespace engram
