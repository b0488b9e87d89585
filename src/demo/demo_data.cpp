#include "engram/demo/demo_data.hpp"

#include <cmath>

#include "engram/core/error.hpp"
#include "engram/data/datasets.hpp"
#include "engram/io/model_file.hpp"

namespace engram {

namespace {

/// A model file's memory, with the class names and image shape its config may give.
struct FileMemory {
  ConditionalMemory<double> memory;
  Shape image_shape;
  std::vector<std::string> class_names;
};

FileMemory read_model(const std::filesystem::path& path) {
  const ModelFile<double> file = load_model_file<double>(path);
  try {
    // Absent names and shape stay empty: make_demo_data fills in the defaults and checks both.
    FileMemory out{ConditionalMemory<double>::from_file(file), {}, {}};
    if (file.config.contains("image_shape"))
      out.image_shape = file.config["image_shape"].get<Shape>();
    if (file.config.contains("class_names"))
      out.class_names = file.config["class_names"].get<std::vector<std::string>>();
    return out;
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: {}", path.string(), e.what()));
  } catch (const std::invalid_argument& e) {
    throw Error(fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace

DemoData make_demo_data(ConditionalMemory<double> memory, std::string name, Shape image_shape,
                        std::vector<std::string> class_names, Mat<float> test_images,
                        std::vector<int> test_labels) {
  ENGRAM_CHECK(memory.size() >= 3, "demo: at least 3 memories are needed, got {}", memory.size());
  const Index D = memory.image_size();
  if (image_shape.empty()) {
    const auto side = static_cast<Index>(std::lround(std::sqrt(static_cast<double>(D))));
    ENGRAM_CHECK(side * side == D, "demo: images of {} values are not square; give image_shape", D);
    image_shape = {side, side};
  }
  if (class_names.empty())
    for (Index k = 0; k < memory.num_classes(); ++k) class_names.push_back(std::to_string(k));
  ENGRAM_CHECK(image_shape.size() == 2 && shape_size(image_shape) == memory.image_size(),
               "demo: image_shape must be [rows, cols] with rows * cols = {}", memory.image_size());
  ENGRAM_CHECK(static_cast<Index>(class_names.size()) == memory.num_classes(),
               "demo: {} class names for {} classes", class_names.size(), memory.num_classes());
  ENGRAM_CHECK(test_images.rows() == static_cast<Index>(test_labels.size()),
               "demo: {} test images but {} test labels", test_images.rows(), test_labels.size());
  if (test_images.rows() > 0)
    ENGRAM_CHECK(test_images.cols() == memory.image_size(),
                 "demo: test images must have {} columns, got {}", memory.image_size(),
                 test_images.cols());
  for (const int k : test_labels)
    ENGRAM_CHECK(k >= 0 && k < memory.num_classes(), "demo: test label {} outside [0, {})", k,
                 memory.num_classes());
  DemoData d;
  d.name = std::move(name);
  d.image_shape = std::move(image_shape);
  d.class_names = std::move(class_names);
  const Mat<double>& images = memory.memory_images();
  d.pixel_range = {images.minCoeff(), images.maxCoeff()};
  if (!(d.pixel_range[1] > d.pixel_range[0])) d.pixel_range[1] = d.pixel_range[0] + 1.0;
  d.plane = std::make_shared<const PrincipalComponents>(principal_components<double>(images, 2));
  d.memory_plane = d.plane->project<double>(images);
  d.memories = std::make_shared<const ConditionalVariants>(std::move(memory));
  d.test_images = std::move(test_images);
  d.test_labels = std::move(test_labels);
  return d;
}

DemoData load_demo_data(const DemoDataOptions& options) {
  ENGRAM_CHECK(options.test_images >= 0, "demo: test_images must be >= 0, got {}",
               options.test_images);
  Dataset test;
  if (options.test_images > 0)
    test = load_dataset(options.dataset, Split::test, std::min<Index>(options.test_images, 10000));
  std::vector<int> test_labels(test.labels.begin(), test.labels.end());

  if (!options.model.empty()) {
    FileMemory file = read_model(options.model);
    if (test.size() > 0 && test.images.cols() != file.memory.image_size()) {
      test.images.resize(0, 0);
      test_labels.clear();
    }
    return make_demo_data(std::move(file.memory), options.model.filename().string(),
                          std::move(file.image_shape), std::move(file.class_names),
                          std::move(test.images), std::move(test_labels));
  }
  ENGRAM_CHECK(options.memories >= 3 && options.memories <= 60000,
               "demo: memories must be in [3, 60000], got {}", options.memories);
  const Dataset train = load_dataset(options.dataset, Split::train, options.memories);
  ConditionalOptions o;
  o.beta = options.beta;
  ConditionalMemory<double> memory(train.images.cols(),
                                   static_cast<Index>(train.class_names.size()), o);
  memory.insert(train.images.cast<double>(),
                std::vector<int>(train.labels.begin(), train.labels.end()));
  return make_demo_data(std::move(memory), train.name, {train.rows, train.cols}, train.class_names,
                        std::move(test.images), std::move(test_labels));
}

}  // namespace engram
