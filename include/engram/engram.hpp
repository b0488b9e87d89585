// engram: energy-based associative memory and neurodynamics. The whole public API in one include.
#pragma once

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"
#include "engram/dynamics/relax.hpp"
#include "engram/graph.hpp"
#include "engram/io/csv.hpp"
#include "engram/io/file.hpp"
#include "engram/learning/hebbian.hpp"
#include "engram/models/bipartite_memory.hpp"
#include "engram/models/classical_hopfield.hpp"
#include "engram/models/conditional.hpp"
#include "engram/models/continuous_hopfield.hpp"
#include "engram/models/linear_am.hpp"
#include "engram/neurons.hpp"
#include "engram/synapses.hpp"
