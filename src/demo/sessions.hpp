// Internal: the demo server's sessions. A session is one LiveConditional with the label cycle of
// generate mode; the table bounds how many run and reclaims those left idle.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "engram/demo/live_conditional.hpp"

namespace engram::demo {

using Clock = std::chrono::steady_clock;

/// One browser's memory. Every member but `id` is guarded by `mutex`.
struct Session {
  Session(std::string id, LiveConditional live, std::uint64_t seed, Clock::time_point now,
          Clock::duration label_period);

  /// In generate mode with the labels cycling: switch to another label when its time has come.
  void cycle_label(Clock::time_point now);
  /// Seconds until the next switch (0 when due).
  double seconds_to_switch(Clock::time_point now) const;

  const std::string id;
  std::mutex mutex;
  LiveConditional live;
  bool cycling = true;
  Clock::duration label_period;
  Clock::time_point next_switch;
  std::mt19937_64 rng;
  bool streaming = false;    ///< an event stream is open
  std::uint64_t stream = 0;  ///< the number of the newest stream; older ones end
  bool closed = false;       ///< removed from the table: its stream ends
  Clock::time_point last_seen;
  std::int64_t frames = 0;
};

/// The open sessions, at most `limit`. Thread-safe.
class SessionTable {
 public:
  explicit SessionTable(std::size_t limit) : limit_(limit) {}

  /// Adds the session `make(id)` returns (a shared_ptr<Session>); nullptr when `limit` are open.
  template <class Make>
  std::shared_ptr<Session> add(Make&& make) {
    const std::lock_guard lock(mutex_);
    if (sessions_.size() >= limit_) return nullptr;
    std::string id = new_id();
    std::shared_ptr<Session> session = make(id);
    sessions_.emplace(std::move(id), session);
    return session;
  }
  /// The session `id`, or nullptr.
  std::shared_ptr<Session> find(const std::string& id) const;
  /// Removes `id` (its stream ends); false when there was none.
  bool remove(const std::string& id);
  /// Removes the sessions without an open stream last seen more than `timeout` ago; how many.
  std::size_t reclaim_idle(Clock::time_point now, Clock::duration timeout);
  /// Removes every session.
  void clear();
  std::size_t size() const;
  std::size_t limit() const { return limit_; }

 private:
  std::string new_id();

  const std::size_t limit_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::random_device device_;
};

}  // namespace engram::demo
