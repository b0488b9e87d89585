#include "engram/io/png.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engram/core/error.hpp"
#include "engram/io/file.hpp"

// stb_image_write lives in this file only; static keeps its symbols out of other libraries' way.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace engram {
namespace {

/// Encodes `m` (H × channels·W, already checked) as 8-bit PNG with `channels` per pixel.
std::string encode(const MatCRef<float>& m, int channels, double lo, double hi, int scale,
                   const char* what) {
  ENGRAM_CHECK(m.rows() > 0 && m.cols() > 0, "{}: image is empty ({}x{})", what, m.rows(),
               m.cols());
  ENGRAM_CHECK(m.cols() % channels == 0, "{}: an interleaved RGB image needs 3W columns, got {}",
               what, m.cols());
  ENGRAM_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
               "{}: need finite lo < hi, got [{}, {}]", what, lo, hi);
  ENGRAM_CHECK(scale >= 1, "{}: scale must be at least 1, got {}", what, scale);
  check_finite(m, std::string(what) + ": image");
  const Index height = m.rows() * scale, width = m.cols() / channels * scale;
  ENGRAM_CHECK(height <= (1 << 15) && width <= (1 << 15),
               "{}: {}x{} pixels after scaling by {} exceed 32768 on a side", what, height, width,
               scale);
  const Index row_bytes = width * channels;
  std::vector<unsigned char> pixels(static_cast<std::size_t>(height * row_bytes));
  for (Index i = 0; i < height; ++i)
    for (Index j = 0; j < row_bytes; ++j) {
      const Index pixel = j / channels, channel = j % channels;
      const double v = (m(i / scale, (pixel / scale) * channels + channel) - lo) / (hi - lo);
      pixels[static_cast<std::size_t>(i * row_bytes + j)] =
          static_cast<unsigned char>(std::lround(255.0 * std::clamp(v, 0.0, 1.0)));
    }
  std::string out;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<std::size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &out, static_cast<int>(width), static_cast<int>(height),
                              channels, pixels.data(), static_cast<int>(row_bytes)))
    throw Error(std::string(what) + ": PNG encoding failed");
  return out;
}

}  // namespace

std::string encode_png(const MatCRef<float>& gray, double lo, double hi, int scale) {
  return encode(gray, 1, lo, hi, scale, "encode_png");
}

std::string encode_png_rgb(const MatCRef<float>& rgb, double lo, double hi, int scale) {
  return encode(rgb, 3, lo, hi, scale, "encode_png_rgb");
}

void write_png(const std::filesystem::path& path, const MatCRef<float>& gray, double lo, double hi,
               int scale) {
  write_file_atomic(path, encode_png(gray, lo, hi, scale));
}

void write_png_rgb(const std::filesystem::path& path, const MatCRef<float>& rgb, double lo,
                   double hi, int scale) {
  write_file_atomic(path, encode_png_rgb(rgb, lo, hi, scale));
}

void write_png_rgb(const std::filesystem::path& path, const MatCRef<float>& r,
                   const MatCRef<float>& g, const MatCRef<float>& b, double lo, double hi,
                   int scale) {
  check_shape(g, r.rows(), r.cols(), "write_png_rgb: g (shaped like r)");
  check_shape(b, r.rows(), r.cols(), "write_png_rgb: b (shaped like r)");
  Mat<float> rgb(r.rows(), 3 * r.cols());
  for (Index j = 0; j < r.cols(); ++j) {
    rgb.col(3 * j) = r.col(j);
    rgb.col(3 * j + 1) = g.col(j);
    rgb.col(3 * j + 2) = b.col(j);
  }
  write_png_rgb(path, rgb, lo, hi, scale);
}

Mat<float> tile_images(const MatCRef<float>& images, Index h, Index w, Index columns, Index pad,
                       float pad_value) {
  ENGRAM_CHECK(h > 0 && w > 0, "tile_images: h and w must be positive, got {}x{}", h, w);
  ENGRAM_CHECK(images.rows() > 0, "tile_images: images is empty (0 rows)");
  const Index hw = shape_size({h, w}, "tile_images: h x w");  // throws rather than overflow
  ENGRAM_CHECK(images.cols() == hw,
               "tile_images: images must have h*w = {}x{} = {} columns, got {}", h, w, hw,
               images.cols());
  ENGRAM_CHECK(columns > 0, "tile_images: columns must be positive, got {}", columns);
  ENGRAM_CHECK(pad >= 0, "tile_images: pad must be non-negative, got {}", pad);
  const Index n = images.rows();
  const Index C = std::min(columns, n), R = (n + C - 1) / C;
  Mat<float> grid = Mat<float>::Constant(R * h + (R + 1) * pad, C * w + (C + 1) * pad, pad_value);
  for (Index k = 0; k < n; ++k) {
    const Index top = pad + (k / C) * (h + pad), left = pad + (k % C) * (w + pad);
    for (Index i = 0; i < h; ++i)
      grid.row(top + i).segment(left, w) = images.row(k).segment(i * w, w);
  }
  return grid;
}

}  // namespace engram
