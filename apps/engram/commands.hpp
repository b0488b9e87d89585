// The subcommands of `engram`, each in its own file, and what they share.
#pragma once

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "engram/core/error.hpp"
#include "engram/experiments/recall.hpp"

namespace engram::cli {

/// `engram recall`: store images, corrupt them, retrieve, score (recall.cpp).
void add_recall_command(CLI::App& app);
/// `engram capacity`: retrieval error against load P/N (capacity.cpp).
void add_capacity_command(CLI::App& app);
/// `engram compare`: recall with several model families side by side (compare.cpp).
void add_compare_command(CLI::App& app);
/// `engram inspect`: what a model file holds (inspect.cpp).
void add_inspect_command(CLI::App& app);
/// `engram analyze`: fixed points, stability, basins, barriers of a system (analyze.cpp).
void add_analyze_command(CLI::App& app);
/// `engram simulate hh`: the Hodgkin–Huxley neuron, its spikes and f–I curve (simulate.cpp).
void add_simulate_command(CLI::App& app);
/// `engram train <kind>`: learning rules as jobs with metrics and checkpoints (train.cpp).
void add_train_command(CLI::App& app);
/// `engram sample <kind>`: samplers writing a grid of samples (train.cpp).
void add_sample_command(CLI::App& app);
/// `engram serve`: the live demo in a browser (serve.cpp).
void add_serve_command(CLI::App& app);

/// The options `recall` and `compare` share: which images, how many, how corrupted, the seed.
struct DataArgs {
  std::string dataset = "mnist";
  Index memories = 100;
  std::string corrupt = "half";
  std::uint64_t seed = 1;

  /// Registers --dataset, --memories, --corrupt and --seed on `cmd`, bound to these fields.
  void add_options(CLI::App* cmd, const std::string& seed_help);
  /// Copies them into `config` (the corruption parsed).
  void apply(RecallConfig& config) const;
};

/// The whole of `text` as a finite number; std::invalid_argument naming `what` otherwise (exit 2).
double finite_number(const std::string& text, const std::string& what);

/// A number for JSON, or null where it is NaN (no value).
nlohmann::json number_or_null(double value);

/// Writes `value` as indented JSON to `path`, atomically.
void write_json(const std::filesystem::path& path, const nlohmann::json& value);

/// A CLI11 validator that accepts what `parse` accepts and reports its message otherwise.
template <class Parse>
CLI::Validator parsed_by(std::string description, Parse parse) {
  return CLI::Validator(
      [parse](std::string& text) -> std::string {
        try {
          parse(text);
          return "";
        } catch (const std::exception& e) {
          return e.what();
        }
      },
      std::move(description));
}

}  // namespace engram::cli
