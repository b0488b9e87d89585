// engram recall: store N images in one model family, corrupt them, retrieve, and report.
#include <algorithm>
#include <cmath>
#include <memory>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/experiments/recall.hpp"
#include "engram/io/csv.hpp"
#include "engram/io/png.hpp"
#include "engram/synapses/memory.hpp"
#include "gnuplot.hpp"
#include "progress.hpp"

namespace engram::cli {

namespace {

struct RecallArgs {
  std::string model;
  DataArgs data;
  std::optional<double> beta;
  std::string interaction;
  std::string rule = "hebbian";
  std::optional<int> max_steps;
  bool binarize = true;
  int show = 10;
  std::string out = "out/recall";
  std::string save_model;
};

// The first `show` cues, their retrievals and the truths as three rows of images.
void write_grid(const RecallReport& r, Index show, const std::filesystem::path& path) {
  const Index n = std::min<Index>(show, r.cues.rows());
  Mat<float> rows(3 * n, r.dimension);
  rows << r.cues.topRows(n), r.retrieved.topRows(n), r.truth.topRows(n);
  write_png(path, tile_images(rows, r.rows, r.cols, n), 0.0, 1.0, 3);
}

// energy.csv: step, the mean over samples, and the first few samples' own traces.
Index write_energy_csv(const RecallReport& r, const std::filesystem::path& path) {
  const Index samples = std::min<Index>(r.energy_trace.cols(), 5);
  Eigen::MatrixXd table(r.energy_trace.rows(), 2 + samples);
  std::vector<std::string> header{"step", "mean"};
  for (Index t = 0; t < r.energy_trace.rows(); ++t) {
    table(t, 0) = static_cast<double>(t);
    table(t, 1) = r.energy_trace.row(t).mean();
  }
  for (Index s = 0; s < samples; ++s) {
    table.col(2 + s) = r.energy_trace.col(s);
    header.push_back(fmt::format("sample_{}", s));
  }
  write_csv(path, header, table);
  return samples;
}

nlohmann::json to_json(const RecallReport& r) {
  const RecallConfig& c = r.config;
  return {
      {"model", to_string(c.model)},
      {"model_description", r.model_description},
      {"dataset", c.dataset},
      {"memories", c.memories},
      {"corruption", c.corruption.to_string()},
      {"seed", c.seed},
      {"dimension", r.dimension},
      {"exact_recall", r.exact_recall},
      {"perfect_recall", r.perfect_recall},
      {"mean_pixel_error", r.mean_pixel_error},
      {"corrupted_pixel_error", number_or_null(r.corrupted_pixel_error)},
      {"mean_steps", r.mean_steps},
      {"converged_fraction", r.converged_fraction},
      {"seconds", r.seconds},
  };
}

void run(const RecallArgs& a) {
  RecallConfig config;
  config.model = parse_model_family(a.model);
  a.data.apply(config);
  config.beta = a.beta;
  config.interaction = a.interaction;
  config.rule = a.rule;
  config.max_steps = a.max_steps;
  config.binarize = a.binarize;
  config.save_model = a.save_model;
  ProgressBar bar("recall", a.data.memories);
  config.on_progress = [&bar](Index done, Index) { bar.update(done); };

  const RecallReport r = run_recall(config);
  bar.finish();

  const std::filesystem::path out = a.out;
  write_json(out / "results.json", to_json(r));
  write_grid(r, a.show, out / "grid.png");
  // The energy trace is empty where the model's energy overflows double (a DAM with a steep F).
  std::string energy_files, plot_problem = "the model records no energy (it overflows double)";
  if (r.energy_trace.rows() > 0) {
    const Index samples = write_energy_csv(r, out / "energy.csv");
    LinePlot plot;
    plot.csv = out / "energy.csv";
    plot.png = out / "energy.png";
    plot.title = fmt::format("{}: energy during retrieval", r.model_description);
    plot.xlabel = "update";
    plot.ylabel = "energy";
    plot.curves = {{1, 2, "mean over cues"}};
    for (Index s = 0; s < samples; ++s)
      plot.curves.push_back({1, static_cast<int>(3 + s), fmt::format("cue {}", s)});
    plot_problem = draw_line_plot(plot);
    energy_files = plot_problem.empty() ? ", energy.csv, energy.png" : ", energy.csv";
  }

  fmt::print("{} on {}: {} memories, corruption {}, seed {}\n", r.model_description, config.dataset,
             config.memories, config.corruption.to_string(), config.seed);
  fmt::print("  {:<24}{:.4f}\n", "exact recall", r.exact_recall);
  fmt::print("  {:<24}{:.4f}\n", "perfect recall", r.perfect_recall);
  fmt::print("  {:<24}{:.4f}\n", "mean pixel error", r.mean_pixel_error);
  if (std::isfinite(r.corrupted_pixel_error))
    fmt::print("  {:<24}{:.4f}\n", "corrupted pixel error", r.corrupted_pixel_error);
  fmt::print("  {:<24}{:.2f}\n", "mean steps", r.mean_steps);
  fmt::print("  {:<24}{:.4f}\n", "converged", r.converged_fraction);
  fmt::print("  {:<24}{:.3f}\n", "seconds", r.seconds);
  fmt::print("wrote {}/results.json, grid.png (cue | retrieved | truth){}\n", out.string(),
             energy_files);
  if (!plot_problem.empty()) fmt::print("no energy plot: {}\n", plot_problem);
  if (!a.save_model.empty()) fmt::print("saved the model to {}\n", a.save_model);
}

}  // namespace

void add_recall_command(CLI::App& app) {
  auto args = std::make_shared<RecallArgs>();
  CLI::App* cmd = app.add_subcommand(
      "recall", "Store N images in a model, corrupt them, retrieve, and report the scores.");
  cmd->add_option("--model", args->model, "Model family")
      ->required()
      ->check(CLI::IsMember({"classical", "continuous", "modern", "dam", "linear"}));
  args->data.add_options(cmd, "Seed of the corruption and of random update orders");
  cmd->add_option("--beta", args->beta,
                  "Inverse temperature (modern), gain (continuous), exponential rate (dam)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--interaction", args->interaction,
                  "DAM interaction F: polynomial(n=N), rectified_polynomial(n=N), "
                  "exponential(beta=B) or log_sum_exp(beta=B) (default "
                  "rectified_polynomial(n=30))")
      ->check(parsed_by("F", [](const std::string& s) { Interaction::parse(s); }));
  cmd->add_option("--rule", args->rule, "Learning rule (classical, continuous)")
      ->check(CLI::IsMember({"hebbian", "storkey", "pseudo_inverse"}))
      ->capture_default_str();
  cmd->add_option("--max-steps", args->max_steps,
                  "Update budget per cue (default 100; continuous: 1000 Euler steps)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--binarize", args->binarize,
                  "Store binarised images (true) or grey levels in [-1, 1] (false: continuous, "
                  "modern and linear only)")
      ->capture_default_str();
  cmd->add_option("--show", args->show, "Cues shown in grid.png")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Output folder")->capture_default_str();
  cmd->add_option("--save-model", args->save_model,
                  "Also save the model there (safetensors; see 'engram inspect')");
  cmd->callback([args] { run(*args); });
}

}  // namespace engram::cli
