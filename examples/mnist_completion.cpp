// Pattern completion on MNIST with a modern Hopfield network, in the C++ API: load digits, store
// them, mask the lower half, retrieve, save a picture and the model. Run as
// build/examples/mnist_completion [out-folder].
#include <fmt/format.h>

#include <engram/engram.hpp>

using namespace engram;

int main(int argc, char** argv) {
  const std::filesystem::path out = argc > 1 ? argv[1] : "out/examples";
  const Dataset digits = load_dataset("mnist", Split::train, 200);  // 200 × 784 in [0, 1]
  const Mat<float> patterns = binarize<float>(digits.images);       // ±1, one digit per row

  // Cues: the lower half of every digit set to 0, "unknown" (M-41).
  Rng rng(7);
  const CorruptionDomain domain{digits.rows, digits.cols, -1.0, 1.0, 0.0};
  const Mat<float> cues = corrupt<float>(patterns, Corruption::parse("half"), domain, rng);

  // M-12: x ← Ξᵀ softmax(βΞx), iterated until nothing moves.
  const ModernHopfield<float> net(patterns, /*beta=*/1.0);
  const Retrieval<float> r = net.retrieve(cues);

  Index exact = 0;
  for (Index i = 0; i < patterns.rows(); ++i) exact += r.states.row(i) == patterns.row(i);
  fmt::print("completed {}/{} half-masked digits exactly; energy of cue 0: {:.1f} -> {:.1f}\n",
             exact, patterns.rows(), r.energy_trace(0, 0),
             r.energy_trace(r.energy_trace.rows() - 1, 0));

  // Rows of the picture: cues, retrievals, truths (pixels back in [0, 1]).
  const Index n = 8;
  Mat<float> rows(3 * n, patterns.cols());
  rows << cues.topRows(n), r.states.topRows(n), patterns.topRows(n);
  write_png(out / "mnist_completion.png", tile_images(from_bipolar<float>(rows), 28, 28, n), 0, 1, 3);
  save_model(out / "mnist_modern.safetensors", net);
  fmt::print("wrote {}/mnist_completion.png and mnist_modern.safetensors\n", out.string());
}
