// engram-bench: engram's side of `make bench` (see bench/run.py, which runs every contender).
// It reads the cases bench/run.py wrote, times engram on each with bench/timing.hpp's rule,
// writes engram's outputs beside them for the agreement check, measures the machine's ceilings
// (sgemm through OpenBLAS, copy bandwidth) and prints one JSON object.
//
//   engram-bench --data DIR --out DIR [--cases w1-S,w3-sync] [--min-sample 0.05] [--repeats 5]
#include <cblas.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <engram/core/cpu.hpp>
#include <engram/engram.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "timing.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace engram;
using engram::bench::measure;
using engram::bench::Timing;

namespace {

/// One case as bench/run.py wrote it: tensors (F32) and string parameters.
struct Case {
  std::string name;
  SafetensorsFile file;
  Mat<float> tensor(const std::string& key) const {
    const SafetensorsTensor& t = file.tensors.at(key);
    if (t.dtype != "F32" || t.shape.size() != 2)
      throw std::runtime_error(fmt::format("{}: tensor {} must be a 2-D F32", name, key));
    Mat<float> m(t.shape[0], t.shape[1]);
    std::memcpy(m.data(), t.data.data(), t.data.size());
    return m;
  }
  double number(const std::string& key) const { return std::stod(file.metadata.at(key)); }
};

template <class T>
SafetensorsTensor tensor_of(const Mat<T>& m) {
  SafetensorsTensor t;
  t.dtype = sizeof(T) == 4 ? "F32" : "F64";
  t.shape = {m.rows(), m.cols()};
  t.data.resize(sizeof(T) * static_cast<std::size_t>(m.size()));
  std::memcpy(t.data.data(), m.data(), t.data.size());
  return t;
}

struct Result {
  Timing timing;
  SafetensorsFile outputs;
};

/// W1 retrieve (M-12): T updates q ← Ξᵀ softmax(βΞq) of a batch of queries.
Result w1(const Case& c, double min_sample, int repeats) {
  const ModernHopfield<float> net(c.tensor("xi"), c.number("beta"));
  const Mat<float> queries = c.tensor("queries");
  ModernRetrieveOptions options;
  options.max_steps = static_cast<int>(c.number("steps"));
  options.tolerance = 0.0;  // exactly T updates (an exact fixed point may stop a query earlier)
  options.record_trace = false;  // the peers compute no energies either
  Retrieval<float> r;
  Result out;
  out.timing = measure([&] { r = net.retrieve(queries, options); }, min_sample, repeats);
  out.outputs.tensors["states"] = tensor_of(r.states);
  return out;
}

/// W2 dam (M-05): explicit Euler on the two-layer memory, the energy recorded at every step.
Result w2(const Case& c, double min_sample, int repeats) {
  const Mat<float> xi = c.tensor("xi");
  const EnergyGraph<float> graph = bipartite_memory_graph<float>(
      xi, std::make_shared<Softmax<float>>(1.0),
      std::make_shared<Sigmoid<float>>(1.0 / (2.0 * static_cast<double>(xi.cols()))));
  const Mat<float> v0 = c.tensor("v0"), m0 = c.tensor("m0");
  RelaxOptions options;
  options.dt = c.number("dt");
  options.max_steps = static_cast<int>(c.number("steps"));
  options.tolerance = 0.0;
  options.shrink_on_rise = false;  // the workload is plain explicit Euler
  State<float> state = graph.zeros(v0.rows());
  RelaxResult r;
  Result out;
  out.timing = measure(
      [&] {
        state["v"] = v0;
        state["m"] = m0;
        r = relax(graph, state, options);
      },
      min_sample, repeats);
  out.outputs.tensors["v"] = tensor_of(state["v"]);
  out.outputs.tensors["m"] = tensor_of(state["m"]);
  out.outputs.tensors["energy"] = tensor_of(Mat<double>(r.trace));
  return out;
}

/// W3 classical (M-10): Hebbian weights from ±1 patterns, synchronous or asynchronous recall.
Result w3(const Case& c, double min_sample, int repeats, UpdateMode mode) {
  const auto net = ClassicalHopfield<float>::from_patterns(c.tensor("patterns"));
  const Mat<float> cues = c.tensor("cues");
  ClassicalRecallOptions options;
  options.mode = mode;
  options.max_iterations = static_cast<int>(c.number("max_iterations"));
  options.seed = static_cast<std::uint64_t>(c.number("seed"));
  Retrieval<float> r;
  Result out;
  out.timing = measure([&] { r = net.recall(cues, options); }, min_sample, repeats);
  out.outputs.tensors["states"] = tensor_of(r.states);
  return out;
}

/// sgemm n³ through OpenBLAS (C = A B, float32), in GFLOP/s: the machine's compute ceiling.
json sgemm_ceiling(int n, double min_sample, int repeats) {
  const Mat<float> a = Mat<float>::Random(n, n), b = Mat<float>::Random(n, n);
  Mat<float> c(n, n);
  const Timing t = measure(
      [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(),
                    n, 0.0f, c.data(), n);
      },
      min_sample, repeats);
  return {{"n", n}, {"median_s", t.median()}, {"gflops", 2.0 * n * n * n / t.median() / 1e9}};
}

