// The conditional generator/classifier of seed 001 (SPEC M-06) on synthetic labelled data:
// image x, label y and memory z joined by an L2 synapse and a label synapse. Clamp the label and
// the network generates an image of that class; clamp the image and it classifies.
//
//   conditional_generator [OUT_DIR]   writes OUT_DIR/conditional_energy.csv and conditional.dot
#include <fmt/format.h>
#include <engram/engram.hpp>

#include <filesystem>

using namespace engram;
using Matd = Mat<double>;

namespace {

/// `per_class` noisy copies of each of `prototypes` (C × D), with labels; noise N(0, sigma).
std::pair<Matd, std::vector<int>> noisy_examples(const Matd& prototypes, int per_class,
                                                 double sigma, Rng& rng) {
  const Index C = prototypes.rows(), D = prototypes.cols();
  Matd images(C * per_class, D);
  std::vector<int> labels;
  for (Index c = 0; c < C; ++c)
    for (int i = 0; i < per_class; ++i) {
      images.row(c * per_class + i) = prototypes.row(c) + rng.normal<double>(1, D, 0.0, sigma);
      labels.push_back(static_cast<int>(c));
    }
  return {images, labels};
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path out = argc > 1 ? argv[1] : "out/demo";
  const Index C = 4, D = 64;
  Rng rng(2023);
  const Matd prototypes = rng.uniform<double>(C, D);
  auto [train, train_labels] = noisy_examples(prototypes, 10, 0.15, rng);
  auto [test, test_labels] = noisy_examples(prototypes, 25, 0.15, rng);

  ConditionalOptions options;
  options.beta = 10.0;  // sharp memories: the generated image settles on one stored example
  ConditionalMemory<double> memory(D, C, options);
  memory.insert(train, train_labels);
  fmt::print("Conditional memory: {} memories of {} classes, D = {}, lambda = {:.1f}\n",
             memory.size(), C, D, memory.lambda());

  // Generate: clamp each label in turn; the image should settle on a stored example of that class.
  std::vector<int> wanted;
  for (int c = 0; c < C; ++c) wanted.push_back(c);
  const auto generated = memory.generate(wanted);
  int generated_right = 0;
  for (Index b = 0; b < C; ++b) {
    Index nearest;
    const double d2 =
        (train.rowwise() - generated.images.row(b)).rowwise().squaredNorm().minCoeff(&nearest);
    generated_right += train_labels[nearest] == wanted[b];
    fmt::print(
        "  label {} -> image nearest stored example {} (class {}), distance {:.2e}; "
        "energy {:.4f} -> {:.4f} in {} steps\n",
        wanted[b], nearest, train_labels[nearest], std::sqrt(d2), generated.relax.trace(0, b),
        generated.relax.energy(b), generated.relax.steps);
  }

  // Classify: clamp held-out noisy images; the label layer settles on their class.
  const auto classified = memory.classify(test);
  int correct = 0;
  for (std::size_t i = 0; i < test_labels.size(); ++i)
    correct += classified.labels[i] == test_labels[i];
  fmt::print(
      "generated {}/{} images of the requested class; classified {}/{} held-out images "
      "correctly ({} steps, converged: {})\n",
      generated_right, C, correct, test_labels.size(), classified.relax.steps,
      classified.relax.converged ? "yes" : "no");

  std::vector<std::string> columns;
  for (int c = 0; c < C; ++c) columns.push_back(fmt::format("label_{}", c));
  write_csv(out / "conditional_energy.csv", columns, generated.relax.trace);
  write_file_atomic(out / "conditional.dot", memory.graph().to_dot());
  fmt::print("wrote {}/conditional_energy.csv and conditional.dot\n", out.string());
  return 0;
}
