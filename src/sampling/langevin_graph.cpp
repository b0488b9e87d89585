// Langevin on an energy graph's internal states (SPEC M-34), with clamped layers.
#include <algorithm>
#include <memory>

#include "engram/core/error.hpp"
#include "engram/sampling/langevin.hpp"

namespace engram {

namespace {

/// Indices of the free layers, after checking every clamped name exists.
template <class T>
std::vector<std::size_t> free_layers(const EnergyGraph<T>& graph,
                                     const std::vector<std::string>& clamped) {
  for (const std::string& name : clamped) {
    const auto& ls = graph.layers();
    const bool known =
        std::any_of(ls.begin(), ls.end(), [&](const auto& l) { return l.name == name; });
    ENGRAM_CHECK(known, "langevin: clamped layer '{}' is not a layer of the graph", name);
  }
  std::vector<std::size_t> free;
  for (std::size_t i = 0; i < graph.layers().size(); ++i)
    if (std::find(clamped.begin(), clamped.end(), graph.layers()[i].name) == clamped.end())
      free.push_back(i);
  ENGRAM_CHECK(!free.empty(), "langevin: every layer of the graph is clamped: nothing to sample");
  return free;
}

}  // namespace

template <class T>
Mat<T> free_states(const EnergyGraph<T>& graph, const State<T>& state,
                   const std::vector<std::string>& clamped) {
  graph.check(state);
  const std::vector<std::size_t> free = free_layers(graph, clamped);
  Index D = 0;
  for (std::size_t i : free) D += graph.layers()[i].size;
  Mat<T> x(state.batch(), D);
  Index col = 0;
  for (std::size_t i : free) {
    const Index d = graph.layers()[i].size;
    x.middleCols(col, d) = state.at(i);
    col += d;
  }
  return x;
}

// The energy as a function of the internal states. A layer contributes x̂·x − L(x) with x̂ = ∇L(x):
// its x-gradient is ∇²L(x)·x + x̂ − ∇L(x) = ∇²L(x)·x. A synapse term E_s(x̂, ...) depends on x_l
// only through x̂_l = ∇L_l(x_l), so by the chain rule its x-gradient is ∇²L_l(x_l)·∂E_s/∂x̂_l (the
// Hessian is symmetric). Together ∇_{x_l} E = ∇²L_l(x_l)·(x_l + Σ_s ∂E_s/∂x̂_l) =
// ∇²L_l(x_l)·∂E/∂x̂_l, one Hessian-vector product of the graph's own gradient (Evaluation::grads).
template <class T>
EnergyFunction<T> graph_energy_function(const EnergyGraph<T>& graph, const State<T>& state,
                                        const std::vector<std::string>& clamped) {
  graph.check(state);
  auto free = std::make_shared<const std::vector<std::size_t>>(free_layers(graph, clamped));
  auto work = std::make_shared<State<T>>(state);
  auto eval = std::make_shared<Evaluation<T>>();
  return [&graph, free, work, eval](const MatCRef<T>& x, MatRef<T> grad) -> Energies {
    Index col = 0;
    for (std::size_t i : *free) {
      const Index d = graph.layers()[i].size;
      work->at(i) = x.middleCols(col, d);
      col += d;
    }
    ENGRAM_CHECK(col == x.cols(), "langevin: graph states of {} columns, the free layers have {}",
                 x.cols(), col);
    graph.evaluate(*work, *eval, true);
    col = 0;
    for (std::size_t i : *free) {
      const Index d = graph.layers()[i].size;
      graph.layers()[i].lagrangian->hvp(work->at(i), eval->grads[i], grad.middleCols(col, d));
      col += d;
    }
    return eval->total;
  };
}

namespace {

template <class T>
void write_back(const EnergyGraph<T>& graph, State<T>& state,
                const std::vector<std::string>& clamped, LangevinResult<T>& out) {
  Index col = 0;
  for (std::size_t i : free_layers(graph, clamped)) {
    const Index d = graph.layers()[i].size;
    state.at(i) = out.x.middleCols(col, d);
    out.layers.push_back(graph.layers()[i].name);
    col += d;
  }
}

}  // namespace

template <class T>
LangevinResult<T> langevin(const EnergyGraph<T>& graph, State<T>& state,
                           const LangevinOptions& options, Rng& rng) {
  const Mat<T> x0 = free_states(graph, state, options.clamped);
  LangevinResult<T> out =
      langevin(graph_energy_function(graph, state, options.clamped), x0, options, rng);
  write_back(graph, state, options.clamped, out);
  return out;
}

template <class T>
LangevinResult<T> annealed_langevin(const EnergyGraph<T>& graph, State<T>& state,
                                    const AnnealSchedule& schedule, const LangevinOptions& options,
                                    Rng& rng) {
  const Mat<T> x0 = free_states(graph, state, options.clamped);
  LangevinResult<T> out = annealed_langevin(graph_energy_function(graph, state, options.clamped),
                                            x0, schedule, options, rng);
  write_back(graph, state, options.clamped, out);
  return out;
}

#define ENGRAM_INSTANTIATE(T)                                                                   \
  template Mat<T> free_states(const EnergyGraph<T>&, const State<T>&,                           \
                              const std::vector<std::string>&);                                 \
  template EnergyFunction<T> graph_energy_function(const EnergyGraph<T>&, const State<T>&,      \
                                                   const std::vector<std::string>&);            \
  template LangevinResult<T> langevin(const EnergyGraph<T>&, State<T>&, const LangevinOptions&, \
                                      Rng&);                                                    \
  template LangevinResult<T> annealed_langevin(                                                 \
      const EnergyGraph<T>&, State<T>&, const AnnealSchedule&, const LangevinOptions&, Rng&);
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram
