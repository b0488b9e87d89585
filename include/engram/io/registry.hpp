// The kinds a model file can name (SPEC M-42): factories that rebuild a Lagrangian from its kind
// and hyperparameters, and a synapse from its kind, hyperparameters and parameter tensors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engram/core/types.hpp"
#include "engram/neurons/lagrangian.hpp"
#include "engram/synapses/synapse.hpp"

namespace engram {

/// M-42: the Lagrangian of family `kind` (as Lagrangian::kind() names it) with exactly the
/// hyperparameters that family takes, e.g. make_lagrangian<double>("sigmoid", {{"beta", 0.5}}).
/// Throws std::invalid_argument for an unknown kind (listing the known ones), a missing or unknown
/// hyperparameter, or a value the family refuses.
template <class T>
LagrangianPtr<T> make_lagrangian(std::string_view kind, const Hyperparameters& hyperparameters);

/// M-42: the synapse of family `kind` (as Synapse::kind() names it) from its hyperparameters and
/// its parameters in the order of Synapse::param_names(), e.g. make_synapse<double>("LabelSynapse",
/// {{"lambda", 2.0}}, {theta}) with theta K × C. Throws std::invalid_argument for an unknown kind
/// (listing the known ones), a missing or unknown hyperparameter, a wrong number of parameters, or
/// parameters the synapse refuses (shape, symmetry, NaN).
template <class T>
SynapsePtr<T> make_synapse(std::string_view kind, const Hyperparameters& hyperparameters,
                           std::vector<Mat<T>> params);

/// The Lagrangian kinds make_lagrangian knows, in registration order.
std::vector<std::string> lagrangian_kinds();

/// The synapse kinds make_synapse knows, in registration order.
std::vector<std::string> synapse_kinds();

}  // namespace engram
