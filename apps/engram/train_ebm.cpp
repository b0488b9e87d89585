// engram train ebm: a deep energy-based model (an MLP energy) trained on MNIST or Fashion-MNIST by
// contrastive divergence with Langevin negatives and a replay buffer (SPEC M-32, seed 000 §5.3).
#include <algorithm>
#include <numeric>
#include <sstream>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "engram/core/rng.hpp"
#include "engram/data/datasets.hpp"
#include "engram/io/png.hpp"
#include "engram/learning/deep_ebm.hpp"
#include "training_loop.hpp"

namespace engram::cli {

namespace {

/// Replay buffers up to this many numbers (10,000 MNIST images) are kept in the checkpoint.
constexpr Index kMaxKeptBuffer = 10000 * 784;

struct EbmArgs {
  TrainArgs train;
  std::string dataset = "mnist";
  std::string hidden = "256,128";
  std::string activation = "swish";
  DeepEbmOptions ebm;
  Index batch = 128;
  std::optional<Index> train_limit;
  Index samples = 64;
  int sample_steps = 200;
};

std::vector<Index> parse_widths(const std::string& text) {
  std::vector<Index> widths;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) {
    const double v = finite_number(part, "--hidden");
    ENGRAM_CHECK(v >= 1 && v == std::floor(v) && v <= 100000,
                 "--hidden '{}': widths must be whole numbers >= 1", text);
    widths.push_back(static_cast<Index>(v));
  }
  ENGRAM_CHECK(!widths.empty() && text.back() != ',', "--hidden '{}': expected widths like 256,128",
               text);
  return widths;
}

nlohmann::json settings(const EbmArgs& a, Index input) {
  return {{"dataset", a.dataset},
          {"input", input},
          {"hidden", parse_widths(a.hidden)},
          {"activation", a.activation},
          {"langevin_steps", a.ebm.langevin_steps},
          {"step_size", a.ebm.step_size},
          {"noise", a.ebm.noise},
          {"lo", a.ebm.lo},
          {"hi", a.ebm.hi},
          {"buffer", a.ebm.buffer},
          {"alpha", a.ebm.alpha},
          {"lr", a.ebm.lr},
          {"batch", a.batch}};
}

class EbmRun final : public TrainingRun {
 public:
  EbmRun(const EbmArgs& args, Dataset data)
      : args_(args),
        data_(std::move(data)),
        ebm_(make_energy(args, data_.images.cols()), args.ebm) {}

  std::string kind() const override { return "ebm_checkpoint"; }
  Index examples_per_epoch() const override { return data_.size(); }

