#include "sessions.hpp"

#include <fmt/format.h>

namespace engram::demo {

Session::Session(std::string id_, LiveConditional live_, std::uint64_t seed, Clock::time_point now,
                 Clock::duration period)
    : id(std::move(id_)),
      live(std::move(live_)),
      label_period(period),
      next_switch(now + period),
      rng(seed),
      last_seen(now) {}

void Session::cycle_label(Clock::time_point now) {
  if (!cycling || live.mode() != LiveMode::generate || now < next_switch) return;
  const int C = static_cast<int>(live.memory().num_classes());
  if (C > 1) {
    // Another label, uniformly among the other C − 1.
    const int step = 1 + static_cast<int>(std::uniform_int_distribution<int>(0, C - 2)(rng));
    live.generate((live.label() + step) % C);
  }
  next_switch = now + label_period;
}

double Session::seconds_to_switch(Clock::time_point now) const {
  return std::max(0.0, std::chrono::duration<double>(next_switch - now).count());
}

std::shared_ptr<Session> SessionTable::find(const std::string& id) const {
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

bool SessionTable::remove(const std::string& id) {
  std::shared_ptr<Session> session;
  {
    const std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    session = std::move(it->second);
    sessions_.erase(it);
  }
  const std::lock_guard lock(session->mutex);
  session->closed = true;
  return true;
}

std::size_t SessionTable::reclaim_idle(Clock::time_point now, Clock::duration timeout) {
  std::vector<std::string> idle;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [id, session] : sessions_) {
      const std::lock_guard session_lock(session->mutex);
      if (!session->streaming && now - session->last_seen > timeout) idle.push_back(id);
    }
  }
  std::size_t removed = 0;
  for (const std::string& id : idle) removed += remove(id) ? 1 : 0;
  return removed;
}

void SessionTable::clear() {
  std::map<std::string, std::shared_ptr<Session>> all;
  {
    const std::lock_guard lock(mutex_);
    all.swap(sessions_);
  }
  for (auto& [id, session] : all) {
    const std::lock_guard lock(session->mutex);
    session->closed = true;
  }
}

std::size_t SessionTable::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::string SessionTable::new_id() {
  // 128 random bits as hex: unguessable, so one browser cannot steer another's session.
  std::string id;
  do {
    id = fmt::format("{:08x}{:08x}{:08x}{:08x}", device_(), device_(), device_(), device_());
  } while (sessions_.count(id) != 0);
  return id;
}

}  // namespace engram::demo
