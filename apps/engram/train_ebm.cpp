// engram train ebm (placeholder until its issue item lands).
#include <stdexcept>

#include "training_loop.hpp"

namespace engram::cli {

void add_train_ebm(CLI::App& train) {
  CLI::App* cmd = train.add_subcommand("ebm", "(not yet available)");
  cmd->callback([] { throw std::runtime_error("engram train ebm is not available yet"); });
}

}  // namespace engram::cli
