// engram sample rbm: block Gibbs chains of a trained BernoulliRBM, as a picture and a CSV of the
// binary samples (SPEC M-15, M-34).
#include <filesystem>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/io/csv.hpp"
#include "engram/learning/rbm_partition.hpp"
#include "rbm_pictures.hpp"
#include "training_loop.hpp"

namespace engram::cli {

namespace {

struct SampleRbmArgs {
  std::string model;
  Index count = 100;
  int gibbs_steps = 1000;
  std::string out = "out/sample/rbm";
  std::uint64_t seed = 1;
};

void run_sample_rbm(const SampleRbmArgs& a) {
  if (!std::filesystem::exists(a.model))
    throw std::invalid_argument(fmt::format("--model: no file '{}'", a.model));
  const auto rbm = load_model<BernoulliRBM<float>>(a.model);
  std::filesystem::create_directories(a.out);
  Rng rng(a.seed);
  // chains start from the model's visible biases alone: v ~ Bernoulli(σ(b))
  const Mat<float> p0 =
      rbm.b().replicate(a.count, 1).unaryExpr([](float x) { return 1.0f / (1.0f + std::exp(-x)); });
  const Mat<float> u = rng.uniform<float>(a.count, rbm.visible());
  const Mat<float> start = (u.array() < p0.array()).cast<float>();
  const std::filesystem::path out(a.out);
  Mat<float> samples;
  if (rbm.visible() == 784) {
    samples = write_samples(out / "samples.png", rbm, start, a.gibbs_steps, rng);
  } else {
    samples = rbm.gibbs(start, a.gibbs_steps, rng);
    fmt::print("no samples.png: the model has {} visible units, not 784 (28 x 28)\n",
               rbm.visible());
  }
  std::vector<std::string> columns;
  for (Index i = 0; i < rbm.visible(); ++i) columns.push_back(fmt::format("v{}", i));
  write_csv(out / "samples.csv", columns, samples.cast<double>());
  const Energies f = rbm.free_energy(samples);
  fmt::print("{} chains, {} Gibbs steps each: mean free energy {:.3f}\n", a.count, a.gibbs_steps,
             f.mean());
  fmt::print("wrote {}/samples.csv{}\n", out.string(), rbm.visible() == 784 ? ", samples.png" : "");
}

}  // namespace

void add_sample_rbm(CLI::App& sample) {
  auto args = std::make_shared<SampleRbmArgs>();
  CLI::App* cmd = sample.add_subcommand(
      "rbm", "Run block Gibbs chains of a trained RBM (engram train rbm's rbm.safetensors)");
  cmd->add_option("--model", args->model, "Model file (kind bernoulli_rbm)")->required();
  cmd->add_option("--count", args->count, "Number of chains")
      ->check(CLI::Range(Index{1}, Index{100000}))
      ->capture_default_str();
  cmd->add_option("--gibbs-steps", args->gibbs_steps, "Block Gibbs steps per chain")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Folder for samples.png and samples.csv")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->callback([args] { run_sample_rbm(*args); });
}

}  // namespace engram::cli
