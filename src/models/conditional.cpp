#include "engram/models/conditional.hpp"

#include <cmath>

#include "engram/core/error.hpp"
#include "engram/neurons/identity.hpp"
#include "engram/neurons/softmax.hpp"
#include "engram/synapses/l2.hpp"
#include "engram/synapses/label.hpp"
#include "model_file_checks.hpp"

namespace engram {

template <class T>
ConditionalMemory<T>::ConditionalMemory(Index image_size, Index num_classes,
                                        ConditionalOptions options)
    : image_size_(image_size), num_classes_(num_classes), options_(std::move(options)) {
  ENGRAM_CHECK(image_size > 0, "ConditionalMemory: image_size must be positive, got {}",
               image_size);
  ENGRAM_CHECK(num_classes > 0, "ConditionalMemory: num_classes must be positive, got {}",
               num_classes);
  check_positive(options_.beta, "ConditionalMemory: beta");
  check_positive(options_.label_logit, "ConditionalMemory: label_logit");
  if (options_.lambda) check_positive(*options_.lambda, "ConditionalMemory: lambda");
  memory_images_.resize(0, image_size);
}

template <class T>
void ConditionalMemory<T>::insert(const MatCRef<T>& images, const std::vector<int>& labels) {
  ENGRAM_CHECK(images.cols() == image_size_,
               "ConditionalMemory::insert: images must have {} columns, got {}", image_size_,
               images.cols());
  ENGRAM_CHECK(static_cast<Index>(labels.size()) == images.rows(),
               "ConditionalMemory::insert: {} images but {} labels", images.rows(), labels.size());
  check_finite(images, "ConditionalMemory::insert: images");
  for (std::size_t i = 0; i < labels.size(); ++i)
    ENGRAM_CHECK(labels[i] >= 0 && labels[i] < num_classes_,
                 "ConditionalMemory::insert: label {} of image {} is outside [0, {})", labels[i], i,
                 num_classes_);
  Mat<T> all(memory_images_.rows() + images.rows(), image_size_);
  all << memory_images_, images;
  std::vector<int> all_labels = memory_labels_;
  all_labels.insert(all_labels.end(), labels.begin(), labels.end());
  // Build first, then commit: if building throws, the memory is left as it was.
  const double lambda = options_.lambda ? *options_.lambda : automatic_lambda(all);
  EnergyGraph<T> graph = build_graph(all, all_labels, lambda);
  memory_images_ = std::move(all);
  memory_labels_ = std::move(all_labels);
  lambda_ = lambda;
  graph_ = std::move(graph);
}

template <class T>
double ConditionalMemory<T>::automatic_lambda(const Mat<T>& images) {
  // 1 + 2·max_μ ‖θ_μ − mean‖² ≥ 1 + ½·diameter²: the label outweighs any difference of distances.
  const Mat<double> centred =
      images.template cast<double>().rowwise() - images.template cast<double>().colwise().mean();
  return 1.0 + 2.0 * centred.rowwise().squaredNorm().maxCoeff();
}

template <class T>
EnergyGraph<T> ConditionalMemory<T>::build_graph(const Mat<T>& images,
                                                 const std::vector<int>& labels,
                                                 double lambda) const {
  const Index K = images.rows(), C = num_classes_;
  Mat<T> one_hot = Mat<T>::Zero(K, C);
  for (Index mu = 0; mu < K; ++mu) one_hot(mu, labels[mu]) = T(1);
  EnergyGraph<T> g;
  g.add_layer("x", {image_size_}, Identity<T>())
      .add_layer("y", {C}, Softmax<T>(1.0))
      .add_layer("z", {K}, Softmax<T>(options_.beta))
      .add_synapse("image", {"x", "z"}, L2Synapse<T>(images))
      .add_synapse("label", {"z", "y"}, LabelSynapse<T>(std::move(one_hot), lambda));
  return g;
}

template <class T>
const EnergyGraph<T>& ConditionalMemory<T>::graph() const {
  ENGRAM_CHECK(size() > 0, "ConditionalMemory: no memories stored yet; call insert() first");
  return graph_;
}

template <class T>
typename ConditionalMemory<T>::Generated ConditionalMemory<T>::generate(
    const std::vector<int>& labels, const std::optional<Mat<T>>& start) const {
  const EnergyGraph<T>& g = graph();
  const Index B = static_cast<Index>(labels.size());
  ENGRAM_CHECK(B > 0, "ConditionalMemory::generate: labels must not be empty");
  State<T> state = g.zeros(B);
  for (Index b = 0; b < B; ++b) {
    const int k = labels[b];
    ENGRAM_CHECK(k >= 0 && k < num_classes_,
                 "ConditionalMemory::generate: label {} is outside [0, {})", k, num_classes_);
    state["y"](b, k) = static_cast<T>(options_.label_logit);
  }
  if (start) {
    check_shape(*start, B, image_size_, "ConditionalMemory::generate: start");
    state["x"] = *start;
  } else {
    state["x"] = memory_images_.colwise().mean().replicate(B, 1);
  }
  RelaxOptions opts = options_.relax;
  opts.clamped = {"y"};
  Generated out;
  out.relax = relax(g, state, opts);
  out.images = state["x"];  // identity Lagrangian: x̂ = x
  return out;
}

template <class T>
typename ConditionalMemory<T>::Classified ConditionalMemory<T>::classify(
    const MatCRef<T>& images) const {
  const EnergyGraph<T>& g = graph();
  ENGRAM_CHECK(images.rows() > 0 && images.cols() == image_size_,
               "ConditionalMemory::classify: images must be B x {} with B > 0, got {}x{}",
               image_size_, images.rows(), images.cols());
  State<T> state = g.zeros(images.rows());
  state["x"] = images;
  state["z"] = memories_at_rest(images);
  RelaxOptions opts = options_.relax;
  opts.clamped = {"x"};
  Classified out;
  out.relax = relax(g, state, opts);
  out.probabilities = g.layer("y").lagrangian->activation(state["y"]);
  for (Index b = 0; b < images.rows(); ++b) {
    Index k;
    out.probabilities.row(b).maxCoeff(&k);
    out.labels.push_back(static_cast<int>(k));
  }
  return out;
}

template <class T>
Mat<T> ConditionalMemory<T>::memories_at_rest(const MatCRef<T>& images) const {
  graph();  // throws when empty
  ENGRAM_CHECK(images.cols() == image_size_,
               "ConditionalMemory::memories_at_rest: images must have {} columns, got {}",
               image_size_, images.cols());
  // ‖θ_μ − x‖² = ‖θ_μ‖² − 2 θ_μ·x + ‖x‖², in double.
  const Eigen::MatrixXd x = images.template cast<double>();
  const Eigen::MatrixXd theta = memory_images_.template cast<double>();
  Eigen::MatrixXd d2 = -2.0 * x * theta.transpose();
  d2.colwise() += x.rowwise().squaredNorm();
  d2.rowwise() += theta.rowwise().squaredNorm().transpose();
  return (lambda_ / static_cast<double>(num_classes_) - 0.5 * d2.array().max(0.0))
      .matrix()
      .template cast<T>();
}

template <class T>
ModelFile<T> ConditionalMemory<T>::to_file() const {
  ModelFile<T> f;
  f.kind = "conditional_memory";
  f.config = {{"image_size", image_size_},
              {"num_classes", num_classes_},
              {"beta", options_.beta},
              {"lambda", options_.lambda ? nlohmann::json(*options_.lambda) : nlohmann::json()},
              {"label_logit", options_.label_logit},
              {"dt", options_.relax.dt},
              {"max_steps", options_.relax.max_steps}};
  f.tensors.emplace("images", memory_images_);
  Mat<T> labels(size(), 1);
  for (Index mu = 0; mu < size(); ++mu) labels(mu, 0) = static_cast<T>(memory_labels_[mu]);
  f.tensors.emplace("labels", std::move(labels));
  return f;
}

template <class T>
ConditionalMemory<T> ConditionalMemory<T>::from_file(const ModelFile<T>& file) {
  constexpr const char* who = "ConditionalMemory::from_file";
  detail::require_kind(file, "conditional_memory", who);
  detail::require_known_tensors(file, {"images", "labels"}, who);
  const Index D = detail::config_integer(file.config, "image_size", who);
  const Index C = detail::config_integer(file.config, "num_classes", who);
  ConditionalOptions o;
  o.beta = detail::config_number(file.config, "beta", who);
  if (file.config.contains("lambda") && !file.config["lambda"].is_null())
    o.lambda = detail::config_number(file.config, "lambda", who);
  o.label_logit = detail::config_number(file.config, "label_logit", who);
  o.relax.dt = detail::config_number(file.config, "dt", who);
  o.relax.max_steps = static_cast<int>(detail::config_integer(file.config, "max_steps", who));
  check_positive(o.relax.dt, fmt::format("{}: dt", who));
  ENGRAM_CHECK(o.relax.max_steps > 0, "{}: max_steps must be positive, got {}", who,
               o.relax.max_steps);
  const Mat<T>& images = detail::require_tensor(file, "images", -1, D, who);
  const Mat<T>& labels = detail::require_tensor(file, "labels", images.rows(), 1, who);
  ConditionalMemory memory(D, C, o);
  if (images.rows() == 0) return memory;
  std::vector<int> classes(images.rows());
  for (Index mu = 0; mu < images.rows(); ++mu) {
    const T k = labels(mu, 0);
    ENGRAM_CHECK(k == std::floor(k) && k >= 0 && k < static_cast<T>(C),
                 "{}: label {} of memory {} is not a class index in [0, {})", who, k, mu, C);
    classes[mu] = static_cast<int>(k);
  }
  memory.insert(images, classes);
  return memory;
}

template class ConditionalMemory<float>;
template class ConditionalMemory<double>;

}  // namespace engram
