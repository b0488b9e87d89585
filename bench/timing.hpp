// How engram-bench times a call: the same rule as bench/contender.py uses for the Python peers,
// so every contender's median is taken the same way.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace engram::bench {

/// Per-call times of one contender on one case.
struct Timing {
  std::vector<double> seconds;  ///< one per repeat: the mean over `inner` back-to-back calls
  int inner = 1;                ///< calls per repeat
  double median() const {
    std::vector<double> s = seconds;
    std::sort(s.begin(), s.end());
    const std::size_t n = s.size();
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }
};

/// One warm-up call, one timed call to size the repeats, then `repeats` samples of `inner` calls,
/// inner chosen so a sample lasts at least `min_sample` seconds (small cases are timed in loops,
/// so clock resolution and call overhead are averaged out the same way for every contender).
template <class F>
Timing measure(F&& call, double min_sample, int repeats) {
  using clock = std::chrono::steady_clock;
  auto seconds_of = [](clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  call();
  const auto t0 = clock::now();
  call();
  const double once = std::max(seconds_of(t0, clock::now()), 1e-9);
  Timing t;
  t.inner = std::max(1, static_cast<int>(std::ceil(min_sample / once)));
  for (int r = 0; r < repeats; ++r) {
    const auto start = clock::now();
    for (int i = 0; i < t.inner; ++i) call();
    t.seconds.push_back(seconds_of(start, clock::now()) / t.inner);
  }
  return t;
}

}  // namespace engram::bench
