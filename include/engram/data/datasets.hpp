// Real image datasets (SPEC M-40): MNIST (IDX files fetched by scripts/fetch-data) and
// Fashion-MNIST (Debian's dataset-fashion-mnist, gzipped IDX read in place), loaded and validated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engram/core/types.hpp"

namespace engram {

enum class Split { train, test };

/// A labelled image set. Images are N × rows·cols, row-major pixels scaled from 0..255 to [0, 1].
struct Dataset {
  std::string name;                      ///< "mnist" or "fashion"
  Mat<float> images;                     ///< N × rows·cols, values k/255
  std::vector<std::uint8_t> labels;      ///< N class indices, each < class_names.size()
  Index rows = 0, cols = 0;              ///< image height and width (28 × 28)
  std::vector<std::string> class_names;  ///< "0".."9", or Fashion-MNIST's ten garment names

  Index size() const { return images.rows(); }
};

/// Where MNIST lives: $ENGRAM_DATA_DIR if set, else the repository's data/ folder. MNIST's four
/// IDX files are in data_dir() / "mnist".
std::filesystem::path data_dir();

/// Where Fashion-MNIST's four .gz files live: $ENGRAM_FASHION_DIR if set, else
/// /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
std::filesystem::path fashion_dir();

/// Loads `split` of the dataset `name` ("mnist", or "fashion" / "fashion-mnist"), keeping the first
/// `limit` examples when given (0 < limit ≤ the split's size). Checks that the images are 28 × 28
/// u8 of rank 3, the labels u8 of rank 1 with values < 10, and that both hold 60,000 (train) or
/// 10,000 (test) examples. Throws engram::Error naming the file and the problem, and for a missing
/// file saying how to get it (scripts/fetch-data, apt-get install dataset-fashion-mnist);
/// std::invalid_argument for an unknown name or a bad limit.
Dataset load_dataset(std::string_view name, Split split, std::optional<Index> limit = {});

}  // namespace engram
