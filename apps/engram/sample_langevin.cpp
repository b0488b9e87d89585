// engram sample langevin (placeholder until its issue item lands).
#include <stdexcept>

#include "training_loop.hpp"

namespace engram::cli {

void add_sample_langevin(CLI::App& sample) {
  CLI::App* cmd = sample.add_subcommand("langevin", "(not yet available)");
  cmd->callback([] { throw std::runtime_error("engram sample langevin is not available yet"); });
}

}  // namespace engram::cli
