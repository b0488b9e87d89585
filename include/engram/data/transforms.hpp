// Pixel transforms between the value ranges models use: [0, 1] pixels, ±1 bipolar states and
// their binarised form.
#pragma once

#include "engram/core/types.hpp"

namespace engram {

/// ±1 states from values: +1 where x ≥ threshold, −1 elsewhere (same shape as x). NaN is
/// rejected, naming the entry.
template <class T>
Mat<T> binarize(const MatCRef<T>& x, double threshold = 0.5);

/// x ↦ 2x − 1: [0, 1] pixels to [−1, 1] (same shape).
template <class T>
Mat<T> to_bipolar(const MatCRef<T>& x);

/// s ↦ (s + 1) / 2: [−1, 1] states back to [0, 1] (same shape); the inverse of to_bipolar.
template <class T>
Mat<T> from_bipolar(const MatCRef<T>& s);

}  // namespace engram
