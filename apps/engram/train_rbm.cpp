// engram train rbm (placeholder until its issue item lands).
#include <stdexcept>

#include "training_loop.hpp"

namespace engram::cli {

void add_train_rbm(CLI::App& train) {
  CLI::App* cmd = train.add_subcommand("rbm", "(not yet available)");
  cmd->callback([] { throw std::runtime_error("engram train rbm is not available yet"); });
}

}  // namespace engram::cli
