#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/core.h>

namespace engram::cli {

namespace {
// Work shorter than this never shows a bar.
constexpr auto kDelay = std::chrono::milliseconds(1500);
constexpr auto kRedraw = std::chrono::milliseconds(100);
constexpr int kWidth = 30;
}  // namespace

ProgressBar::ProgressBar(std::string label, std::int64_t total)
    : label_(std::move(label)),
      total_(std::max<std::int64_t>(total, 1)),
      enabled_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(std::int64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < kDelay || now - last_draw_ < kRedraw) return;
  last_draw_ = now;
  draw(done);
}

void ProgressBar::draw(std::int64_t done) {
  done = std::clamp<std::int64_t>(done, 0, total_);
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kWidth);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = done > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  fmt::print(stderr, "\r{} [{}{}] {}/{} {:.0f}s elapsed, ~{:.0f}s left ", label_,
             std::string(filled, '#'), std::string(kWidth - filled, '.'), done, total_, elapsed,
             eta);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace engram::cli
