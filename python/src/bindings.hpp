// The parts of the engram Python module, one function per area; module.cpp calls them in order
// (a later area may use the classes an earlier one registered).
#pragma once

#include <pybind11/pybind11.h>

#include "handles.hpp"

namespace engram::python {

void bind_neurons(py::module_& m);      // Lagrangian and its families (M-01)
void bind_synapses(py::module_& m);     // Synapse, its families and Interaction (M-02, M-12, M-13)
void bind_graph(py::module_& m);        // EnergyGraph and State (M-03)
void bind_relax(py::module_& m);        // relax and RelaxResult (M-04)
void bind_learning(py::module_& m);     // Hebbian, Storkey, pseudo-inverse (M-10, M-30)
void bind_models(py::module_& m);       // the associative-memory facades and Retrieval (M-05..M-14)
void bind_io(py::module_& m);           // model and graph files, safetensors (M-42)
void bind_io_formats(py::module_& m);   // IDX, PNG and CSV files; bind_io calls it
void bind_data(py::module_& m);         // datasets, corruptions, pixel transforms (M-40, M-41)
void bind_experiments(py::module_& m);  // recall and capacity experiments (M-16, M-43)
void bind_analysis_fields(
    py::module_& m);  // vector fields, integrators, Lyapunov checks (M-20, M-21)
void bind_analysis_landscape(
    py::module_& m);                       // fixed points, stability, basins, barriers (M-22..M-26)
void bind_hodgkin_huxley(py::module_& m);  // the Hodgkin–Huxley neuron (M-27)
void bind_analysis_report(py::module_& m);   // analyze() and the phase plane (M-21..M-26)
void bind_eqprop(py::module_& m);            // equilibrium propagation (M-31)
void bind_rbm(py::module_& m);               // RBMs, CD, AIS, score matching (M-15, M-32, M-33)
void bind_sampling(py::module_& m);          // Langevin, Boltzmann, deep EBM (M-15, M-32, M-34)
void bind_through_dynamics(py::module_& m);  // gradients through relaxation, DAM classifier (M-35)
void bind_demo(py::module_& m);  // PCA, LiveConditional and DemoServer: the live demo (M-07)

// The parts of bind_models, called by it in this order.
void bind_models_binary(py::module_& m);       // ClassicalHopfield, DenseAssociativeMemory
void bind_models_continuous(py::module_& m);   // ContinuousHopfield, LinearAssociativeMemory
void bind_models_modern(py::module_& m);       // ModernHopfield and the LSE partials (M-12)
void bind_models_conditional(py::module_& m);  // ConditionalMemory, bipartite_memory_graph
void bind_model_files(py::module_& m);         // save_model / load_model for every facade

}  // namespace engram::python
