// MlpEnergy<T>: a scalar energy E_θ(x) computed by a small multilayer perceptron (SPEC M-32, seed
// 000 §5.3), with hand-written backpropagation for ∇_x E and ∇_θ E.
#pragma once

#include <string>
#include <vector>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"
#include "engram/io/model_file.hpp"

namespace engram {

/// Smooth hidden activations (the input gradient must be smooth for Langevin sampling).
enum class MlpActivation {
  swish,     ///< φ(z) = z σ(z)
  softplus,  ///< φ(z) = log(1 + e^z)
};

/// "swish" or "softplus".
const char* to_string(MlpActivation a);
/// The activation named "swish" or "softplus"; std::invalid_argument otherwise.
MlpActivation parse_mlp_activation(const std::string& name);

/// E_θ(x) = w_{K+1}ᵀ φ(… φ(x W_1 + b_1) …) + b_{K+1}: K hidden layers of the given widths, a
/// scalar output. x is B × D (samples in rows). Parameters, in params() order: W_1 (D × H_1),
/// b_1 (1 × H_1), …, W_{K+1} (H_K × 1), b_{K+1} (1 × 1), named "W1", "b1", ….
template <class T>
class MlpEnergy {
 public:
  /// Weights N(0, 1/fan_in) (fan_in the rows of W_k), biases 0. Throws for an input size or a
  /// hidden width < 1.
  MlpEnergy(Index input, std::vector<Index> hidden, MlpActivation activation, Rng& rng);

  Index input_size() const { return input_; }
  const std::vector<Index>& hidden() const { return hidden_; }
  MlpActivation activation() const { return activation_; }

  const std::vector<Mat<T>>& params() const { return params_; }
  /// Replaces the parameters; throws unless each has the shape of the current one and is finite.
  void set_params(std::vector<Mat<T>> params);
  /// "W1", "b1", "W2", … in params() order.
  std::vector<std::string> param_names() const;

  /// M-42: the energy as a ModelFile of kind "mlp_energy": config {"input", "hidden": [..],
  /// "activation"} and the tensors by param_names().
  ModelFile<T> to_file() const;
  /// Rebuilds an energy from the config fields and tensors to_file() writes (other config fields
  /// and tensors are ignored, so a training checkpoint serves; the kind is not checked). Throws
  /// std::invalid_argument naming a missing or malformed field or tensor.
  static MlpEnergy from_file(const ModelFile<T>& file);

  /// E_θ(x_b) for each row (B values, double).
  Energies energy(const MatCRef<T>& x) const;
  /// E_θ(x_b) and ∇_x E_θ(x_b) written into grad_x (B × D, already sized).
  Energies energy_and_grad(const MatCRef<T>& x, MatRef<T> grad_x) const;
  /// E_θ(x_b) and g = Σ_b w_b ∇_θ E_θ(x_b) (weights: B values), written into `grads` (resized to
  /// the parameters' shapes).
  Energies param_grad(const MatCRef<T>& x, const Eigen::VectorXd& weights,
                      std::vector<Mat<T>>& grads) const;

 private:
  struct Pass {
    std::vector<Mat<T>> z;  ///< pre-activations of the hidden layers (K)
    std::vector<Mat<T>> a;  ///< the input, then the hidden activations (K + 1)
    Energies energy;
  };
  void forward(const MatCRef<T>& x, Pass& pass) const;
  /// δ_k = ∂E/∂z_k for every hidden layer, deepest first computed, returned in layer order.
  std::vector<Mat<T>> backward(const Pass& pass) const;

  Index input_;
  std::vector<Index> hidden_;
  MlpActivation activation_;
  std::vector<Mat<T>> params_;
};

}  // namespace engram
