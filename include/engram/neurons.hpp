// Every neuron family (Lagrangian) engram provides, in one include.
#pragma once

#include "engram/neurons/hard_sigmoid.hpp"
#include "engram/neurons/identity.hpp"
#include "engram/neurons/lagrangian.hpp"
#include "engram/neurons/rectified_polynomial.hpp"
#include "engram/neurons/relu.hpp"
#include "engram/neurons/sigmoid.hpp"
#include "engram/neurons/softmax.hpp"
#include "engram/neurons/softplus.hpp"
#include "engram/neurons/tanh.hpp"
