// engram train eqprop (SPEC M-31, M-43): a layered energy network trained by equilibrium
// propagation on MNIST or Fashion-MNIST, or the same architecture trained by backpropagation.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <optional>

#include "commands.hpp"
#include "engram/core/error.hpp"
#include "engram/data/datasets.hpp"
#include "engram/io/graph_file.hpp"
#include "engram/learning/eqprop.hpp"
#include "engram/learning/feedforward.hpp"
#include "training_loop.hpp"

namespace engram::cli {

namespace {

struct EqPropArgs {
  TrainArgs train;
  std::string dataset = "mnist";
  std::string method = "eqprop";
  std::vector<Index> hidden{500};
  Index batch = 20;
  double beta = 1.0;
  std::vector<double> lr{0.1, 0.05};
  int free_steps = 20;
  int nudged_steps = 4;
  double dt = 0.5;
  std::string cost = "squared";
  std::string activation = "hard_sigmoid";
  bool one_sided = false;
  bool random_sign = false;
  Index train_limit = 0;
  Index test_limit = 0;
};

std::vector<int> labels_of(const Dataset& d) {
  return {d.labels.begin(), d.labels.end()};
}

class EqPropRun final : public TrainingRun {
 public:
  explicit EqPropRun(const EqPropArgs& a) : args_(a) {
    options_.sizes = {784};
    options_.sizes.insert(options_.sizes.end(), a.hidden.begin(), a.hidden.end());
    options_.sizes.push_back(10);
    options_.activation = a.activation;
    options_.cost = parse_cost_kind(a.cost);
    options_.beta = a.beta;
    options_.symmetric = !a.one_sided;
    options_.random_sign = a.random_sign;
    options_.dt = a.dt;
    options_.free_steps = a.free_steps;
    options_.nudged_steps = a.nudged_steps;
    options_.batch = a.batch;
    options_.learning_rates = a.lr;
    if (a.lr.size() == 1) options_.learning_rates.assign(options_.sizes.size() - 1, a.lr[0]);
    ENGRAM_CHECK(options_.learning_rates.size() == options_.sizes.size() - 1,
                 "--lr: give one rate, or one per weight layer ({}), got {}",
                 options_.sizes.size() - 1, a.lr.size());
    options_.check();
    auto limit = [](Index n) { return n > 0 ? std::optional<Index>(n) : std::nullopt; };
    train_ = load_dataset(a.dataset, Split::train, limit(a.train_limit));
    test_ = load_dataset(a.dataset, Split::test, limit(a.test_limit));
    train_labels_ = labels_of(train_);
    test_labels_ = labels_of(test_);
    Rng rng(a.train.seed);
    if (a.method == "eqprop")
      eqprop_ = std::make_unique<EqPropNetwork<float>>(options_, rng);
    else
      backprop_ = std::make_unique<FeedForwardNetwork<float>>(options_, rng);
    fmt::print("{} {} on {}: {} train / {} test images, batch {}, {}\n", a.method,
               fmt::join(options_.sizes, "-"), a.dataset, train_.size(), test_.size(),
               options_.batch,
               a.method == "eqprop" ? fmt::format("beta {} ({}), {} free / {} nudged steps of {}",
                                                  a.beta, a.one_sided ? "one-sided" : "symmetric",
                                                  a.free_steps, a.nudged_steps, a.dt)
                                    : std::string("backprop"));
  }

  std::string kind() const override { return "eqprop_checkpoint"; }
  Index examples_per_epoch() const override { return train_.size(); }

