// engram train eqprop (placeholder until its issue item lands).
#include <stdexcept>

#include "training_loop.hpp"

namespace engram::cli {

void add_train_eqprop(CLI::App& train) {
  CLI::App* cmd = train.add_subcommand("eqprop", "(not yet available)");
  cmd->callback([] { throw std::runtime_error("engram train eqprop is not available yet"); });
}

}  // namespace engram::cli
