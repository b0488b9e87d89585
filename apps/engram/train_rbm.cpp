// engram train rbm: a BernoulliRBM on binarised MNIST / Fashion-MNIST by CD-k or PCD, with AIS's
// estimate of log Z and the test log-likelihood at the end (SPEC M-15, M-32).
#include <chrono>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/data/datasets.hpp"
#include "engram/learning/contrastive_divergence.hpp"
#include "engram/learning/rbm_partition.hpp"
#include "rbm_pictures.hpp"
#include "training_loop.hpp"

namespace engram::cli {

namespace {

/// Data binarised with this seed whatever --seed is, so train and test sets stay the same.
constexpr std::uint64_t kBinarizeSeed = 20080705;

struct RbmArgs {
  TrainArgs train;
  std::string dataset = "mnist";
  Index hidden = 500;
  int cd_k = 1;
  bool persistent = false;
  double lr = 0.05;
  Index batch = 100;
  double momentum = 0.5;
  double weight_decay = 2e-4;
  Index ais_runs = 100;
  Index ais_betas = 14500;
  Index train_limit = 60000;
  Index test_limit = 10000;
  int sample_steps = 1000;
  std::string binarize = "sample";
};

class RbmRun final : public TrainingRun {
 public:
  explicit RbmRun(const RbmArgs& a)
      : a_(a),
        cd_({.k = a.cd_k,
             .persistent = a.persistent,
             .learning_rate = a.lr,
             .momentum = a.momentum,
             .weight_decay = a.weight_decay,
             .batch = a.batch,
             .chains = a.batch},
            a.train.seed),
        rbm_(BernoulliRBM<float>::random(784, a.hidden, 0.01, init_rng_)) {
    const Dataset train = load_dataset(a.dataset, Split::train, a.train_limit);
    const Dataset test = load_dataset(a.dataset, Split::test, a.test_limit);
    train_ = binarize(train.images, a.binarize, kBinarizeSeed);
    test_ = binarize(test.images, a.binarize, kBinarizeSeed + 1);
    // visible biases from the data: log(p / (1 − p)) (Hinton's practical guide, §8)
    rbm_.set_parameters(rbm_.W(), base_rate_biases<float>(train_), rbm_.c());
  }

  std::string kind() const override { return "rbm_checkpoint"; }
  Index examples_per_epoch() const override { return train_.rows(); }

