// The parts of bind_rbm (learning_rbm.cpp) kept in their own files.
#pragma once

#include "bindings.hpp"

namespace engram::python {

/// engram.GaussianBernoulliRBM, dsm_loss, train_dsm (M-33); learning_score_matching.cpp.
void bind_score_matching(py::module_& m);

}  // namespace engram::python
