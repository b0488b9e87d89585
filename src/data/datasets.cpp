#include "engram/data/datasets.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "engram/core/error.hpp"
#include "engram/io/idx.hpp"

namespace engram {
namespace {

namespace fs = std::filesystem;

constexpr Index kSide = 28;
constexpr int kClasses = 10;

/// One dataset's files and how to obtain them.
struct Source {
  std::string name;
  std::string title;  // for messages
  fs::path dir;
  std::string suffix;  // ".gz" for Fashion-MNIST
  std::string how_to_get;
  std::vector<std::string> class_names;
};

Source source(std::string_view name) {
  if (name == "mnist")
    return {
        "mnist",
        "MNIST",
        data_dir() / "mnist",
        "",
        "run scripts/fetch-data, or set ENGRAM_DATA_DIR to a folder whose mnist/ holds the four "
        "IDX files",
        {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}};
  if (name == "fashion" || name == "fashion-mnist")
    return {"fashion",
            "Fashion-MNIST",
            fashion_dir(),
            ".gz",
            "apt-get install dataset-fashion-mnist, or set ENGRAM_FASHION_DIR to a folder holding "
            "the four .gz IDX files",
            {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Bag",
             "Sneaker", "Ankle boot"}};
  ENGRAM_CHECK(false, "load_dataset: unknown dataset '{}', expected 'mnist' or 'fashion'", name);
  return {};
}

IdxArray read_part(const Source& src, const fs::path& path) {
  if (!fs::exists(path))
    throw Error(
        fmt::format("{} file '{}' is missing: {}", src.title, path.string(), src.how_to_get));
  return read_idx(path);
}

}  // namespace

fs::path data_dir() {
  const char* env = std::getenv("ENGRAM_DATA_DIR");
  return env && *env ? fs::path(env) : fs::path(ENGRAM_DEFAULT_DATA_DIR);
}

fs::path fashion_dir() {
  const char* env = std::getenv("ENGRAM_FASHION_DIR");
  return env && *env ? fs::path(env) : fs::path("/usr/share/datasets/fashion-mnist");
}

Dataset load_dataset(std::string_view name, Split split, std::optional<Index> limit) {
  const Source src = source(name);
  ENGRAM_CHECK(!limit || *limit > 0, "load_dataset: limit must be positive, got {}",
               limit.value_or(0));
  const std::string stem = split == Split::train ? "train" : "t10k";
  const Index expected = split == Split::train ? 60000 : 10000;
  const Index n = limit.value_or(expected);
  ENGRAM_CHECK(n <= expected, "load_dataset: limit {} exceeds the {} examples of {} {}", n,
               expected, src.title, split == Split::train ? "train" : "test");
  const fs::path image_path = src.dir / (stem + "-images-idx3-ubyte" + src.suffix);
  const fs::path label_path = src.dir / (stem + "-labels-idx1-ubyte" + src.suffix);

  // M-40: loaders validate sizes.
  const IdxArray images = read_part(src, image_path);
  if (images.type != IdxType::u8 || images.dims.size() != 3 || images.dims[1] != kSide ||
      images.dims[2] != kSide || images.dims[0] != expected)
    throw Error(
        fmt::format("'{}': expected {} {}x{} images of u8 (dims {}x{}x{}), found dims {} "
                    "of {}",
                    image_path.string(), expected, kSide, kSide, expected, kSide, kSide,
                    shape_string(images.dims), idx_type_name(images.type)));
  const IdxArray labels = read_part(src, label_path);
  if (labels.type != IdxType::u8 || labels.dims.size() != 1 || labels.dims[0] != expected)
    throw Error(fmt::format("'{}': expected {} labels of u8 (dims {}), found dims {} of {}",
                            label_path.string(), expected, expected, shape_string(labels.dims),
                            idx_type_name(labels.type)));
  for (std::size_t i = 0; i < labels.bytes.size(); ++i)
    if (labels.bytes[i] >= kClasses)
      throw Error(fmt::format("'{}': label {} is {}, expected 0..{}", label_path.string(), i,
                              labels.bytes[i], kClasses - 1));

  Dataset d;
  d.name = src.name;
  d.rows = kSide;
  d.cols = kSide;
  d.class_names = src.class_names;
  d.labels.assign(labels.bytes.begin(), labels.bytes.begin() + n);
  const Index pixels = kSide * kSide;
  d.images.resize(n, pixels);
  const unsigned char* raw = images.bytes.data();
  for (Index i = 0; i < n * pixels; ++i) d.images.data()[i] = static_cast<float>(raw[i]) / 255.0f;
  return d;
}

}  // namespace engram
