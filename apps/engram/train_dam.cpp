// engram train dam: a dense associative memory classifier on MNIST or Fashion-MNIST, trained by
// the gradient through its relaxation (SPEC M-35; Krotov & Hopfield 2016).
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "engram/data/datasets.hpp"
#include "engram/io/graph_file.hpp"
#include "engram/io/png.hpp"
#include "engram/learning/dam_classifier.hpp"
#include "training_loop.hpp"

namespace engram::cli {

namespace {

struct DamArgs {
  TrainArgs train;
  std::string dataset = "mnist";
  Index memories = 2000;
  double power = 3.0;
  std::string memory_lagrangian = "rectified_polynomial";
  double beta = 1.0;
  int steps = 4;
  double dt = 1.0;
  double lr = 1e-3;
  Index batch = 100;
  Index train_limit = 60000;
  Index test_limit = 10000;
};

class DamRun final : public TrainingRun {
 public:
  explicit DamRun(const DamArgs& args)
      : args_(args),
        train_(load_dataset(args.dataset, Split::train, args.train_limit)),
        test_(load_dataset(args.dataset, Split::test, args.test_limit)),
        dam_(config(args, train_), args.train.seed),
        rng_(args.train.seed + 1) {}

  std::string kind() const override { return "dam_checkpoint"; }
  Index examples_per_epoch() const override { return train_.size(); }

  Metrics train_epoch(int epoch, const Progress& progress) override {
    // A fresh shuffle stream per epoch, so --resume continues as a straight run would.
    rng_ = Rng(args_.train.seed * 1000003u + static_cast<std::uint64_t>(epoch));
    const DamScore fit =
        dam_.fit_epoch(train_.images, train_.labels, args_.batch, args_.lr, rng_, progress);
    const DamScore test = dam_.score(test_.images, test_.labels);
    return {{"train_error", fit.error},
            {"test_error", test.error},
            {"loss", fit.loss},
            {"test_loss", test.loss}};
  }

  ModelFile<float> checkpoint() const override {
    ModelFile<float> f;
    const auto& adam = dam_.optimizer();
    f.tensors = {{"xi", dam_.memories()},        {"theta", dam_.label_memories()},
                 {"adam_m_xi", adam.m_xi},       {"adam_v_xi", adam.v_xi},
                 {"adam_m_theta", adam.m_theta}, {"adam_v_theta", adam.v_theta}};
    f.config = settings();
    f.config["adam_step"] = adam.step;
    return f;
  }

  void restore(const ModelFile<float>& saved) override {
    const nlohmann::json mine = settings();
    for (const auto& [key, value] : mine.items())
      ENGRAM_CHECK(saved.config.contains(key) && saved.config.at(key) == value,
                   "--resume: the checkpoint has {} = {}, this run {} (use the same settings)", key,
                   saved.config.contains(key) ? saved.config.at(key).dump() : "nothing",
                   value.dump());
    auto tensor = [&](const char* name) -> const Mat<float>& {
      const auto it = saved.tensors.find(name);
      ENGRAM_CHECK(it != saved.tensors.end(), "--resume: the checkpoint has no tensor '{}'", name);
      return it->second;
    };
    dam_.set_memories(tensor("xi"), tensor("theta"));
    DamClassifier<float>::Optimizer adam{tensor("adam_m_xi"), tensor("adam_v_xi"),
                                         tensor("adam_m_theta"), tensor("adam_v_theta"),
                                         saved.config.value("adam_step", 0L)};
    dam_.set_optimizer(std::move(adam));
  }

  std::vector<std::string> finish(const std::filesystem::path& out) override {
    // Each memory's pixel pattern scaled to [0, 1] by its own largest magnitude (grey = 0).
    const Index shown = std::min<Index>(dam_.memories().rows(), 100);
    Mat<float> tiles = dam_.memories().topRows(shown);
    for (Index k = 0; k < shown; ++k) {
      const float top = std::max(tiles.row(k).cwiseAbs().maxCoeff(), 1e-12f);
      tiles.row(k) = (tiles.row(k).array() / (2 * top) + 0.5f).matrix();
    }
    write_png(out / "memories.png", tile_images(tiles, train_.rows, train_.cols, 10), 0.0, 1.0, 2);
    save_graph(out / "model.safetensors", dam_.graph());
    return {
        fmt::format("wrote {}/memories.png (the first {} memories) and model.safetensors "
                    "(the energy graph)",
                    out.string(), shown)};
  }

 private:
  static DamClassifierConfig config(const DamArgs& a, const Dataset& d) {
    DamClassifierConfig c;
    c.pixels = d.images.cols();
    c.classes = static_cast<Index>(d.class_names.size());
    c.memories = a.memories;
    c.memory_lagrangian = a.memory_lagrangian;
    c.power = a.power;
    c.beta = a.beta;
    c.steps = a.steps;
    c.dt = a.dt;
    return c;
  }

  /// The settings a checkpoint must share with the run resuming it.
  nlohmann::json settings() const {
    return {{"dataset", args_.dataset},
            {"memories", args_.memories},
            {"power", args_.power},
            {"memory_lagrangian", args_.memory_lagrangian},
            {"beta", args_.beta},
            {"steps", args_.steps},
            {"dt", args_.dt}};
  }

  DamArgs args_;
  Dataset train_, test_;
  DamClassifier<float> dam_;
  Rng rng_;
};

}  // namespace

void add_train_dam(CLI::App& train) {
  auto args = std::make_shared<DamArgs>();
  CLI::App* cmd = train.add_subcommand(
      "dam",
      "Dense associative memory classifier (Krotov & Hopfield 2016): pixels clamped, memories "
      "and labels relaxed for --steps Euler steps, memories trained by the gradient through the "
      "dynamics (Adam, cross-entropy)");
  args->train.add_options(cmd, "out/train/dam");
  cmd->add_option("--dataset", args->dataset, "Images")
      ->check(CLI::IsMember({"mnist", "fashion"}))
      ->capture_default_str();
  cmd->add_option("--memories", args->memories, "Memory units K")
      ->check(CLI::Range(Index{1}, Index{100000}))
      ->capture_default_str();
  cmd->add_option("--power", args->power, "Power n of the rectified-polynomial memory layer")
      ->check(CLI::Range(2.0, 100.0))
      ->capture_default_str();
  cmd->add_option("--memory-lagrangian", args->memory_lagrangian, "Memory layer Lagrangian")
      ->check(CLI::IsMember({"rectified_polynomial", "softmax"}))
      ->capture_default_str();
  cmd->add_option("--beta", args->beta, "Inverse temperature of a softmax memory layer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--steps", args->steps, "Euler steps T of the relaxation")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--dt", args->dt, "Euler step (tau = 1 for every layer)")
      ->check(CLI::Range(1e-6, 10.0))
      ->capture_default_str();
  cmd->add_option("--lr", args->lr, "Adam learning rate")
      ->check(CLI::Range(1e-9, 10.0))
      ->capture_default_str();
  cmd->add_option("--batch", args->batch, "Mini-batch size")
      ->check(CLI::Range(Index{1}, Index{60000}))
      ->capture_default_str();
  cmd->add_option("--train-limit", args->train_limit, "Use the first N training images")
      ->check(CLI::Range(Index{1}, Index{60000}))
      ->capture_default_str();
  cmd->add_option("--test-limit", args->test_limit, "Use the first N test images")
      ->check(CLI::Range(Index{1}, Index{10000}))
      ->capture_default_str();
  cmd->callback([args] {
    DamRun run(*args);
    run_training(run, args->train);
  });
}

}  // namespace engram::cli
