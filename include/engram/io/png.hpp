// PNG pictures of matrices: grayscale and RGB images (image grids, basin maps), encoded in
// memory or written atomically, and tile_images to lay a batch of images out as one grid.
#pragma once

#include <filesystem>
#include <string>

#include "engram/core/types.hpp"

namespace engram {

/// PNG bytes of a grayscale picture: `gray` is H × W, value v shown as the 8-bit level
/// round(255 · clip((v − lo) / (hi − lo), 0, 1)); each pixel becomes a scale × scale block
/// (nearest-neighbour upscaling). Throws std::invalid_argument for an empty image, NaN, lo ≥ hi
/// or scale < 1.
std::string encode_png(const MatCRef<float>& gray, double lo = 0.0, double hi = 1.0, int scale = 1);

/// PNG bytes of an RGB picture: `rgb` is H × 3W with the channels interleaved (r, g, b of pixel
/// (i, j) at columns 3j, 3j + 1, 3j + 2), each mapped to 8 bits as in encode_png.
std::string encode_png_rgb(const MatCRef<float>& rgb, double lo = 0.0, double hi = 1.0,
                           int scale = 1);

/// Writes encode_png(gray, lo, hi, scale) to `path` atomically (temporary file, then rename).
/// Throws engram::Error naming the path when it cannot be written.
void write_png(const std::filesystem::path& path, const MatCRef<float>& gray, double lo = 0.0,
               double hi = 1.0, int scale = 1);

/// Writes encode_png_rgb(rgb, lo, hi, scale) to `path` atomically; rgb is H × 3W interleaved.
void write_png_rgb(const std::filesystem::path& path, const MatCRef<float>& rgb, double lo = 0.0,
                   double hi = 1.0, int scale = 1);

/// The same from three H × W channels.
void write_png_rgb(const std::filesystem::path& path, const MatCRef<float>& r,
                   const MatCRef<float>& g, const MatCRef<float>& b, double lo = 0.0,
                   double hi = 1.0, int scale = 1);

/// One picture of a batch of images laid out in a grid: `images` is N × h·w (row-major images),
/// shown in C = min(columns, N) columns and R = ceil(N / C) rows, with `pad` pixels of
/// `pad_value` between and around the tiles. Result: (R·h + (R + 1)·pad) × (C·w + (C + 1)·pad);
/// image n sits at row pad + (n / C)(h + pad), column pad + (n mod C)(w + pad); unused cells are
/// pad_value.
Mat<float> tile_images(const MatCRef<float>& images, Index h, Index w, Index columns, Index pad = 1,
                       float pad_value = 1.0f);

}  // namespace engram
