// What several subcommands share: the data options and JSON helpers.
#include <cmath>

#include "commands.hpp"
#include "engram/io/file.hpp"

namespace engram::cli {

void DataArgs::add_options(CLI::App* cmd, const std::string& seed_help) {
  cmd->add_option("--dataset", dataset, "Images to store")
      ->check(CLI::IsMember({"mnist", "fashion"}))
      ->capture_default_str();
  cmd->add_option("--memories", memories, "Number of stored images (first N of train)")
      ->check(CLI::Range(Index{1}, Index{60000}))
      ->capture_default_str();
  cmd->add_option("--corrupt", corrupt, "Corruption: flip:F, mask:F, half or noise:S")
      ->check(parsed_by("CORRUPTION", [](const std::string& s) { Corruption::parse(s); }))
      ->capture_default_str();
  cmd->add_option("--seed", seed, seed_help)->capture_default_str();
}

void DataArgs::apply(RecallConfig& config) const {
  config.dataset = dataset;
  config.memories = memories;
  config.corruption = Corruption::parse(corrupt);
  config.seed = seed;
}

nlohmann::json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

void write_json(const std::filesystem::path& path, const nlohmann::json& value) {
  write_file_atomic(path, value.dump(2) + "\n");
}

}  // namespace engram::cli
