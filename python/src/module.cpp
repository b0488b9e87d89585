// engram._engram: the compiled half of the Python package (SPEC M-44). The pure-Python package
// (python/engram) re-exports it; see python/engram/__init__.py.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "engram/core/cpu.hpp"
#include "engram/core/error.hpp"
#include "engram/core/version.hpp"

PYBIND11_MODULE(_engram, m) {
  namespace py = pybind11;
  using namespace engram::python;
  m.doc() = "engram: energy-based associative memory and neurodynamics (compiled core).";
  m.attr("__version__") = engram::version;

  // std::invalid_argument (a caller's mistake) is ValueError, pybind11's default; engram::Error
  // (a runtime failure such as an unreadable file) is engram.Error, a RuntimeError.
  py::register_exception<engram::Error>(m, "Error", PyExc_RuntimeError);

  bind_neurons(m);
  bind_synapses(m);
  bind_graph(m);
  bind_relax(m);
  bind_learning(m);
  bind_models(m);
  bind_io(m);
  bind_data(m);
  bind_experiments(m);
  bind_analysis_fields(m);
  bind_analysis_landscape(m);
  bind_hodgkin_huxley(m);
  bind_analysis_report(m);
  bind_eqprop(m);
  bind_rbm(m);
  bind_sampling(m);
  bind_through_dynamics(m);
  bind_demo(m);

  m.def(
      "cpu_info",
      [] {
        const engram::BlasInfo blas = engram::blas_info();
        py::dict d;
        d["native"] = engram::compiled_native();
        d["avx512_vpopcntdq"] = engram::cpu_has_avx512_vpopcntdq();
        d["bit_kernel"] = engram::to_string(engram::resolve(engram::BitKernel::automatic));
        d["blas"] = blas.library;
        d["blas_kernel"] = blas.kernel;
        d["blas_threads"] = blas.threads;
        return d;
      },
      R"doc(What engram's kernels run on: a dict with 'native' (compiled with -march=native),
'avx512_vpopcntdq' (whether this CPU has it), 'bit_kernel' (what the packed classical Hopfield
kernels use by default), 'blas' and 'blas_kernel' (OpenBLAS and the core it chose; the
environment variable OPENBLAS_CORETYPE overrides that choice) and 'blas_threads'.)doc");
  m.def("set_blas_threads", &engram::set_blas_threads, py::arg("threads"),
        "Sets the BLAS thread count for the whole process; returns the previous one.\n"
        "(DemoServer sets 1 while it runs: its sessions' many small products contend otherwise.)");
}
