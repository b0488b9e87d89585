// engram sample rbm (placeholder until its issue item lands).
#include <stdexcept>

#include "training_loop.hpp"

namespace engram::cli {

void add_sample_rbm(CLI::App& sample) {
  CLI::App* cmd = sample.add_subcommand("rbm", "(not yet available)");
  cmd->callback([] { throw std::runtime_error("engram sample rbm is not available yet"); });
}

}  // namespace engram::cli
