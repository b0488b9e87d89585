#include "engram/models/bipartite_memory.hpp"

#include "engram/core/error.hpp"
#include "engram/neurons/sigmoid.hpp"
#include "engram/synapses/dense.hpp"

namespace engram {

template <class T>
EnergyGraph<T> bipartite_memory_graph(const Mat<T>& Xi, LagrangianPtr<T> memory,
                                      LagrangianPtr<T> visible) {
  ENGRAM_CHECK(Xi.rows() > 0 && Xi.cols() > 0,
               "bipartite_memory_graph: Xi must be non-empty (K x D), got {}x{}", Xi.rows(),
               Xi.cols());
  const Index K = Xi.rows(), D = Xi.cols();
  if (!visible) visible = std::make_shared<const Sigmoid<T>>(1.0 / (2.0 * static_cast<double>(D)));
  EnergyGraph<T> graph;
  graph.add_layer("v", {D}, std::move(visible))
      .add_layer("m", {K}, std::move(memory))
      .add_synapse("xi", {"m", "v"}, DenseSynapse<T>(Xi));
  return graph;
}

template EnergyGraph<float> bipartite_memory_graph(const Mat<float>&, LagrangianPtr<float>,
                                                   LagrangianPtr<float>);
template EnergyGraph<double> bipartite_memory_graph(const Mat<double>&, LagrangianPtr<double>,
                                                    LagrangianPtr<double>);

}  // namespace engram
