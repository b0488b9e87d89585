#include "engram/data/corruption.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "engram/core/error.hpp"

namespace engram {
namespace {

constexpr const char* kForms =
    "expected flip:F or mask:F with F in [0, 1], half, or noise:S with S >= 0";

/// Whether `amount` is allowed for `kind` (fractions in [0, 1], a finite S ≥ 0, half takes none).
bool valid_amount(Corruption::Kind kind, double amount) {
  switch (kind) {
    case Corruption::Kind::flip:
    case Corruption::Kind::mask:
      return amount >= 0.0 && amount <= 1.0;
    case Corruption::Kind::half:
      return amount == 0.0;
    case Corruption::Kind::noise:
      return std::isfinite(amount) && amount >= 0.0;
  }
  return false;
}

}  // namespace

const char* Corruption::kind_name(Kind kind) {
  switch (kind) {
    case Corruption::Kind::flip:
      return "flip";
    case Corruption::Kind::mask:
      return "mask";
    case Corruption::Kind::half:
      return "half";
    case Corruption::Kind::noise:
      return "noise";
  }
  return "?";
}

Corruption Corruption::parse(std::string_view spec) {
  const auto bad = [&] {
    return std::invalid_argument(fmt::format("corruption '{}' not understood: {}", spec, kForms));
  };
  if (spec == "half") return {Kind::half, 0.0};
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) throw bad();
  const std::string_view head = spec.substr(0, colon), number = spec.substr(colon + 1);
  Corruption c;
  if (head == "flip")
    c.kind = Kind::flip;
  else if (head == "mask")
    c.kind = Kind::mask;
  else if (head == "noise")
    c.kind = Kind::noise;
  else
    throw bad();
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), c.amount);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !valid_amount(c.kind, c.amount))
    throw bad();
  return c;
}

std::string Corruption::to_string() const {
  if (kind == Kind::half) return "half";
  return fmt::format("{}:{}", Corruption::kind_name(kind), amount);
}

template <class T>
Mat<T> corrupt(const MatCRef<T>& images, const Corruption& c, const CorruptionDomain& d, Rng& rng,
               CorruptionMask* altered) {
  ENGRAM_CHECK(valid_amount(c.kind, c.amount), "corrupt: amount {} is not valid for {}: {}",
               c.amount, Corruption::kind_name(c.kind), kForms);
  ENGRAM_CHECK(d.rows > 0 && d.cols > 0,
               "corrupt: domain rows and cols must be positive, got {}x{}", d.rows, d.cols);
  const Index pixels = shape_size({d.rows, d.cols}, "corrupt: rows x cols");  // never overflows
  ENGRAM_CHECK(images.cols() == pixels,
               "corrupt: images must have rows*cols = {}x{} = {} columns, got {}", d.rows, d.cols,
               pixels, images.cols());
  ENGRAM_CHECK(std::isfinite(d.lo) && std::isfinite(d.hi) && d.lo < d.hi,
               "corrupt: domain needs finite lo < hi, got [{}, {}]", d.lo, d.hi);
  ENGRAM_CHECK(d.fill >= d.lo && d.fill <= d.hi, "corrupt: fill {} is outside [{}, {}]", d.fill,
               d.lo, d.hi);
  for (Index i = 0; i < images.rows(); ++i)
    for (Index j = 0; j < images.cols(); ++j) {
      const double v = static_cast<double>(images(i, j));
      ENGRAM_CHECK(v >= d.lo && v <= d.hi, "corrupt: images({}, {}) = {} is outside [{}, {}]", i, j,
                   v, d.lo, d.hi);
    }

  // M-41: flips, masks, the lower half, Gaussian noise.
  Mat<T> out = images;
  CorruptionMask mask = CorruptionMask::Zero(images.rows(), images.cols());
  const Index D = images.cols();
  auto& engine = rng.engine();
  switch (c.kind) {
    case Corruption::Kind::flip: {
      std::bernoulli_distribution coin(c.amount);
      for (Index i = 0; i < out.size(); ++i)
        if (coin(engine)) {
          out.data()[i] = static_cast<T>(d.lo + d.hi - static_cast<double>(out.data()[i]));
          mask.data()[i] = true;
        }
      break;
    }
    case Corruption::Kind::mask: {
      const auto k = static_cast<Index>(std::llround(c.amount * static_cast<double>(D)));
      std::vector<Index> order(static_cast<std::size_t>(D));
      std::iota(order.begin(), order.end(), Index{0});
      for (Index b = 0; b < out.rows(); ++b)
        for (Index t = 0; t < k; ++t) {
          // Partial Fisher–Yates: order[t] is a uniform pick among the entries not yet masked.
          const Index pick = t + std::uniform_int_distribution<Index>(0, D - 1 - t)(engine);
          std::swap(order[static_cast<std::size_t>(t)], order[static_cast<std::size_t>(pick)]);
          const Index j = order[static_cast<std::size_t>(t)];
          out(b, j) = static_cast<T>(d.fill);
          mask(b, j) = true;
        }
      break;
    }
    case Corruption::Kind::half: {
      const Index first = (d.rows / 2) * d.cols;
      out.rightCols(D - first).setConstant(static_cast<T>(d.fill));
      mask.rightCols(D - first).setConstant(true);
      break;
    }
    case Corruption::Kind::noise: {
      if (c.amount == 0.0) break;
      std::normal_distribution<double> noise(0.0, c.amount);
      for (Index i = 0; i < out.size(); ++i) {
        const double v = static_cast<double>(out.data()[i]) + noise(engine);
        out.data()[i] = static_cast<T>(std::clamp(v, d.lo, d.hi));
      }
      mask.setConstant(true);
      break;
    }
  }
  if (altered) *altered = std::move(mask);
  return out;
}

template Mat<float> corrupt<float>(const MatCRef<float>&, const Corruption&,
                                   const CorruptionDomain&, Rng&, CorruptionMask*);
template Mat<double> corrupt<double>(const MatCRef<double>&, const Corruption&,
                                     const CorruptionDomain&, Rng&, CorruptionMask*);

}  // namespace engram
