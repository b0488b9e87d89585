// engram train dam (placeholder until its issue item lands).
#include <stdexcept>

#include "training_loop.hpp"

namespace engram::cli {

void add_train_dam(CLI::App& train) {
  CLI::App* cmd = train.add_subcommand("dam", "(not yet available)");
  cmd->callback([] { throw std::runtime_error("engram train dam is not available yet"); });
}

}  // namespace engram::cli