/// Copy bandwidth (bytes read + written per second) of `threads` threads each copying its share
/// of a 256 MiB buffer: the machine's memory ceiling.
json copy_ceiling(int threads, double min_sample, int repeats) {
  const std::size_t bytes = std::size_t{256} << 20;
  std::vector<char> src(bytes, 1), dst(bytes, 0);
  const std::size_t share = bytes / static_cast<std::size_t>(threads);
  const Timing t = measure(
      [&] {
        std::vector<std::jthread> pool;
        for (int k = 0; k < threads; ++k)
          pool.emplace_back(
              [&, k] { std::memcpy(dst.data() + k * share, src.data() + k * share, share); });
      },
      min_sample, repeats);
  return {{"threads", threads},
          {"median_s", t.median()},
          {"gbytes_per_s", 2.0 * static_cast<double>(bytes) / t.median() / 1e9}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"engram's side of make bench: times engram on the cases bench/run.py wrote"};
  fs::path data, out;
  std::vector<std::string> cases;
  double min_sample = 0.05;
  int repeats = 5;
  bool ceilings = true;
  app.add_option("--data", data, "folder with <case>.safetensors")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--out", out, "folder for engram's outputs (<case>.safetensors)")->required();
  app.add_option("--cases", cases, "cases to run (default: every file in --data)")->delimiter(',');
  app.add_option("--min-sample", min_sample, "seconds per timed sample, at least")
      ->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "timed samples per case")->check(CLI::Range(1, 1000));
  app.add_flag("!--no-ceilings", ceilings, "skip the sgemm and copy-bandwidth ceilings");
  CLI11_PARSE(app, argc, argv);

  try {
    if (cases.empty())
      for (const auto& entry : fs::directory_iterator(data))
        if (entry.path().extension() == ".safetensors") cases.push_back(entry.path().stem());
    std::sort(cases.begin(), cases.end());
    fs::create_directories(out);
    json report;
    const BlasInfo blas = blas_info();  // the library's own report (engram/core/cpu.hpp)
    report["blas"] = {{"library", blas.library},
                      {"corename", blas.kernel},
                      {"threads", blas.threads},
                      {"bit_kernel", to_string(resolve(BitKernel::automatic))}};
    for (const std::string& name : cases) {
      const Case c{name, read_safetensors(data / (name + ".safetensors"))};
      const std::string workload = c.file.metadata.at("workload");
      Result r;
      if (workload == "w1")
        r = w1(c, min_sample, repeats);
      else if (workload == "w2")
        r = w2(c, min_sample, repeats);
      else if (workload == "w3-sync")
        r = w3(c, min_sample, repeats, UpdateMode::synchronous);
      else if (workload == "w3-async")
        r = w3(c, min_sample, repeats, UpdateMode::asynchronous);
      else
        throw std::runtime_error(fmt::format("{}: unknown workload '{}'", name, workload));
      write_safetensors(out / (name + ".safetensors"), r.outputs);
      report["cases"][name] = {{"median_s", r.timing.median()},
                               {"seconds", r.timing.seconds},
                               {"inner", r.timing.inner}};
      std::cerr << fmt::format("engram {:>9}: {:.4g} s\n", name, r.timing.median());
    }
    if (ceilings) {
      report["ceilings"]["sgemm"] = sgemm_ceiling(2048, min_sample, repeats);
      report["ceilings"]["copy"] = copy_ceiling(2, min_sample, repeats);
    }
    std::cout << report.dump(1) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "engram-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
