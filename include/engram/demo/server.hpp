// DemoServer: `engram serve`, the live demo of seed 001 (SPEC M-07). Serves the page (web/) and a
// JSON + server-sent-events API; every browser session runs its own LiveConditional. The API is
// documented in docs/demo.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "engram/demo/demo_data.hpp"

namespace engram {

struct DemoServerOptions {
  std::string host = "127.0.0.1";
  int port = 8765;                 ///< 0: any free port (port() tells which)
  std::filesystem::path web_root;  ///< the page's folder; empty: default_web_root()
  int max_sessions = 128;          ///< sessions at once; the next gets 503
  double idle_timeout = 60;        ///< seconds a session without an open stream is kept
  double fps = 25;                 ///< frames per second per stream, in (0, 100]
  double label_period = 6;         ///< seconds between label changes in generate mode
  /// dt and steps per frame of new sessions (β and λ come from the stored memory).
  double dt = 0.1;
  int steps_per_frame = 2;
  std::uint64_t seed = 1;  ///< the label order of the sessions
  /// Throws std::invalid_argument naming the first option outside its range.
  void check() const;
};

/// $ENGRAM_WEB_DIR if set, else the repository's web/ folder.
std::filesystem::path default_web_root();

/// The demo server. start() binds and serves on background threads; stop() (or destruction)
/// ends every stream and joins them. Never throws from a request: bad requests get a 4xx JSON
/// error {"error": "..."}, a full table a 503.
class DemoServer {
 public:
  DemoServer(DemoData data, DemoServerOptions options = {});
  ~DemoServer();
  DemoServer(const DemoServer&) = delete;
  DemoServer& operator=(const DemoServer&) = delete;
  DemoServer(DemoServer&&) noexcept;
  DemoServer& operator=(DemoServer&&) noexcept;

  /// Binds host:port and starts serving; returns the port. Throws engram::Error when the port
  /// cannot be bound or the web folder has no index.html.
  int start();
  /// Ends the streams, stops listening and joins the threads. Idempotent.
  void stop();
  bool running() const;
  int port() const;
  /// "http://host:port/".
  std::string url() const;
  /// Sessions now open.
  std::size_t sessions() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace engram
