// ProgressBar: one line on stderr that redraws itself while long work runs (SPEC M-43).
// It appears only after the work has taken a moment and only on a terminal, so logs stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace engram::cli {

class ProgressBar {
 public:
  /// `label` precedes the bar; `total` is the number of units of work.
  ProgressBar(std::string label, std::int64_t total);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Records that `done` of `total` units are finished and redraws at most ten times a second.
  void update(std::int64_t done);
  /// Clears the line (called by the destructor too).
  void finish();

 private:
  void draw(std::int64_t done);

  std::string label_;
  std::int64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace engram::cli
