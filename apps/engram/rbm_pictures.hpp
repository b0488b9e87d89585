// What `engram train rbm` and `engram sample rbm` share: binarised images, sample and filter grids.
#pragma once

#include <cstdint>
#include <filesystem>

#include "engram/core/rng.hpp"
#include "engram/models/rbm.hpp"

namespace engram::cli {

/// Binary images from grey levels in [0, 1]: "sample" draws each pixel once as Bernoulli(level)
/// from an Rng seeded with `seed` (Salakhutdinov & Murray's stochastic binarisation), "threshold"
/// keeps level > 0.5.
Mat<float> binarize(const Mat<float>& images, const std::string& how, std::uint64_t seed);

/// Runs `steps` block Gibbs steps from `start` (N × 784) and writes the last step's p(v | h) as a
/// grid of 28 × 28 tiles to `png` (10 columns). Returns the binary samples of the last step.
Mat<float> write_samples(const std::filesystem::path& png, const BernoulliRBM<float>& rbm,
                         const Mat<float>& start, int steps, Rng& rng);

/// Writes the weights of the first min(100, H) hidden units as 28 × 28 tiles, each scaled to its
/// own range, to `png`.
void write_filters(const std::filesystem::path& png, const BernoulliRBM<float>& rbm);

}  // namespace engram::cli