  Metrics train_epoch(int epoch, const Progress& progress) override {
    Rng rng(args_.train.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
    EpochStats tr, te;
    if (eqprop_) {
      tr = eqprop_->train_epoch(train_.images, train_labels_, rng, progress);
      te = eqprop_->evaluate(test_.images, test_labels_);
    } else {
      tr = backprop_->train_epoch(train_.images, train_labels_, rng, progress);
      te = backprop_->evaluate(test_.images, test_labels_);
    }
    return {{"train_error", tr.error},
            {"train_cost", tr.cost},
            {"test_error", te.error},
            {"test_cost", te.cost}};
  }

  ModelFile<float> checkpoint() const override {
    ModelFile<float> f;
    const std::vector<std::string> names = param_names();
    const std::vector<Mat<float>>& p = eqprop_ ? eqprop_->params() : backprop_->params();
    for (std::size_t k = 0; k < names.size(); ++k) f.tensors[names[k]] = p[k];
    f.config = settings();
    return f;
  }

  void restore(const ModelFile<float>& saved) override {
    const nlohmann::json want = settings();
    for (const auto& [key, value] : want.items())
      ENGRAM_CHECK(saved.config.contains(key) && saved.config.at(key) == value,
                   "--resume: the checkpoint has {} = {}, this run {} (use the same options)", key,
                   saved.config.contains(key) ? saved.config.at(key).dump() : "nothing",
                   value.dump());
    std::vector<Mat<float>> p;
    for (const std::string& name : param_names()) {
      ENGRAM_CHECK(saved.tensors.contains(name), "--resume: the checkpoint has no tensor '{}'",
                   name);
      p.push_back(saved.tensors.at(name));
    }
    if (eqprop_)
      eqprop_->set_params(p);
    else
      backprop_->set_params(p);
  }

  std::vector<std::string> finish(const std::filesystem::path& out) override {
    if (!eqprop_) return {};
    save_graph(out / "network.safetensors", eqprop_->network_graph());
    return {fmt::format("wrote {} (the trained network as an engram graph file)",
                        (out / "network.safetensors").string())};
  }

 private:
  std::vector<std::string> param_names() const {
    return eqprop_ ? eqprop_->param_names() : backprop_->param_names();
  }

  nlohmann::json settings() const {
    return {{"method", args_.method},
            {"dataset", args_.dataset},
            {"sizes", options_.sizes},
            {"activation", options_.activation},
            {"cost", args_.cost}};
  }

  EqPropArgs args_;
  EqPropOptions options_;
  Dataset train_, test_;
  std::vector<int> train_labels_, test_labels_;
  std::unique_ptr<EqPropNetwork<float>> eqprop_;
  std::unique_ptr<FeedForwardNetwork<float>> backprop_;
};

}  // namespace

void add_train_eqprop(CLI::App& train) {
  CLI::App* cmd = train.add_subcommand(
      "eqprop", "Equilibrium propagation (or its backprop baseline) on MNIST / Fashion-MNIST");
  auto args = std::make_shared<EqPropArgs>();
  args->train.add_options(cmd, "out/train/eqprop");
  cmd->add_option("--dataset", args->dataset, "Images")
      ->check(CLI::IsMember({"mnist", "fashion"}))
      ->capture_default_str();
  cmd->add_option("--method", args->method, "Training rule")
      ->check(CLI::IsMember({"eqprop", "backprop"}))
      ->capture_default_str();
  cmd->add_option("--hidden", args->hidden, "Hidden layer sizes (comma-separated)")
      ->delimiter(',')
      ->check(CLI::Range(Index{1}, Index{100000}))
      ->capture_default_str();
  cmd->add_option("--batch", args->batch, "Mini-batch size")
      ->check(CLI::Range(Index{1}, Index{60000}))
      ->capture_default_str();
  cmd->add_option("--beta", args->beta, "Nudging strength beta (non-zero)")
      ->check(parsed_by("BETA",
                        [](const std::string& s) {
                          if (finite_number(s, "--beta") == 0.0)
                            throw std::invalid_argument("--beta must be non-zero");
                        }))
      ->capture_default_str();
  cmd->add_option("--lr", args->lr,
                  "Learning rates: one, or one per weight layer (comma-separated)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--free-steps", args->free_steps, "Euler steps of the free phase")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--nudged-steps", args->nudged_steps, "Euler steps of each nudged phase")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--dt", args->dt, "Euler step epsilon, in (0, 1]")
      ->check(CLI::Range(1e-9, 1.0))
      ->capture_default_str();
  cmd->add_option("--cost", args->cost, "Nudging cost")
      ->check(CLI::IsMember({"squared", "cross_entropy"}))
      ->capture_default_str();
  cmd->add_option("--activation", args->activation, "Lagrangian of the hidden and output layers")
      ->check(CLI::IsMember({"hard_sigmoid", "sigmoid"}))
      ->capture_default_str();
  cmd->add_flag("--one-sided", args->one_sided, "Nudge by +beta only (default: +-beta)");
  cmd->add_flag("--random-sign", args->random_sign,
                "With --one-sided: draw the sign of beta per batch");
  cmd->add_option("--train-limit", args->train_limit, "Use the first N training images")
      ->check(CLI::Range(Index{1}, Index{60000}));
  cmd->add_option("--test-limit", args->test_limit, "Use the first N test images")
      ->check(CLI::Range(Index{1}, Index{10000}));
  cmd->callback([args] {
    EqPropRun run(*args);
    run_training(run, args->train);
  });
}

}  // namespace engram::cli
