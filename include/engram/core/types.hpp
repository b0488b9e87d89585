// Scalar, matrix and shape aliases shared by every part of engram.
// Convention: matrices are row-major, one sample per row (B × D for a batch of B states of size D).
#pragma once

#include <Eigen/Core>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace engram {

using Index = Eigen::Index;

/// Row-major dynamic matrix: the currency of engram. Rows are samples.
template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Column vector (one value per sample, or one parameter vector).
template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

/// Read-only view of any row-major matrix with unit inner stride (Mat, Map, block of rows).
template <class T>
using MatCRef = Eigen::Ref<const Mat<T>>;

/// Writable view of a row-major matrix with unit inner stride.
template <class T>
using MatRef = Eigen::Ref<Mat<T>>;

/// Per-sample energies are always double: see SPEC M-04 on accumulating energies of float models.
using Energies = Eigen::VectorXd;

/// Named scalar settings of a Lagrangian or synapse (β, n, λ, ...): with its kind, enough to rebuild
/// it from a model file (M-42).
using Hyperparameters = std::map<std::string, double>;

/// Shape of one sample of a layer, e.g. {784} or {28, 28}. The layer's size is the product.
using Shape = std::vector<Index>;

/// Product of the dimensions of `shape`. Throws, naming `what`, unless every dimension is
/// positive and the product fits an int.
Index shape_size(const Shape& shape, const std::string& what = "shape");

/// "28x28" style text for messages and graph drawings.
std::string shape_string(const Shape& shape);

}  // namespace engram
