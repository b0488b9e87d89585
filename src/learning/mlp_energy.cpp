// MlpEnergy: forward pass and backpropagation to the input and to the parameters (SPEC M-32).
#include "engram/learning/mlp_energy.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

const char* to_string(MlpActivation a) {
  return a == MlpActivation::swish ? "swish" : "softplus";
}

MlpActivation parse_mlp_activation(const std::string& name) {
  if (name == "swish") return MlpActivation::swish;
  if (name == "softplus") return MlpActivation::softplus;
  throw std::invalid_argument("MLP activation must be 'swish' or 'softplus', got '" + name + "'");
}

namespace {

template <class T>
T sigmoid(T z) {
  return z >= 0 ? T(1) / (T(1) + std::exp(-z)) : std::exp(z) / (T(1) + std::exp(z));
}

template <class T>
T phi(MlpActivation a, T z) {
  if (a == MlpActivation::swish) return z * sigmoid(z);
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

/// φ'(z): swish σ(z)(1 + z(1 − σ(z))), softplus σ(z).
template <class T>
T dphi(MlpActivation a, T z) {
  const T s = sigmoid(z);
  return a == MlpActivation::swish ? s * (T(1) + z * (T(1) - s)) : s;
}

}  // namespace

template <class T>
MlpEnergy<T>::MlpEnergy(Index input, std::vector<Index> hidden, MlpActivation activation, Rng& rng)
    : input_(input), hidden_(std::move(hidden)), activation_(activation) {
  ENGRAM_CHECK(input_ >= 1, "MlpEnergy: input size must be >= 1, got {}", input_);
  Index fan_in = input_;
  std::vector<Index> widths = hidden_;
  widths.push_back(1);
  for (std::size_t k = 0; k < widths.size(); ++k) {
    ENGRAM_CHECK(widths[k] >= 1, "MlpEnergy: hidden width {} must be >= 1, got {}", k + 1,
                 widths[k]);
    params_.push_back(
        rng.normal<T>(fan_in, widths[k], 0.0, 1.0 / std::sqrt(static_cast<double>(fan_in))));
    params_.push_back(Mat<T>::Zero(1, widths[k]));
    fan_in = widths[k];
  }
}

template <class T>
void MlpEnergy<T>::set_params(std::vector<Mat<T>> params) {
  ENGRAM_CHECK(params.size() == params_.size(), "MlpEnergy::set_params: {} tensors, expected {}",
               params.size(), params_.size());
  const auto names = param_names();
  for (std::size_t k = 0; k < params.size(); ++k) {
    check_shape(params[k], params_[k].rows(), params_[k].cols(), "MlpEnergy: " + names[k]);
    check_finite(params[k], "MlpEnergy: " + names[k]);
  }
  params_ = std::move(params);
}

template <class T>
std::vector<std::string> MlpEnergy<T>::param_names() const {
  std::vector<std::string> names;
  for (std::size_t k = 0; k < params_.size() / 2; ++k) {
    names.push_back("W" + std::to_string(k + 1));
    names.push_back("b" + std::to_string(k + 1));
  }
  return names;
}

template <class T>
void MlpEnergy<T>::forward(const MatCRef<T>& x, Pass& pass) const {
  check_shape(x, x.rows(), input_, "MlpEnergy: x (B x input_size)");
  const std::size_t K = hidden_.size();
  pass.z.resize(K);
  pass.a.resize(K + 1);
  pass.a[0] = x;
  for (std::size_t k = 0; k < K; ++k) {
    pass.z[k] = (pass.a[k] * params_[2 * k]).rowwise() + params_[2 * k + 1].row(0);
    pass.a[k + 1] = pass.z[k].unaryExpr([this](T z) { return phi(activation_, z); });
  }
  const Mat<T> out = pass.a[K] * params_[2 * K];
  pass.energy = (out.col(0).array() + params_[2 * K + 1](0, 0)).template cast<double>();
}

// δ_K = ∂E/∂z_K = w_{K+1}ᵀ ⊙ φ'(z_K) (per sample), δ_k = (δ_{k+1} W_{k+1}ᵀ) ⊙ φ'(z_k).
template <class T>
std::vector<Mat<T>> MlpEnergy<T>::backward(const Pass& pass) const {
  const std::size_t K = hidden_.size();
  std::vector<Mat<T>> delta(K);
  for (std::size_t k = K; k-- > 0;) {
    const auto d = pass.z[k].unaryExpr([this](T z) { return dphi(activation_, z); });
    if (k == K - 1)
      delta[k] = d.array().rowwise() * params_[2 * K].col(0).transpose().array();
    else
      delta[k] = (delta[k + 1] * params_[2 * k + 2].transpose()).cwiseProduct(d);
  }
  return delta;
}

template <class T>
Energies MlpEnergy<T>::energy(const MatCRef<T>& x) const {
  Pass pass;
  forward(x, pass);
  return pass.energy;
}

template <class T>
Energies MlpEnergy<T>::energy_and_grad(const MatCRef<T>& x, MatRef<T> grad_x) const {
  Pass pass;
  forward(x, pass);
  check_shape(grad_x, x.rows(), input_, "MlpEnergy: grad_x");
  if (hidden_.empty()) {
    grad_x = Mat<T>::Ones(x.rows(), 1) * params_[0].transpose();
  } else {
    grad_x = backward(pass).front() * params_[0].transpose();
  }
  return pass.energy;
}

template <class T>
Energies MlpEnergy<T>::param_grad(const MatCRef<T>& x, const Eigen::VectorXd& weights,
                                  std::vector<Mat<T>>& grads) const {
  ENGRAM_CHECK(weights.size() == x.rows(), "MlpEnergy::param_grad: {} weights for {} samples",
               weights.size(), x.rows());
  Pass pass;
  forward(x, pass);
  const std::size_t K = hidden_.size();
  const Vec<T> w = weights.cast<T>();
  grads.resize(params_.size());
  std::vector<Mat<T>> delta = backward(pass);
  for (std::size_t k = 0; k <= K; ++k) {
    // The output layer's "δ" is 1 per sample.
    const Mat<T> wd = k == K ? Mat<T>(w) : Mat<T>(delta[k].array().colwise() * w.array());
    grads[2 * k] = pass.a[k].transpose() * wd;
    grads[2 * k + 1] = wd.colwise().sum();
  }
  return pass.energy;
}

template <class T>
ModelFile<T> MlpEnergy<T>::to_file() const {
  ModelFile<T> file;
  file.kind = "mlp_energy";
  file.config = {{"input", input_}, {"hidden", hidden_}, {"activation", to_string(activation_)}};
  const auto names = param_names();
  for (std::size_t k = 0; k < names.size(); ++k) file.tensors[names[k]] = params_[k];
  return file;
}

template <class T>
MlpEnergy<T> MlpEnergy<T>::from_file(const ModelFile<T>& file) {
  Index input = 0;
  std::vector<Index> hidden;
  std::string activation;
  try {
    input = file.config.at("input").template get<Index>();
    hidden = file.config.at("hidden").template get<std::vector<Index>>();
    activation = file.config.at("activation").template get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(
        fmt::format("MLP energy file: config needs input, hidden and activation ({})", e.what()));
  }
  Rng rng(0);
  MlpEnergy<T> f(input, hidden, parse_mlp_activation(activation), rng);
  std::vector<Mat<T>> params;
  for (const std::string& name : f.param_names()) {
    const auto it = file.tensors.find(name);
    ENGRAM_CHECK(it != file.tensors.end(), "MLP energy file: tensor '{}' is missing", name);
    params.push_back(it->second);
  }
  f.set_params(std::move(params));
  return f;
}

template class MlpEnergy<float>;
template class MlpEnergy<double>;

}  // namespace engram
