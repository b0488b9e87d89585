// Internal: independent work items spread over the machine's cores with plain std::threads.
#pragma once

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "engram/core/types.hpp"

namespace engram::detail {

/// Calls body(begin, end) on contiguous ranges that cover [0, n), one range per thread, with as
/// many threads as cores but no fewer than `min_per_thread` items each (inline when that leaves
/// one). The ranges must be independent. An exception thrown by any range is rethrown here.
template <class Body>
void parallel_ranges(Index n, Index min_per_thread, const Body& body) {
  const Index cores = std::max<Index>(1, static_cast<Index>(std::thread::hardware_concurrency()));
  const Index threads = std::clamp<Index>(n / std::max<Index>(1, min_per_thread), 1, cores);
  if (threads <= 1) {
    body(Index{0}, n);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  auto run = [&](Index t) {
    try {
      body(n * t / threads, n * (t + 1) / threads);
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> pool;
    for (Index t = 1; t < threads; ++t) pool.emplace_back(run, t);
    run(0);
  }  // joins
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace engram::detail
