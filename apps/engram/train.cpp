// engram train: the learning rules as command-line jobs, one subcommand per kind (SPEC M-31..M-35).
#include "commands.hpp"
#include "training_loop.hpp"

namespace engram::cli {

void add_train_command(CLI::App& app) {
  CLI::App* train = app.add_subcommand(
      "train",
      "Train a model: eqprop (equilibrium propagation), rbm (contrastive divergence), "
      "dam (dense associative memory classifier, through the dynamics), ebm (deep "
      "energy-based model with Langevin negatives)");
  train->require_subcommand(1);
  add_train_eqprop(*train);
  add_train_rbm(*train);
  add_train_dam(*train);
  add_train_ebm(*train);
}

void add_sample_command(CLI::App& app) {
  CLI::App* sample = app.add_subcommand(
      "sample",
      "Draw samples: rbm (block Gibbs from a trained RBM), langevin (Langevin dynamics "
      "on a deep EBM from engram train ebm, or on an energy graph file)");
  sample->require_subcommand(1);
  add_sample_rbm(*sample);
  add_sample_langevin(*sample);
}

}  // namespace engram::cli
