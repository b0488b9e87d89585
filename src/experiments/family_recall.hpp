// Internal: one interface over the model families' facades, so the recall and capacity
// experiments treat them alike. Each family builds its facade from the stored ±1 patterns.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "engram/experiments/recall.hpp"
#include "engram/models/retrieval.hpp"

namespace engram::detail {

class FamilyRecall {
 public:
  virtual ~FamilyRecall() = default;
  /// E.g. "modern Hopfield (beta = 1)".
  virtual std::string description() const = 0;
  /// Retrieves a batch of cues (B × D); `seed` drives random update orders.
  virtual Retrieval<float> recall(const MatCRef<float>& cues, std::uint64_t seed) const = 0;
  /// Writes the facade as a model file (save_model, M-42).
  virtual void save(const std::filesystem::path& path) const = 0;
};

/// The facade of `config.model` storing `patterns` (P × D, ±1 or ±1-scaled grey levels), with the
/// family's defaults for options left unset.
std::unique_ptr<FamilyRecall> make_family_recall(const RecallConfig& config,
                                                 const Mat<float>& patterns);

}  // namespace engram::detail
