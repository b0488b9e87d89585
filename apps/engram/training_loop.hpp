// What every `engram train <kind>` shares (SPEC M-43): the epoch loop with a progress bar,
// per-epoch metrics in metrics.csv and metrics.png, a safetensors checkpoint after every epoch,
// and --resume from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "engram/core/types.hpp"
#include "engram/io/model_file.hpp"

namespace engram::cli {

/// Named numbers measured in one epoch, in the order they appear in metrics.csv, e.g.
/// {{"train_error", 0.02}, {"test_error", 0.025}}. Every epoch reports the same names.
using Metrics = std::vector<std::pair<std::string, double>>;

/// Reports progress within an epoch: `done` of the run's examples_per_epoch().
using Progress = std::function<void(Index done)>;

/// One training job, as a subcommand sets it up (data loaded, model built).
class TrainingRun {
 public:
  virtual ~TrainingRun() = default;
  /// The checkpoint kind, e.g. "eqprop_checkpoint"; --resume refuses a checkpoint of another.
  virtual std::string kind() const = 0;
  /// Units of work in one epoch, for the progress bar (usually training examples).
  virtual Index examples_per_epoch() const = 0;
  /// Trains one epoch (`epoch` counts from 1) and measures it (errors, losses, ...).
  virtual Metrics train_epoch(int epoch, const Progress& progress) = 0;
  /// Everything needed to go on: weights and training state (persistent chains, optimiser
  /// moments) as tensors, and the settings as config (checked by restore()).
  virtual ModelFile<float> checkpoint() const = 0;
  /// Takes up a checkpoint written by checkpoint(); throws std::invalid_argument naming what
  /// disagrees with this run's settings (sizes, dataset).
  virtual void restore(const ModelFile<float>& checkpoint) = 0;
  /// After the last epoch: final pictures and files in `out` (samples, filters, the model).
  /// Returns lines to print (what was written).
  virtual std::vector<std::string> finish(const std::filesystem::path& /*out*/) { return {}; }
};

/// The options every `engram train <kind>` takes.
struct TrainArgs {
  int epochs = 10;
  std::string out;
  bool resume = false;
  std::uint64_t seed = 1;

  /// Registers --epochs, --out, --resume and --seed on `cmd` (`default_out` is --out's default).
  void add_options(CLI::App* cmd, const std::string& default_out);
};

/// Runs epochs 1..args.epochs of `run` (from the checkpoint's next epoch with --resume), printing
/// one line per epoch, rewriting DIR/metrics.csv (columns epoch, the metrics, seconds) and
/// DIR/metrics.png after each, and saving DIR/checkpoint.safetensors (atomically) with the epoch
/// and the metrics so far in its config. Throws engram::Error for an unreadable checkpoint or one
/// of another kind, std::invalid_argument for --resume without a checkpoint.
void run_training(TrainingRun& run, const TrainArgs& args);

/// Registers each `engram train <kind>` on the `train` command (one file each).
void add_train_eqprop(CLI::App& train);
void add_train_rbm(CLI::App& train);
void add_train_dam(CLI::App& train);
void add_train_ebm(CLI::App& train);

/// Registers each `engram sample <kind>` on the `sample` command (one file each).
void add_sample_rbm(CLI::App& sample);
void add_sample_langevin(CLI::App& sample);

}  // namespace engram::cli
