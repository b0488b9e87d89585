// The epoch loop behind every `engram train <kind>`: progress, metrics, checkpoints, --resume.
#include "training_loop.hpp"

#include <chrono>
#include <memory>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "engram/core/error.hpp"
#include "engram/io/csv.hpp"
#include "gnuplot.hpp"
#include "progress.hpp"

namespace engram::cli {

namespace {

constexpr const char* kCheckpointName = "checkpoint.safetensors";

/// Throws engram::Error (a failure, exit 1) with the formatted message unless `cond` holds.
template <class... Args>
void require(bool cond, fmt::format_string<Args...> format, Args&&... args) {
  if (!cond) throw Error(fmt::format(format, std::forward<Args>(args)...));
}

/// Metrics of the epochs trained so far: names (without "epoch" and "seconds") and one row each.
struct History {
  std::vector<std::string> names;
  std::vector<std::vector<double>> rows;  ///< epoch, metrics..., seconds
};

nlohmann::json to_json(const History& h) {
  return {{"names", h.names}, {"rows", h.rows}};
}

History history_from(const nlohmann::json& config, const std::filesystem::path& path) {
  History h;
  try {
    h.names = config.at("history").at("names").get<std::vector<std::string>>();
    h.rows = config.at("history").at("rows").get<std::vector<std::vector<double>>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("'{}': checkpoint without a readable metrics history ({})",
                            path.string(), e.what()));
  }
  for (const auto& row : h.rows)
    require(row.size() == h.names.size() + 2,
            "'{}': checkpoint history row of {} values for {} metrics", path.string(), row.size(),
            h.names.size());
  return h;
}

void write_metrics(const std::filesystem::path& out, const History& h) {
  std::vector<std::string> columns{"epoch"};
  columns.insert(columns.end(), h.names.begin(), h.names.end());
  columns.emplace_back("seconds");
  Eigen::MatrixXd table(static_cast<Index>(h.rows.size()), static_cast<Index>(columns.size()));
  for (std::size_t r = 0; r < h.rows.size(); ++r)
    for (std::size_t c = 0; c < columns.size(); ++c)
      table(static_cast<Index>(r), static_cast<Index>(c)) = h.rows[r][c];
  write_csv(out / "metrics.csv", columns, table);

  LinePlot plot;
  plot.csv = out / "metrics.csv";
  plot.png = out / "metrics.png";
  plot.title = "training metrics per epoch";
  plot.xlabel = "epoch";
  plot.ylabel = "value";
  for (std::size_t c = 0; c < h.names.size(); ++c)
    plot.curves.push_back({1, static_cast<int>(c) + 2, h.names[c]});
  if (const std::string why = draw_line_plot(plot); !why.empty())
    fmt::print(stderr, "engram train: no metrics.png ({})\n", why);
}

}  // namespace

void TrainArgs::add_options(CLI::App* cmd, const std::string& default_out) {
  out = default_out;
  cmd->add_option("--epochs", epochs, "Epochs to train in all (with --resume: up to this many)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--out", out, "Folder for metrics.csv, metrics.png, checkpoint.safetensors")
      ->capture_default_str();
  cmd->add_flag("--resume", resume, "Go on from DIR/checkpoint.safetensors");
  cmd->add_option("--seed", seed, "Random seed (initial weights, shuffling, sampling)")
      ->capture_default_str();
}

void run_training(TrainingRun& run, const TrainArgs& args) {
  const std::filesystem::path out(args.out);
  const std::filesystem::path checkpoint_path = out / kCheckpointName;
  History history;
  int first_epoch = 1;
  if (args.resume) {
    if (!std::filesystem::exists(checkpoint_path))
      throw std::invalid_argument(
          fmt::format("--resume: no checkpoint at '{}' (train without --resume first)",
                      checkpoint_path.string()));
    const ModelFile<float> saved = load_model_file<float>(checkpoint_path);
    require(saved.kind == run.kind(),
            "'{}' is a {}, not a {}: it belongs to another kind of training",
            checkpoint_path.string(), saved.kind, run.kind());
    history = history_from(saved.config, checkpoint_path);
    run.restore(saved);
    first_epoch = static_cast<int>(history.rows.size()) + 1;
    fmt::print("resumed from {} after epoch {}\n", checkpoint_path.string(), first_epoch - 1);
  }
  std::filesystem::create_directories(out);
  for (int epoch = first_epoch; epoch <= args.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    Metrics metrics;
    {
      ProgressBar bar(fmt::format("epoch {}/{}", epoch, args.epochs), run.examples_per_epoch());
      metrics = run.train_epoch(epoch, [&bar](Index done) { bar.update(done); });
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<std::string> names;
    std::vector<double> row{static_cast<double>(epoch)};
    std::string line = fmt::format("epoch {}/{}:", epoch, args.epochs);
    for (const auto& [name, value] : metrics) {
      names.push_back(name);
      row.push_back(value);
      line += fmt::format(" {} {:.6g}", name, value);
    }
    row.push_back(seconds);
    if (history.rows.empty()) history.names = names;
    require(names == history.names, "epoch {} reported metrics [{}], earlier epochs [{}]", epoch,
            fmt::join(names, ", "), fmt::join(history.names, ", "));
    history.rows.push_back(row);
    fmt::print("{} ({:.1f} s)\n", line, seconds);
    std::fflush(stdout);

    write_metrics(out, history);
    ModelFile<float> saved = run.checkpoint();
    saved.kind = run.kind();
    saved.config["history"] = to_json(history);
    saved.config["epoch"] = epoch;
    saved.config["seed"] = args.seed;
    save_model_file(checkpoint_path, saved);
  }
  if (first_epoch > args.epochs)
    fmt::print("the checkpoint already has {} epochs (--epochs {}): nothing to train\n",
               first_epoch - 1, args.epochs);
  for (const std::string& line : run.finish(out)) fmt::print("{}\n", line);
  fmt::print("wrote {}/metrics.csv, metrics.png, {}\n", out.string(), kCheckpointName);
}

}  // namespace engram::cli
