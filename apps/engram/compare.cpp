// engram compare: the same recall experiment for several model families side by side, one table
// and one picture (the headline of `make demo`).
#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/experiments/recall.hpp"
#include "engram/io/png.hpp"
#include "engram/learning/hebbian.hpp"
#include "progress.hpp"

namespace engram::cli {

namespace {

struct CompareArgs {
  std::string models = "classical,continuous,modern,dam,linear";
  DataArgs data;
  int show = 10;
  std::string out = "out/compare";
};

// One entry of --models: a family, and for classical and continuous optionally a learning rule
// after a slash ("classical/pseudo_inverse").
struct ModelChoice {
  ModelFamily family;
  std::string rule = "hebbian";
};

std::vector<ModelChoice> parse_models(const std::string& text) {
  std::vector<ModelChoice> models;
  std::stringstream stream(text);
  ENGRAM_CHECK(!text.empty() && text.back() != ',', "--models '{}': an empty entry", text);
  for (std::string entry; std::getline(stream, entry, ',');) {
    const auto slash = entry.find('/');
    ModelChoice choice{parse_model_family(entry.substr(0, slash))};
    if (slash != std::string::npos) {
      ENGRAM_CHECK(
          choice.family == ModelFamily::classical || choice.family == ModelFamily::continuous,
          "--models '{}': only classical and continuous take a learning rule", entry);
      choice.rule = to_string(parse_learning_rule(entry.substr(slash + 1)));
    }
    models.push_back(choice);
  }
  ENGRAM_CHECK(!models.empty(), "--models: no model given");
  return models;
}

void run(const CompareArgs& a) {
  const std::vector<ModelChoice> models = parse_models(a.models);
  std::vector<RecallReport> reports;
  for (const ModelChoice& model : models) {
    RecallConfig config;
    config.model = model.family;
    config.rule = model.rule;
    a.data.apply(config);
    ProgressBar bar(to_string(model.family), a.data.memories);
    config.on_progress = [&bar](Index done, Index) { bar.update(done); };
    reports.push_back(run_recall(config));
  }

  // Rows of the picture: the cues, each model's retrievals, the truth.
  const RecallReport& first = reports.front();
  const Index n = std::min<Index>(a.show, first.cues.rows());
  Mat<float> rows(static_cast<Index>(reports.size() + 2) * n, first.dimension);
  rows.topRows(n) = first.cues.topRows(n);
  for (std::size_t m = 0; m < reports.size(); ++m)
    rows.middleRows(static_cast<Index>(m + 1) * n, n) = reports[m].retrieved.topRows(n);
  rows.bottomRows(n) = first.truth.topRows(n);
  const std::filesystem::path out = a.out;
  write_png(out / "comparison.png", tile_images(rows, first.rows, first.cols, n), 0.0, 1.0, 3);

  nlohmann::json results = nlohmann::json::array();
  fmt::print("{} memories of {}, corruption {}, seed {}\n", a.data.memories, a.data.dataset,
             first.config.corruption.to_string(), a.data.seed);
  std::size_t width = 5;
  for (const RecallReport& r : reports) width = std::max(width, r.model_description.size());
  fmt::print("  {:<{}} {:>12} {:>8} {:>12} {:>14} {:>10} {:>9}\n", "model", width, "exact recall",
             "perfect", "pixel error", "corrupted err", "mean steps", "seconds");
  std::string order = "cue";
  for (const RecallReport& r : reports) {
    fmt::print("  {:<{}} {:>12.4f} {:>8.4f} {:>12.4f} {:>14.4f} {:>10.2f} {:>9.2f}\n",
               r.model_description, width, r.exact_recall, r.perfect_recall, r.mean_pixel_error,
               r.corrupted_pixel_error, r.mean_steps, r.seconds);
    results.push_back({{"model", to_string(r.config.model)},
                       {"rule", r.config.rule},
                       {"model_description", r.model_description},
                       {"exact_recall", r.exact_recall},
                       {"perfect_recall", r.perfect_recall},
                       {"mean_pixel_error", r.mean_pixel_error},
                       {"corrupted_pixel_error", number_or_null(r.corrupted_pixel_error)},
                       {"mean_steps", r.mean_steps},
                       {"converged_fraction", r.converged_fraction},
                       {"seconds", r.seconds}});
    order += ", " + to_string(r.config.model) +
             (r.config.rule != "hebbian" ? "/" + r.config.rule : std::string());
  }
  write_json(out / "comparison.json", {{"dataset", a.data.dataset},
                                       {"memories", a.data.memories},
                                       {"corruption", first.config.corruption.to_string()},
                                       {"seed", a.data.seed},
                                       {"rows", order + ", truth"},
                                       {"models", results}});
  fmt::print("wrote {}/comparison.png (rows, top to bottom: {}, truth) and comparison.json\n",
             out.string(), order);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Run the recall experiment for several model families; one table, one picture.");
  cmd->add_option("--models", args->models,
                  "Comma-separated model families; classical and continuous may name a learning "
                  "rule after a slash (classical/pseudo_inverse)")
      ->check(parsed_by("MODELS", [](const std::string& s) { parse_models(s); }))
      ->capture_default_str();
  args->data.add_options(cmd, "Seed of the corruption");
  cmd->add_option("--show", args->show, "Cues shown in comparison.png")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Output folder")->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace engram::cli
