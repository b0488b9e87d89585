// engram sample langevin: Langevin or annealed Langevin samples (SPEC M-34) of a deep EBM from
// `engram train ebm` or of an energy graph file, written as samples.csv and samples.png.
#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/core/rng.hpp"
#include "engram/io/csv.hpp"
#include "engram/io/graph_file.hpp"
#include "engram/io/png.hpp"
#include "engram/learning/mlp_energy.hpp"
#include "engram/sampling/langevin.hpp"
#include "training_loop.hpp"

namespace engram::cli {

namespace {

struct LangevinArgs {
  std::string model;
  Index count = 64;
  int steps = 200;
  int burn_in = 0;
  double step_size = 0.01;
  double temperature = 1.0;
  std::string anneal;
  int stages = 10;
  std::string box;
  std::string layer;
  std::string clamp;
  std::string out = "out/sample/langevin";
  std::uint64_t seed = 1;
  bool step_size_given = false, temperature_given = false;
};

/// "a:b" as two finite numbers; `what` names the option.
std::pair<double, double> parse_pair(const std::string& text, const std::string& what) {
  const auto colon = text.find(':');
  ENGRAM_CHECK(colon != std::string::npos, "{} '{}': expected A:B", what, text);
  return {finite_number(text.substr(0, colon), what), finite_number(text.substr(colon + 1), what)};
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

/// The samples as a picture: a grid of 28 × 28 tiles for 784 units (or any square size ≥ 64), else
/// a table of the first 256 samples, one per row; gray levels span the samples' own range.
void write_samples_png(const std::filesystem::path& path, const Mat<float>& x) {
  const Index side = static_cast<Index>(std::lround(std::sqrt(static_cast<double>(x.cols()))));
  float lo = x.minCoeff(), hi = x.maxCoeff();
  if (!(hi > lo)) hi = lo + 1;
  if (side * side == x.cols() && side >= 8)
    write_png(path, tile_images(x, side, side, 8, 1, hi), lo, hi, 2);
  else {
    const Index rows = std::min<Index>(x.rows(), 256);
    const Index scale = std::max<Index>(1, std::min<Index>(400 / x.cols(), 1000 / rows));
    write_png(path, x.topRows(rows), lo, hi, static_cast<int>(scale));
  }
}

void run(const LangevinArgs& a) {
  ENGRAM_CHECK(std::filesystem::exists(a.model), "--model: no file '{}'", a.model);
  LangevinOptions o;
  o.step_size = a.step_size;
  o.temperature = a.temperature;
  o.steps = a.steps;
  o.burn_in = a.burn_in;
  double init_lo = 0.0, init_hi = 1.0;
  if (!a.box.empty()) {
    std::tie(o.lo, o.hi) = parse_pair(a.box, "--box");
    ENGRAM_CHECK(o.lo < o.hi, "--box '{}': need lo < hi", a.box);
    init_lo = o.lo;
    init_hi = o.hi;
  }
  std::optional<AnnealSchedule> schedule;
  if (!a.anneal.empty()) {
    const auto [t0, t1] = parse_pair(a.anneal, "--anneal");
    ENGRAM_CHECK(t0 > 0 && t1 > 0, "--anneal '{}': temperatures must be > 0", a.anneal);
    schedule = geometric_schedule(t0, t1, a.stages, std::max(1, a.steps / a.stages));
  }
  Rng rng(a.seed);
  const std::string kind = model_file_kind(a.model);
  Mat<float> samples;
  Energies energy;
  std::string what;
  if (kind == "deep_ebm" || kind == "ebm_checkpoint") {
    ENGRAM_CHECK(a.layer.empty() && a.clamp.empty(),
                 "--layer/--clamp: '{}' is a deep EBM, not an energy graph", a.model);
    const ModelFile<float> file = load_model_file<float>(a.model);
    const MlpEnergy<float> f = MlpEnergy<float>::from_file(file);
    // Unless told otherwise, sample as training did: its eps and T = sigma^2 / (2 eps).
    if (!a.step_size_given) o.step_size = file.config.value("step_size", o.step_size);
    if (!a.temperature_given && file.config.contains("noise"))
      o.temperature = std::pow(file.config.value("noise", 0.0), 2) / (2 * o.step_size);
    if (a.box.empty()) {  // the box the model was trained in
      o.lo = init_lo = file.config.value("lo", 0.0);
      o.hi = init_hi = file.config.value("hi", 1.0);
    }
    const EnergyFunction<float> e = [&f](const MatCRef<float>& x, MatRef<float> g) {
      return f.energy_and_grad(x, g);
    };
    const Mat<float> x0 = rng.uniform<float>(a.count, f.input_size(), init_lo, init_hi);
    auto r = schedule ? annealed_langevin(e, x0, *schedule, o, rng) : langevin(e, x0, o, rng);
    samples = std::move(r.x);
    energy = std::move(r.energy);
    what = fmt::format("deep EBM ({} inputs)", f.input_size());
  } else if (kind == "energy_graph") {
    const EnergyGraph<float> graph = load_graph<float>(a.model);
    o.clamped = split(a.clamp);
    for (const std::string& name : o.clamped) {
      const auto& ls = graph.layers();
      ENGRAM_CHECK(std::any_of(ls.begin(), ls.end(), [&](const auto& l) { return l.name == name; }),
                   "--clamp '{}': the graph has no layer '{}'", a.clamp, name);
    }
    State<float> state = graph.zeros(a.count);
    std::vector<std::string> free;
    for (std::size_t i = 0; i < graph.layers().size(); ++i) {
      const auto& l = graph.layers()[i];
      if (std::find(o.clamped.begin(), o.clamped.end(), l.name) != o.clamped.end()) continue;
      free.push_back(l.name);
      state.at(i) = rng.uniform<float>(a.count, l.size, init_lo, init_hi);
    }
    const std::string layer = a.layer.empty() ? (free.empty() ? "" : free.front()) : a.layer;
    ENGRAM_CHECK(std::find(free.begin(), free.end(), layer) != free.end(),
                 "--layer '{}': not a free layer of the graph (free layers: {})", layer,
                 fmt::format("{}", fmt::join(free, ", ")));
    auto r = schedule ? annealed_langevin(graph, state, *schedule, o, rng)
                      : langevin(graph, state, o, rng);
    samples = state[layer];
    energy = std::move(r.energy);
    what = fmt::format("energy graph, layer '{}' ({} units)", layer, samples.cols());
  } else {
    throw std::invalid_argument(fmt::format(
        "--model '{}': a {} file; expected a deep EBM (engram train ebm) or an energy graph",
        a.model, kind));
  }
  const std::filesystem::path out(a.out);
  std::filesystem::create_directories(out);
  std::vector<std::string> columns;
  for (Index j = 0; j < samples.cols(); ++j) columns.push_back(fmt::format("x{}", j));
  write_csv(out / "samples.csv", columns, samples.cast<double>());
  write_samples_png(out / "samples.png", samples);
  fmt::print("engram sample langevin: {} samples of a {}, {} steps of eps {} at {}\n", a.count,
             what, a.steps, o.step_size,
             schedule ? fmt::format("T {} -> {} ({} stages)", schedule->temperatures.front(),
                                    schedule->temperatures.back(), a.stages)
                      : fmt::format("T {:.6g}", o.temperature));
  fmt::print("mean final energy {:.6g}\nwrote {}/samples.csv, samples.png\n", energy.mean(),
             out.string());
}

}  // namespace

void add_sample_langevin(CLI::App& sample) {
  auto args = std::make_shared<LangevinArgs>();
  CLI::App* cmd = sample.add_subcommand(
      "langevin",
      "Langevin samples x <- x - eps grad E + sqrt(2 T eps) xi of a deep EBM (engram train ebm) "
      "or of an energy graph file");
  cmd->add_option("--model", args->model, "deep EBM (model.safetensors, checkpoint) or graph file")
      ->required();
  cmd->add_option("--count", args->count, "Number of independent chains (samples)")
      ->check(CLI::Range(Index{1}, Index{100000}))
      ->capture_default_str();
  cmd->add_option("--steps", args->steps, "Langevin steps (split over the stages with --anneal)")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd->add_option("--burn-in", args->burn_in, "Extra steps run first")
      ->check(CLI::Range(0, 10000000))
      ->capture_default_str();
  cmd->add_option("--step-size", args->step_size,
                  "Step eps > 0 (deep EBM default: its training eps)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* temp =
      cmd->add_option("--temperature", args->temperature,
                      "Temperature T >= 0 (deep EBM default: sigma^2/(2 eps) of its training)")
          ->check(CLI::NonNegativeNumber)
          ->capture_default_str();
  cmd->add_option("--anneal", args->anneal, "T0:T1, a geometric schedule from T0 down to T1")
      ->check(parsed_by("T0:T1", [](const std::string& t) { parse_pair(t, "--anneal"); }))
      ->excludes(temp);
  cmd->add_option("--stages", args->stages, "Stages of the --anneal schedule")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--box", args->box,
                  "lo:hi: start uniform in it and clip to it (deep EBM default: its box; graphs: "
                  "start in 0:1, no clipping)")
      ->check(parsed_by("LO:HI", [](const std::string& t) { parse_pair(t, "--box"); }));
  cmd->add_option("--layer", args->layer, "Graph layer written out (default: the first free one)");
  cmd->add_option("--clamp", args->clamp, "Graph layers held at 0, comma separated");
  cmd->add_option("--out", args->out, "Folder for samples.csv and samples.png")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->callback([args, cmd] {
    args->step_size_given = cmd->count("--step-size") > 0;
    args->temperature_given = cmd->count("--temperature") > 0;
    run(*args);
  });
}

}  // namespace engram::cli
