// The two-layer associative memory of seed 001 (SPEC M-05): visible neurons v and memory neurons m
// joined by the stored patterns Ξ. With an identity memory layer it is the classical Hopfield
// network (CHN); with a log-sum-exp memory layer it is the Dense Associative Memory (DAM).
#pragma once

#include "engram/graph.hpp"
#include "engram/neurons/lagrangian.hpp"

namespace engram {

/// M-05: layers "v" (D units, `visible` Lagrangian; default sigmoid with β = 1/(2D)) and "m"
/// (K units, `memory` Lagrangian), synapse "xi" with E_S = −m̂ᵀ Ξ v̂, Ξ of shape K × D.
///   CHN: bipartite_memory_graph(Xi, std::make_shared<Identity<T>>())
///   DAM: bipartite_memory_graph(Xi, std::make_shared<Softmax<T>>(1.0))
template <class T>
EnergyGraph<T> bipartite_memory_graph(const Mat<T>& Xi, LagrangianPtr<T> memory,
                                      LagrangianPtr<T> visible = nullptr);

}  // namespace engram
