// Python binding of the data layer: datasets (SPEC M-40), corruptions (M-41) and the pixel
// transforms between [0, 1] pixels and ±1 states.
#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <optional>
#include <string>

#include "bindings.hpp"
#include "buffers.hpp"
#include "engram/core/rng.hpp"
#include "engram/data/corruption.hpp"
#include "engram/data/datasets.hpp"
#include "engram/data/transforms.hpp"

namespace engram::python {

namespace {

/// A Dataset with its images and labels handed to NumPy.
struct PyDataset {
  std::string name, split;
  py::array images, labels;
  Index rows = 0, cols = 0;
  std::vector<std::string> class_names;
};

Split parse_split(const std::string& split) {
  if (split == "train") return Split::train;
  if (split == "test") return Split::test;
  throw py::value_error(fmt::format("split: expected 'train' or 'test', got '{}'", split));
}

// A Corruption or its spec ("flip:0.1", ...); a bad spec is parse()'s ValueError.
Corruption corruption_of(const py::handle& c) {
  if (py::isinstance<Corruption>(c)) return c.cast<Corruption>();
  if (py::isinstance<py::str>(c)) return Corruption::parse(c.cast<std::string>());
  throw py::type_error(
      fmt::format("corruption: expected a str such as 'flip:0.1' or a Corruption, "
                  "got {}",
                  py::str(py::type::handle_of(c)).cast<std::string>()));
}

// f applied to `x` of any shape: read as a 2-D matrix (the last axis as columns), the result
// reshaped back. The dtype is kept for float32 and float64 (other real arrays become float64).
template <class F>
py::object elementwise(const py::handle& x, bool require_finite, F&& f) {
  const py::array a = py::array::ensure(x);
  if (!a) throw py::value_error("x: expected an array of real numbers");
  const py::tuple shape = a.attr("shape");
  const py::ssize_t cols = a.ndim() == 0 ? 1 : a.shape(a.ndim() - 1);
  py::ssize_t rows = 1;
  for (py::ssize_t k = 0; k + 1 < a.ndim(); ++k) rows *= a.shape(k);
  const py::object matrix = a.attr("reshape")(rows, cols);
  return with_dtype(dtype_of_array(a), [&](auto tag) -> py::object {
    using T = typename decltype(tag)::type;
    const MatrixArg<T> arg(matrix, "x", false, require_finite);
    return to_numpy(f(arg.map())).attr("reshape")(shape);
  });
}

}  // namespace

void bind_data(py::module_& m) {
  py::class_<PyDataset>(m, "Dataset", R"doc(
A labelled image set (SPEC M-40), loaded by load_dataset:
    name         'mnist' or 'fashion'
    split        'train' or 'test'
    images       (N, rows*cols) float32, row-major pixels k/255 in [0, 1]
                 (ds.images.reshape(-1, ds.rows, ds.cols) for (N, 28, 28))
    labels       (N,) uint8 class indices, each < len(class_names)
    rows, cols   image height and width (28, 28)
    class_names  '0'..'9', or Fashion-MNIST's ten garment names
len(ds) is N.)doc")
      .def_readonly("name", &PyDataset::name)
      .def_readonly("split", &PyDataset::split)
      .def_readonly("images", &PyDataset::images)
      .def_readonly("labels", &PyDataset::labels)
      .def_readonly("rows", &PyDataset::rows)
      .def_readonly("cols", &PyDataset::cols)
      .def_readonly("class_names", &PyDataset::class_names)
      .def("__len__", [](const PyDataset& d) { return d.images.shape(0); })
      .def("__repr__", [](const PyDataset& d) {
        return fmt::format("engram.Dataset('{}', split='{}', images={}x{}, rows={}, cols={})",
                           d.name, d.split, d.images.shape(0), d.images.shape(1), d.rows, d.cols);
      });

  m.def(
      "load_dataset",
      [](const std::string& name, const std::string& split, std::optional<Index> limit) {
        const Split s = parse_split(split);
        Dataset data;
        {
          py::gil_scoped_release release;
          data = load_dataset(name, s, limit);
        }
        PyDataset out;
        out.name = data.name;
        out.split = split;
        out.rows = data.rows;
        out.cols = data.cols;
        out.class_names = data.class_names;
        const auto n = static_cast<py::ssize_t>(data.labels.size());
        out.images = to_numpy(std::move(data.images));
        out.labels = adopt(std::move(data.labels), py::dtype::of<std::uint8_t>(), {n});
        return out;
      },
      py::arg("name"), py::arg("split") = "train", py::arg("limit") = py::none(),
      R"doc(Loads `split` ('train': 60,000 examples, 'test': 10,000) of the dataset `name`
('mnist', or 'fashion' / 'fashion-mnist'), keeping the first `limit` examples when given.
MNIST is read from data_dir()/mnist (IDX files), Fashion-MNIST from fashion_dir() (gzipped IDX).
Runs without the GIL. Raises ValueError for an unknown name or split or a bad limit, and
engram.Error naming the file for missing or invalid data (saying how to get it).)doc");
  m.def("data_dir", &data_dir,
        "Where MNIST lives: $ENGRAM_DATA_DIR if set, else the repository's data/ folder.");
  m.def("fashion_dir", &fashion_dir,
        "Where Fashion-MNIST lives: $ENGRAM_FASHION_DIR if set, else "
        "/usr/share/datasets/fashion-mnist.");

  py::class_<Corruption>(m, "Corruption", R"doc(
A corruption of images (SPEC M-41), written as on the command line:
    'flip:F'   each entry independently with probability F becomes lo + hi - x
    'mask:F'   exactly round(F * D) entries per image, drawn without replacement, become fill
    'half'     the lower half of each image (rows r >= rows // 2) becomes fill
    'noise:S'  every entry becomes clip(x + N(0, S^2), lo, hi)
F is in [0, 1], S >= 0. Corruption('flip:0.1').kind == 'flip', .amount == 0.1.)doc")
      .def(py::init(&Corruption::parse), py::arg("spec"),
           "Parses 'flip:F', 'mask:F', 'half' or 'noise:S'.")
      .def_static("parse", &Corruption::parse, py::arg("spec"), "The same as Corruption(spec).")
      .def_property_readonly(
          "kind", [](const Corruption& c) { return Corruption::kind_name(c.kind); },
          "'flip', 'mask', 'half' or 'noise'.")
      .def_property_readonly(
          "amount", [](const Corruption& c) { return c.amount; },
          "The fraction F (flip, mask), the standard deviation S (noise), 0 for half.")
      .def("to_string", &Corruption::to_string, "The spec parse() reads back, e.g. 'flip:0.1'.")
      .def("__str__", &Corruption::to_string)
      .def(
          "__eq__",
          [](const Corruption& a, const Corruption& b) {
            return a.kind == b.kind && a.amount == b.amount;
          },
          py::is_operator())
      .def("__hash__", [](const Corruption& c) { return py::hash(py::str(c.to_string())); })
      .def("__repr__", [](const Corruption& c) {
        return fmt::format("engram.Corruption('{}')", c.to_string());
      });

  m.def(
      "corrupt",
      [](const py::handle& images, const py::handle& corruption, Index rows, Index cols, double lo,
         double hi, double fill, std::uint64_t seed, bool return_mask) {
        const Corruption c = corruption_of(corruption);
        const CorruptionDomain domain{rows, cols, lo, hi, fill};
        return with_dtype(dtype_of_array(images), [&](auto tag) -> py::object {
          using T = typename decltype(tag)::type;
          const MatrixArg<T> x(images, "images", true, false);
          Rng rng(seed);
          CorruptionMask mask;
          Mat<T> out;
          {
            py::gil_scoped_release release;
            out = corrupt<T>(x.map(), c, domain, rng, return_mask ? &mask : nullptr);
          }
          py::array corrupted = to_numpy(std::move(out), x.was_vector());
          if (!return_mask) return corrupted;
          std::vector<py::ssize_t> shape{mask.rows(), mask.cols()};
          if (x.was_vector()) shape = {mask.cols()};
          return py::make_tuple(corrupted, adopt(std::move(mask), py::dtype::of<bool>(), shape));
        });
      },
      py::arg("images"), py::arg("corruption"), py::arg("rows"), py::arg("cols"),
      py::arg("lo") = -1.0, py::arg("hi") = 1.0, py::arg("fill") = 0.0, py::arg("seed") = 0,
      py::arg("return_mask") = false,
      R"doc(A corrupted copy of `images` (B, rows*cols), or one image (rows*cols,), entries in
[lo, hi]: see Corruption for the kinds ('flip:F', 'mask:F', 'half', 'noise:S', or a Corruption).
Masked entries become `fill` (in [lo, hi]; 0 for +-1 states and for [0, 1] pixels). The same seed
gives the same corruption. The dtype is kept (float32 stays float32; others compute in float64).
With return_mask=True returns (corrupted, mask): mask a bool array of the same shape, True where
the corruption flipped, masked or added noise. Raises ValueError when rows*cols differs from the
images' width, lo >= hi, fill is outside [lo, hi], or an entry is NaN or outside [lo, hi].)doc");

  m.def(
      "binarize",
      [](const py::handle& x, double threshold) {
        return elementwise(x, false, [&](const auto& v) {
          return binarize<typename std::remove_cvref_t<decltype(v)>::Scalar>(v, threshold);
        });
      },
      py::arg("x"), py::arg("threshold") = 0.5,
      "+-1 states from values: +1 where x >= threshold, -1 elsewhere (any shape, dtype kept).\n"
      "NaN raises ValueError.");
  m.def(
      "to_bipolar",
      [](const py::handle& x) {
        return elementwise(x, true, [](const auto& v) {
          return to_bipolar<typename std::remove_cvref_t<decltype(v)>::Scalar>(v);
        });
      },
      py::arg("x"), "x -> 2x - 1: [0, 1] pixels to [-1, 1] states (any shape, dtype kept).");
  m.def(
      "from_bipolar",
      [](const py::handle& x) {
        return elementwise(x, true, [](const auto& v) {
          return from_bipolar<typename std::remove_cvref_t<decltype(v)>::Scalar>(v);
        });
      },
      py::arg("x"),
      "s -> (s + 1) / 2: [-1, 1] states back to [0, 1] (any shape, dtype kept); the inverse of\n"
      "to_bipolar.");
}

}  // namespace engram::python