  Metrics train_epoch(int epoch, const Progress& progress) override {
    Rng rng(args_.train.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
    std::vector<Index> order(static_cast<std::size_t>(data_.size()));
    std::iota(order.begin(), order.end(), Index{0});
    std::shuffle(order.begin(), order.end(), rng.engine());
    double pos = 0, neg = 0, loss = 0;
    Index batches = 0;
    Mat<float> batch;
    for (Index start = 0; start < data_.size(); start += args_.batch) {
      const Index b = std::min(args_.batch, data_.size() - start);
      batch.resize(b, data_.images.cols());
      for (Index i = 0; i < b; ++i)
        batch.row(i) = data_.images.row(order[static_cast<std::size_t>(start + i)]);
      const DeepEbmStep step = ebm_.train_step(batch, rng);
      pos += step.data_energy;
      neg += step.negative_energy;
      loss += step.loss;
      ++batches;
      progress(start + b);
    }
    const double n = static_cast<double>(batches);
    return {{"data_energy", pos / n},
            {"negative_energy", neg / n},
            {"energy_gap", (pos - neg) / n},
            {"loss", loss / n}};
  }

  ModelFile<float> checkpoint() const override {
    ModelFile<float> file = ebm_.energy().to_file();
    file.config.update(settings(args_, data_.images.cols()));
    const auto names = ebm_.energy().param_names();
    for (std::size_t k = 0; k < names.size(); ++k) {
      file.tensors["adam_m." + names[k]] = ebm_.adam_m()[k];
      file.tensors["adam_v." + names[k]] = ebm_.adam_v()[k];
    }
    file.config["adam_steps"] = ebm_.adam_steps();
    const Mat<float>& buffer = ebm_.replay_buffer();
    const bool keep = buffer.rows() > 0 && buffer.size() <= kMaxKeptBuffer;
    file.config["buffer_kept"] = keep;
    if (keep) file.tensors["replay_buffer"] = buffer;
    return file;
  }

  void restore(const ModelFile<float>& saved) override {
    const nlohmann::json mine = settings(args_, data_.images.cols());
    for (const char* key : {"dataset", "input", "hidden", "activation"})
      ENGRAM_CHECK(saved.config.contains(key) && saved.config[key] == mine[key],
                   "--resume: the checkpoint was trained with {} {}, this run asks for {}", key,
                   saved.config.value(key, nlohmann::json()).dump(), mine[key].dump());
    ebm_.energy().set_params(MlpEnergy<float>::from_file(saved).params());
    std::vector<Mat<float>> m, v;
    for (const std::string& name : ebm_.energy().param_names()) {
      ENGRAM_CHECK(saved.tensors.count("adam_m." + name) && saved.tensors.count("adam_v." + name),
                   "--resume: the checkpoint lacks the Adam moments of {}", name);
      m.push_back(saved.tensors.at("adam_m." + name));
      v.push_back(saved.tensors.at("adam_v." + name));
    }
    Mat<float> buffer;
    if (const auto it = saved.tensors.find("replay_buffer");
        it != saved.tensors.end() && it->second.rows() == args_.ebm.buffer)
      buffer = it->second;
    ebm_.set_training_state(std::move(m), std::move(v), saved.config.value("adam_steps", 0L),
                            std::move(buffer));
  }

  std::vector<std::string> finish(const std::filesystem::path& out) override {
    Rng rng(args_.train.seed + 7);
    const Mat<float> samples = ebm_.sample(args_.samples, args_.sample_steps, rng);
    const Index side =
        static_cast<Index>(std::lround(std::sqrt(static_cast<double>(data_.images.cols()))));
    std::vector<std::string> lines;
    if (side * side == data_.images.cols()) {
      write_png(out / "samples.png", tile_images(samples, side, side, 8), 0.0, 1.0, 2);
      lines.push_back(fmt::format("wrote {}/samples.png ({} Langevin samples from noise, {} steps)",
                                  out.string(), args_.samples, args_.sample_steps));
      const Mat<float>& buffer = ebm_.replay_buffer();
      if (buffer.rows() > 0) {
        const Index n = std::min<Index>(64, buffer.rows());
        write_png(out / "buffer.png", tile_images(buffer.topRows(n), side, side, 8), 0.0, 1.0, 2);
        lines.push_back(
            fmt::format("wrote {}/buffer.png (the first {} persistent chains)", out.string(), n));
      }
    }
    ModelFile<float> model = ebm_.energy().to_file();
    model.kind = "deep_ebm";
    model.config.update(settings(args_, data_.images.cols()));
    save_model_file(out / "model.safetensors", model);
    lines.push_back(fmt::format("wrote {}/model.safetensors (engram sample langevin --model ...)",
                                out.string()));
    return lines;
  }

 private:
  static MlpEnergy<float> make_energy(const EbmArgs& a, Index input) {
    Rng rng(a.train.seed);
    return MlpEnergy<float>(input, parse_widths(a.hidden), parse_mlp_activation(a.activation), rng);
  }

  EbmArgs args_;
  Dataset data_;
  DeepEbm<float> ebm_;
};

}  // namespace

void add_train_ebm(CLI::App& train) {
  auto args = std::make_shared<EbmArgs>();
  CLI::App* cmd = train.add_subcommand(
      "ebm",
      "Train a deep energy-based model E(x) = MLP(x) by contrastive divergence with Langevin "
      "negatives from a replay buffer (Du & Mordatch 2019)");
  args->train.add_options(cmd, "out/train/ebm");
  cmd->add_option("--dataset", args->dataset, "mnist or fashion")
      ->check(CLI::IsMember({"mnist", "fashion", "fashion-mnist"}))
      ->capture_default_str();
  cmd->add_option("--hidden", args->hidden, "Hidden widths of the MLP, comma separated")
      ->check(parsed_by("WIDTHS", [](const std::string& t) { parse_widths(t); }))
      ->capture_default_str();
  cmd->add_option("--activation", args->activation, "swish or softplus")
      ->check(CLI::IsMember({"swish", "softplus"}))
      ->capture_default_str();
  cmd->add_option("--langevin-steps", args->ebm.langevin_steps, "Langevin steps per negative batch")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--step-size", args->ebm.step_size, "Langevin step on the gradient (epsilon)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--noise", args->ebm.noise, "Langevin noise standard deviation (sigma)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--buffer", args->ebm.buffer, "Replay buffer size (0: chains from noise)")
      ->check(CLI::Range(Index{0}, Index{1000000}))
      ->capture_default_str();
  cmd->add_option("--alpha", args->ebm.alpha, "Weight of the E^2 regulariser")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--lr", args->ebm.lr, "Adam learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--batch", args->batch, "Mini-batch size")
      ->check(CLI::Range(Index{1}, Index{60000}))
      ->capture_default_str();
  cmd->add_option("--train-limit", args->train_limit, "Use the first N training images")
      ->check(CLI::Range(Index{1}, Index{60000}));
  cmd->add_option("--samples", args->samples, "Samples drawn from noise for samples.png")
      ->check(CLI::Range(Index{1}, Index{1024}))
      ->capture_default_str();
  cmd->add_option("--sample-steps", args->sample_steps, "Langevin steps for samples.png")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->callback([args] {
    Dataset data = load_dataset(args->dataset, Split::train, args->train_limit);
    fmt::print(
        "engram train ebm: {} ({} images), MLP {}-{}-1 ({}), {} Langevin steps, eps {}, "
        "sigma {}, buffer {}\n",
        data.name, data.size(), data.images.cols(), args->hidden, args->activation,
        args->ebm.langevin_steps, args->ebm.step_size, args->ebm.noise, args->ebm.buffer);
    EbmRun run(*args, std::move(data));
    run_training(run, args->train);
  });
}

}  // namespace engram::cli
