// Every synapse (energy term) engram provides, in one include.
#pragma once

#include "engram/synapses/bias.hpp"
#include "engram/synapses/cost.hpp"
#include "engram/synapses/dense.hpp"
#include "engram/synapses/field.hpp"
#include "engram/synapses/l2.hpp"
#include "engram/synapses/label.hpp"
#include "engram/synapses/memory.hpp"
#include "engram/synapses/synapse.hpp"