  /// train_reconstruction: mean over the epoch's batches of the mean-field reconstruction error
  /// before each update; test_reconstruction: the same on the test set after the epoch;
  /// free_energy_gap: mean F(test) − mean F(train) on equally many images (grows with
  /// overfitting, since log P(v) = −F(v) − log Z).
  Metrics train_epoch(int epoch, const Progress& progress) override {
    cd_.reseed(a_.train.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
    const double train_error = cd_.epoch(rbm_, train_, progress);
    const Index n = std::min(train_.rows(), test_.rows());
    const double f_train = rbm_.free_energy(train_.topRows(n)).mean();
    const double f_test = rbm_.free_energy(test_.topRows(n)).mean();
    return {{"train_reconstruction", train_error},
            {"test_reconstruction", rbm_.reconstruction_error(test_)},
            {"free_energy_gap", f_test - f_train}};
  }

  ModelFile<float> checkpoint() const override {
    ModelFile<float> file;
    file.config = settings();
    file.tensors = rbm_.to_file().tensors;
    const RBMGradient<float>& v = cd_.velocity();
    if (v.W.size() > 0) {
      file.tensors["velocity_W"] = v.W;
      file.tensors["velocity_b"] = v.b;
      file.tensors["velocity_c"] = v.c;
    }
    if (cd_.chains().size() > 0) file.tensors["chains"] = cd_.chains();
    return file;
  }

  void restore(const ModelFile<float>& file) override {
    const nlohmann::json want = settings();
    for (const char* key : {"dataset", "hidden", "persistent", "binarize", "train_limit"})
      ENGRAM_CHECK(file.config.contains(key) && file.config[key] == want[key],
                   "--resume: the checkpoint has {} {}, this run {} (same settings needed)", key,
                   file.config.contains(key) ? file.config[key].dump() : "nothing",
                   want[key].dump());
    auto tensor = [&](const char* name) -> const Mat<float>& {
      const auto it = file.tensors.find(name);
      if (it == file.tensors.end())
        throw Error(fmt::format("checkpoint without tensor '{}'", name));
      return it->second;
    };
    rbm_.set_parameters(tensor("W"), tensor("b"), tensor("c"));
    if (file.tensors.count("velocity_W"))
      cd_.set_velocity({tensor("velocity_W"), tensor("velocity_b"), tensor("velocity_c")});
    if (file.tensors.count("chains")) cd_.set_chains(tensor("chains"));
  }

  std::vector<std::string> finish(const std::filesystem::path& out) override {
    std::vector<std::string> lines;
    save_model(out / "rbm.safetensors", rbm_);
    write_filters(out / "filters.png", rbm_);
    Rng rng(a_.train.seed + 7);
    const Index chains = std::min<Index>(100, test_.rows());
    write_samples(out / "samples.png", rbm_, test_.topRows(chains), a_.sample_steps, rng);
    lines.push_back(
        fmt::format("wrote {}/rbm.safetensors, filters.png, samples.png ({} chains, {} "
                    "Gibbs steps from test images)",
                    out.string(), chains, a_.sample_steps));
    const auto start = std::chrono::steady_clock::now();
    AisOptions ais;
    ais.runs = a_.ais_runs;
    ais.betas = a_.ais_betas;
    ais.seed = a_.train.seed + 11;
    const AisResult r = ais_log_partition<float>(rbm_, base_rate_biases<float>(train_), ais);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double test_ll = average_log_likelihood<float>(rbm_, test_, r.log_z);
    const double train_ll = average_log_likelihood<float>(rbm_, train_, r.log_z);
    write_json(out / "ais.json", {{"log_z", r.log_z},
                                  {"log_z_minus_3sd", number_or_null(r.log_z_low)},
                                  {"log_z_plus_3sd", number_or_null(r.log_z_high)},
                                  {"log_z_base", r.log_z_base},
                                  {"runs", a_.ais_runs},
                                  {"betas", a_.ais_betas},
                                  {"test_log_likelihood", test_ll},
                                  {"train_log_likelihood", train_ll},
                                  {"test_examples", test_.rows()},
                                  {"train_examples", train_.rows()},
                                  {"seconds", seconds}});
    lines.push_back(fmt::format(
        "AIS ({} runs, {} inverse temperatures, {:.1f} s): log Z = {:.3f} (-3 sd {:.3f}, +3 sd "
        "{:.3f})",
        a_.ais_runs, a_.ais_betas, seconds, r.log_z, r.log_z_low, r.log_z_high));
    lines.push_back(fmt::format("average log-likelihood: test {:.2f} nats, train {:.2f} nats",
                                test_ll, train_ll));
    lines.push_back(fmt::format("wrote {}/ais.json", out.string()));
    return lines;
  }

 private:
  nlohmann::json settings() const {
    return {{"dataset", a_.dataset},
            {"hidden", a_.hidden},
            {"cd_k", a_.cd_k},
            {"persistent", a_.persistent},
            {"lr", a_.lr},
            {"batch", a_.batch},
            {"momentum", a_.momentum},
            {"weight_decay", a_.weight_decay},
            {"binarize", a_.binarize},
            {"train_limit", train_.rows()},
            {"test_limit", test_.rows()}};
  }

  RbmArgs a_;
  CDTrainer<float> cd_;
  Rng init_rng_{a_.train.seed};
  BernoulliRBM<float> rbm_;
  Mat<float> train_, test_;
};

}  // namespace

void add_train_rbm(CLI::App& train) {
  auto args = std::make_shared<RbmArgs>();
  CLI::App* cmd = train.add_subcommand(
      "rbm",
      "Train a binary RBM on binarised MNIST / Fashion-MNIST by CD-k or persistent CD; at the end "
      "AIS estimates log Z and the test log-likelihood");
  args->train.add_options(cmd, "out/train/rbm");
  cmd->add_option("--dataset", args->dataset, "Images")
      ->check(CLI::IsMember({"mnist", "fashion"}))
      ->capture_default_str();
  cmd->add_option("--hidden", args->hidden, "Hidden units")
      ->check(CLI::Range(Index{1}, Index{100000}))
      ->capture_default_str();
  cmd->add_option("--cd-k", args->cd_k, "Gibbs steps of the negative phase")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_flag("--persistent", args->persistent, "Persistent CD (chains kept between updates)");
  cmd->add_option("--lr", args->lr, "Learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--batch", args->batch, "Mini-batch size (and PCD chains)")
      ->check(CLI::Range(Index{1}, Index{60000}))
      ->capture_default_str();
  cmd->add_option("--momentum", args->momentum, "Momentum in [0, 1)")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  cmd->add_option("--weight-decay", args->weight_decay, "L2 weight decay on W")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--ais-runs", args->ais_runs, "Parallel AIS runs")
      ->check(CLI::Range(Index{2}, Index{100000}))
      ->capture_default_str();
  cmd->add_option("--ais-betas", args->ais_betas, "AIS inverse temperatures")
      ->check(CLI::Range(Index{2}, Index{10000000}))
      ->capture_default_str();
  cmd->add_option("--train-limit", args->train_limit, "Use the first N training images")
      ->check(CLI::Range(Index{1}, Index{60000}))
      ->capture_default_str();
  cmd->add_option("--test-limit", args->test_limit, "Use the first N test images")
      ->check(CLI::Range(Index{1}, Index{10000}))
      ->capture_default_str();
  cmd->add_option("--sample-steps", args->sample_steps, "Gibbs steps of the chains in samples.png")
      ->check(CLI::Range(0, 10000000))
      ->capture_default_str();
  cmd->add_option("--binarize", args->binarize,
                  "Pixels to bits: sample (one Bernoulli draw per pixel, fixed seed) or threshold "
                  "(> 0.5)")
      ->check(CLI::IsMember({"sample", "threshold"}))
      ->capture_default_str();
  cmd->callback([args] {
    RbmRun run(*args);
    run_training(run, args->train);
  });
}

}  // namespace engram::cli
