// Python binding of the other file formats: IDX arrays (MNIST's format, SPEC M-40), PNG pictures
// and CSV tables. Every write is atomic (a temporary file beside the target, then a rename).
#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "buffers.hpp"
#include "engram/io/csv.hpp"
#include "engram/io/idx.hpp"
#include "engram/io/png.hpp"

namespace engram::python {

namespace {

namespace fs = std::filesystem;

// IDX element types and the NumPy dtypes (machine byte order) that hold them.
struct IdxDtype {
  IdxType type;
  char kind;
  int size;
};
constexpr IdxDtype kIdxDtypes[] = {
    {IdxType::u8, 'u', 1},  {IdxType::i8, 'i', 1},  {IdxType::i16, 'i', 2},
    {IdxType::i32, 'i', 4}, {IdxType::f32, 'f', 4}, {IdxType::f64, 'f', 8},
};

py::dtype numpy_dtype_of(IdxType type) {
  for (const auto& d : kIdxDtypes)
    if (d.type == type) return py::dtype(fmt::format("={}{}", d.kind, d.size));
  throw py::value_error("unknown IDX type");
}

IdxType idx_type_of(const py::dtype& dtype) {
  for (const auto& d : kIdxDtypes)
    if (dtype.kind() == d.kind && dtype.itemsize() == d.size) return d.type;
  throw py::value_error(
      fmt::format("array: IDX holds uint8, int8, int16, int32, float32 or float64, got {}",
                  dtype.attr("name").cast<std::string>()));
}

// A grey (H, W) picture for the PNG encoder; NaN is the encoder's to reject, naming the pixel.
MatrixArg<float> picture(const py::handle& gray) {
  return MatrixArg<float>(gray, "gray", /*allow_vector=*/false, /*require_finite=*/false);
}

// An (H, W, 3) RGB array as the H x 3W interleaved matrix the encoder reads: the same bytes.
struct RgbArg {
  py::array_t<float, py::array::c_style | py::array::forcecast> array;
  Eigen::Map<const Mat<float>> map() const {
    return {array.data(), array.shape(0), 3 * array.shape(1)};
  }
};

RgbArg rgb_picture(const py::handle& rgb) {
  const py::array any = py::array::ensure(rgb);
  if (!any || std::string("biuf").find(any.dtype().kind()) == std::string::npos)
    throw py::value_error("rgb: expected an array of real numbers");
  RgbArg a{py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(rgb)};
  if (!a.array) throw py::value_error("rgb: expected an array of real numbers");
  if (a.array.ndim() != 3 || a.array.shape(2) != 3)
    throw py::value_error(fmt::format(
        "rgb: expected an (H, W, 3) array, got {} dimensions{}", a.array.ndim(),
        a.array.ndim() == 3 ? fmt::format(" with {} channels", a.array.shape(2)) : std::string()));
  return a;
}

const char* const kPngLevels =
    "Value v becomes the 8-bit level round(255 * clip((v - lo) / (hi - lo), 0, 1)); each pixel\n"
    "becomes a scale x scale block. ValueError for an empty picture, NaN, lo >= hi or scale < 1.";

}  // namespace

void bind_io_formats(py::module_& m) {
  m.def(
      "read_idx",
      [](const fs::path& path) {
        IdxArray a;
        {
          py::gil_scoped_release release;
          a = read_idx(path);
        }
        const std::vector<py::ssize_t> shape(a.dims.begin(), a.dims.end());
        return adopt(std::move(a.bytes), numpy_dtype_of(a.type), shape);
      },
      py::arg("path"),
      R"doc(Reads an IDX file (MNIST's format), plain or gzipped (told apart by the gzip magic, not
the name), as an ndarray of the file's dims (e.g. (10000, 28, 28)) and type: u8 uint8, i8 int8,
i16 int16, i32 int32, f32 float32, f64 float64, in the machine's byte order (the file's
big-endian values are converted). Raises engram.Error naming the path for a missing, truncated
or garbled file.)doc");
  m.def(
      "write_idx",
      [](const fs::path& path, const py::handle& array) {
        const py::array a = py::array::ensure(array);
        if (!a) throw py::value_error("array: expected an array");
        if (a.ndim() < 1 || a.ndim() > 8)
          throw py::value_error(
              fmt::format("array: IDX holds 1 to 8 dimensions, got {}", a.ndim()));
        IdxArray idx;
        idx.type = idx_type_of(a.dtype());
        for (py::ssize_t k = 0; k < a.ndim(); ++k) idx.dims.push_back(a.shape(k));
        idx.bytes = bytes_of<unsigned char>(a, '=');
        py::gil_scoped_release release;
        write_idx(path, idx);
      },
      py::arg("path"), py::arg("array"),
      R"doc(Writes `array` (1 to 8 positive dimensions; uint8, int8, int16, int32, float32 or
float64) as an IDX file, atomically; gzip-compressed when the path ends in ".gz".)doc");

  static const std::string encode_doc =
      std::string("PNG bytes of a grey picture `gray` (H, W), computed in float32.\n") + kPngLevels;
  m.def(
      "encode_png",
      [](const py::handle& gray, double lo, double hi, int scale) {
        const MatrixArg<float> g = picture(gray);
        return py::bytes(encode_png(g.map(), lo, hi, scale));
      },
      py::arg("gray"), py::arg("lo") = 0.0, py::arg("hi") = 1.0, py::arg("scale") = 1,
      encode_doc.c_str());
  m.def(
      "encode_png_rgb",
      [](const py::handle& rgb, double lo, double hi, int scale) {
        const RgbArg a = rgb_picture(rgb);
        return py::bytes(encode_png_rgb(a.map(), lo, hi, scale));
      },
      py::arg("rgb"), py::arg("lo") = 0.0, py::arg("hi") = 1.0, py::arg("scale") = 1,
      "PNG bytes of an RGB picture `rgb` (H, W, 3), each channel mapped as in encode_png.");
  m.def(
      "write_png",
      [](const fs::path& path, const py::handle& gray, double lo, double hi, int scale) {
        const MatrixArg<float> g = picture(gray);
        py::gil_scoped_release release;
        write_png(path, g.map(), lo, hi, scale);
      },
      py::arg("path"), py::arg("gray"), py::arg("lo") = 0.0, py::arg("hi") = 1.0,
      py::arg("scale") = 1, "Writes encode_png(gray, lo, hi, scale) to `path`, atomically.");
  m.def(
      "write_png_rgb",
      [](const fs::path& path, const py::handle& rgb, double lo, double hi, int scale) {
        const RgbArg a = rgb_picture(rgb);
        py::gil_scoped_release release;
        write_png_rgb(path, a.map(), lo, hi, scale);
      },
      py::arg("path"), py::arg("rgb"), py::arg("lo") = 0.0, py::arg("hi") = 1.0,
      py::arg("scale") = 1,
      "Writes encode_png_rgb(rgb, lo, hi, scale) to `path` atomically; rgb is (H, W, 3).");
  m.def(
      "tile_images",
      [](const py::handle& images, Index h, Index w, Index columns, Index pad, float pad_value) {
        const MatrixArg<float> x(images, "images", true, false);
        return to_numpy(tile_images(x.map(), h, w, columns, pad, pad_value));
      },
      py::arg("images"), py::arg("h"), py::arg("w"), py::arg("columns"), py::arg("pad") = 1,
      py::arg("pad_value") = 1.0f,
      R"doc(One picture of N images in a grid: `images` (N, h*w), row-major images, shown in
C = min(columns, N) columns and R = ceil(N / C) rows with `pad` pixels of `pad_value` between and
around the tiles. Returns a float32 array (R*h + (R+1)*pad, C*w + (C+1)*pad); image n sits at row
pad + (n // C)*(h + pad), column pad + (n % C)*(w + pad). Example:
    engram.write_png('grid.png', engram.tile_images(ds.images[:16], 28, 28, 8), scale=2))doc");
  m.def(
      "write_csv",
      [](const fs::path& path, const std::vector<std::string>& columns, const py::handle& values) {
        const MatrixArg<double> v(values, "values", true, false);
        const Eigen::MatrixXd table = v.map();
        py::gil_scoped_release release;
        write_csv(path, columns, table);
      },
      py::arg("path"), py::arg("columns"), py::arg("values"),
      R"doc(Writes a CSV table atomically: a header of `columns`, then one line per row of `values`
(rows, len(columns)), numbers with 17 significant digits so float64 values read back exactly.)doc");
}

}  // namespace engram::python
