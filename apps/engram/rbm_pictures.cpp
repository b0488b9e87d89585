// Binarised images and RBM pictures for `engram train rbm` and `engram sample rbm`.
#include "rbm_pictures.hpp"

#include "engram/core/error.hpp"
#include "engram/io/png.hpp"

namespace engram::cli {

Mat<float> binarize(const Mat<float>& images, const std::string& how, std::uint64_t seed) {
  if (how == "threshold") return (images.array() > 0.5f).cast<float>();
  ENGRAM_CHECK(how == "sample", "--binarize: expected sample or threshold, got '{}'", how);
  Rng rng(seed);
  const Mat<float> u = rng.uniform<float>(images.rows(), images.cols());
  return (u.array() < images.array()).cast<float>();
}

Mat<float> write_samples(const std::filesystem::path& png, const BernoulliRBM<float>& rbm,
                         const Mat<float>& start, int steps, Rng& rng) {
  ENGRAM_CHECK(rbm.visible() == 784, "the model has {} visible units, pictures need 784 (28 x 28)",
               rbm.visible());
  const Mat<float> v = steps > 0 ? rbm.gibbs(start, steps - 1, rng) : start;
  const Mat<float> h = rbm.sample_hidden(v, rng);
  const Mat<float> mean = rbm.visible_probabilities(h);  // the last step's p(v | h), drawn smooth
  write_png(png, tile_images(mean, 28, 28, 10), 0.0, 1.0, 2);
  return rbm.sample_visible(h, rng);
}

void write_filters(const std::filesystem::path& png, const BernoulliRBM<float>& rbm) {
  const Index n = std::min<Index>(100, rbm.hidden());
  Mat<float> tiles(n, rbm.visible());
  for (Index j = 0; j < n; ++j) {
    const auto w = rbm.W().col(j);
    const float lo = w.minCoeff(), hi = w.maxCoeff();
    tiles.row(j) = (w.array() - lo).transpose() / std::max(hi - lo, 1e-12f);
  }
  write_png(png, tile_images(tiles, 28, 28, 10), 0.0, 1.0, 2);
}

}  // namespace engram::cli
