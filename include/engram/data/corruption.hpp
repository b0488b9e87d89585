// Corrupted cues for recall experiments (SPEC M-41): bit flips, masking a fraction or the lower
// half of each image, and Gaussian noise, seeded so the same seed gives the same corruption.
#pragma once

#include <string>
#include <string_view>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"

namespace engram {

/// Which entries a corruption acted on: B × D, true where it flipped, masked or added noise.
using CorruptionMask = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A corruption and its strength, as written on a command line: "flip:F", "mask:F", "half",
/// "noise:S".
struct Corruption {
  enum class Kind { flip, mask, half, noise };
  Kind kind = Kind::flip;
  /// flip, mask: the fraction F in [0, 1]; noise: the standard deviation S ≥ 0; half: unused (0).
  double amount = 0.0;

  /// Parses "flip:F", "mask:F" (F in [0, 1]), "half" or "noise:S" (S ≥ 0, finite). Throws
  /// std::invalid_argument naming the spec and the expected forms.
  static Corruption parse(std::string_view spec);

  /// The spec parse() reads back to this corruption, e.g. "flip:0.1" or "half".
  std::string to_string() const;
  /// "flip", "mask", "half" or "noise".
  static const char* kind_name(Kind kind);
};

/// The images a corruption works on: each row is a rows × cols image (row-major) with values in
/// [lo, hi]. Masked entries become `fill` (for ±1 states 0 or −1, for [0, 1] pixels 0).
struct CorruptionDomain {
  Index rows = 0, cols = 0;
  double lo = -1.0, hi = 1.0, fill = 0.0;
};

/// M-41: a corrupted copy of `images` (B × rows·cols, entries in [lo, hi]):
///  - flip:F   each entry independently with probability F becomes lo + hi − x (±1 flips sign,
///             [0, 1] pixels invert);
///  - mask:F   exactly round(F·D) entries per image, drawn uniformly without replacement, become
///             fill (D = rows·cols);
///  - half     the lower half of each image, rows r ≥ rows/2, becomes fill;
///  - noise:S  every entry gets x + N(0, S²), then is clipped to [lo, hi].
/// `altered`, when given, receives the B × D mask of the entries acted on (for noise: all, when
/// S > 0). Draws come from `rng` only. Throws std::invalid_argument naming the argument for a
/// domain that does not match the images, lo ≥ hi, fill outside [lo, hi], a bad amount, or an
/// entry that is NaN or outside [lo, hi].
template <class T>
Mat<T> corrupt(const MatCRef<T>& images, const Corruption& c, const CorruptionDomain& d, Rng& rng,
               CorruptionMask* altered = nullptr);

}  // namespace engram
