// DemoData: what `engram serve` shows, loaded once at start: the stored memories (from a dataset or
// a model file), their PCA plane, and the test images offered to the classifier (SPEC M-07).
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engram/demo/live_conditional.hpp"

namespace engram {

struct DemoDataOptions {
  std::string dataset = "mnist";  ///< "mnist" or "fashion": memories and test images
  Index memories = 1000;          ///< the first N training images are stored
  std::filesystem::path model;    ///< a conditional_memory model file instead of the dataset's
  Index test_images = 10000;      ///< test images offered to the classifier (0: none)
  double beta = 1.0;              ///< β of the stored memory (ignored with a model file)
};

struct DemoData {
  std::string name;                             ///< "mnist", "fashion", or the model file's name
  Shape image_shape;                            ///< {rows, cols}
  std::vector<std::string> class_names;         ///< C names
  std::array<double, 2> pixel_range{0.0, 1.0};  ///< the stored images' lowest and highest value
  std::shared_ptr<const ConditionalVariants> memories;
  std::shared_ptr<const PrincipalComponents> plane;  ///< the first two components of the memories
  Eigen::MatrixXd memory_plane;                      ///< K × 2: each memory in that plane
  Mat<float> test_images;                            ///< T × D
  std::vector<int> test_labels;                      ///< T classes
};

/// Loads the memories and test images and computes the PCA plane. A model file's config may name
/// "class_names" (C strings) and "image_shape" ([rows, cols]); otherwise the classes are "0".."C-1"
/// and the image is square. Test images come from the dataset when their size matches. Throws
/// engram::Error for unreadable data, std::invalid_argument for bad options.
DemoData load_demo_data(const DemoDataOptions& options);

/// The same from a memory already built (tests, Python). An empty image_shape means square images,
/// empty class_names "0".."C-1".
DemoData make_demo_data(ConditionalMemory<double> memory, std::string name, Shape image_shape,
                        std::vector<std::string> class_names, Mat<float> test_images = {},
                        std::vector<int> test_labels = {});

}  // namespace engram
