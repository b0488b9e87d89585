// engram inspect: what a model file holds (kind, structure, tensors), read from its header alone.
#include <memory>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "engram/io/safetensors.hpp"

namespace engram::cli {

namespace {

void run(const std::string& path) {
  const SafetensorsHeader header = read_safetensors_header(path);
  const auto format = header.metadata.find("format");
  if (format == header.metadata.end() || format->second != "engram")
    fmt::print("{}: a safetensors file, not written by engram\n", path);
  for (const auto& [key, value] : header.metadata) {
    if (key == "config") {
      // Pretty-printed when it parses; shown as stored otherwise.
      const auto config = nlohmann::json::parse(value, nullptr, false);
      fmt::print("config:\n{}\n", config.is_discarded() ? value : config.dump(2));
    } else {
      fmt::print("{}: {}\n", key, value);
    }
  }
  fmt::print("tensors:\n");
  for (const auto& [name, entry] : header.tensors)
    fmt::print("  {:<24} {} [{}]\n", name, entry.dtype, fmt::join(entry.shape, ", "));
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Print what a model file (safetensors) holds: kind, structure and tensors.");
  cmd->add_option("file", *path, "Model file")->required()->check(CLI::ExistingFile);
  cmd->callback([path] { run(*path); });
}

}  // namespace engram::cli
