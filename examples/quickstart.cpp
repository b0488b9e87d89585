// The first program to read: a Dense Associative Memory as an energy graph, relaxed by Euler.
#include <fmt/format.h>
#include <engram/engram.hpp>

using namespace engram;

int main() {
  const Index K = 100, D = 30;
  Mat<double> Xi = Rng(55).uniform<double>(K, D);  // one stored pattern per row
  EnergyGraph<double> g;
  g.add_layer("v", {D}, Sigmoid<double>(1.0 / (2 * D)))          // visible neurons
      .add_layer("m", {K}, Softmax<double>(1.0))                 // memory neurons
      .add_synapse("xi", {"m", "v"}, DenseSynapse<double>(Xi));  // E_S = -m̂ᵀ Ξ v̂
  State<double> s = g.zeros(1);
  s["v"] = Rng(3).uniform<double>(1, D);
  RelaxOptions o;
  o.dt = 0.01;
  o.max_steps = 5000;
  const RelaxResult r = relax(g, s, o);  // r.trace, r.converged, r.energy
  fmt::print("energy {:.6f} -> {:.6f} in {} steps, converged: {}\n", r.trace(0, 0), r.energy(0),
             r.steps, r.converged);
}
