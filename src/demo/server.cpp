#include "engram/demo/server.hpp"

#include <cstdlib>

#include "engram/core/cpu.hpp"
#include "engram/core/error.hpp"
#include "server_impl.hpp"
#include "wire.hpp"

namespace engram {

using demo::Clock;
using demo::HttpError;
using demo::send_error;
using demo::send_json;
using nlohmann::json;

void DemoServerOptions::check() const {
  ENGRAM_CHECK(!host.empty(), "demo server: host must not be empty");
  ENGRAM_CHECK(port >= 0 && port <= 65535, "demo server: port must be in [0, 65535], got {}", port);
  ENGRAM_CHECK(max_sessions >= 1 && max_sessions <= 1000,
               "demo server: max_sessions must be in [1, 1000], got {}", max_sessions);
  ENGRAM_CHECK(std::isfinite(idle_timeout) && idle_timeout > 0,
               "demo server: idle_timeout must be a positive number of seconds, got {}",
               idle_timeout);
  ENGRAM_CHECK(std::isfinite(fps) && fps > 0 && fps <= 100,
               "demo server: fps must be in (0, 100], got {}", fps);
  ENGRAM_CHECK(std::isfinite(label_period) && label_period > 0,
               "demo server: label_period must be a positive number of seconds, got {}",
               label_period);
  LiveSettings{1.0, 1.0, dt, steps_per_frame}.check();
}

std::filesystem::path default_web_root() {
  if (const char* dir = std::getenv("ENGRAM_WEB_DIR"); dir != nullptr && *dir != '\0') return dir;
  return ENGRAM_DEFAULT_WEB_DIR;
}

namespace demo {

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

}  // namespace demo

namespace {

const char* status_text(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 413:
      return "request body too large (at most 1 MiB)";
    case 414:
      return "request URI too long";
    case 503:
      return "service unavailable";
    default:
      return status >= 500 ? "server error" : "request error";
  }
}

}  // namespace

DemoServer::Impl::Impl(DemoData data_, DemoServerOptions options_)
    : data(std::move(data_)),
      options(std::move(options_)),
      sessions(static_cast<std::size_t>(options.max_sessions)),
      period_(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(1.0 / options.fps))) {
  ENGRAM_CHECK(data.memories != nullptr, "DemoServer: the demo data holds no memories");
  options.check();
  if (options.web_root.empty()) options.web_root = default_web_root();
  // Every open event stream holds a worker thread; a few more answer the other requests.
  const auto workers = static_cast<std::size_t>(options.max_sessions) + 16;
  http.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };  // httplib owns it
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server share the port.
  http.set_socket_options([](int sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http.set_keep_alive_timeout(2);
  http.set_payload_max_length(1 << 20);
  routes();
}

template <class F>
httplib::Server::Handler DemoServer::Impl::guarded(F handle) {
  return [this, handle](const httplib::Request& req, httplib::Response& res) {
    try {
      handle(req, res);
    } catch (const HttpError& e) {
      send_error(res, e.status, e.message);
    } catch (const json::exception& e) {
      send_error(res, 400, fmt::format("bad JSON value: {}", e.what()));
    } catch (const std::invalid_argument& e) {
      send_error(res, 400, e.what());
    }
  };
}

void DemoServer::Impl::routes() {
  const std::string session = R"(/api/sessions/([0-9a-f]{32}))";
  http.Get("/api/info", guarded([this](const auto&, auto& res) { info(res); }));
  http.Get("/api/memories", guarded([this](const auto&, auto& res) { memories(res); }));
  http.Get("/api/test-images",
           guarded([this](const auto& req, auto& res) { test_images(req, res); }));
  http.Post("/api/sessions", guarded([this](const auto&, auto& res) { create_session(res); }));
  http.Get(session + "/frames", guarded([this](const auto& req, auto& res) { stream(req, res); }));
  http.Post(session + "/control",
            guarded([this](const auto& req, auto& res) { control(req, res); }));
  const auto close = guarded([this](const auto& req, auto& res) {
    if (!sessions.remove(req.matches[1])) throw HttpError{404, "no such session"};
    send_json(res, 200, {{"closed", req.matches[1].str()}});
  });
  http.Delete(session, close);
  http.Post(session + "/close", close);
  http.Post("/api/classify", guarded([this](const auto& req, auto& res) { classify(req, res); }));
  // Anything else under /api/ is a JSON 404 (a wrong method included), never the page.
  const auto unknown = [](const httplib::Request& req, httplib::Response& res) {
    send_error(res, 404, fmt::format("no endpoint {} {} (see docs/demo.md)", req.method, req.path));
  };
  http.Get("/api/.*", unknown);
  http.Post("/api/.*", unknown);
  http.Put("/api/.*", unknown);
  http.Delete("/api/.*", unknown);
  http.Patch("/api/.*", unknown);
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) send_error(res, res.status, status_text(res.status));
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
        std::string what = "internal error";
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          what = x.what();
        } catch (...) {
        }
        send_error(res, 500, what);
      });
}

int DemoServer::Impl::start() {
  if (running) return port;
  const std::filesystem::path index = options.web_root / "index.html";
  if (!std::filesystem::is_regular_file(index))
    throw Error(fmt::format("demo server: the page is missing: no {} (set --web or ENGRAM_WEB_DIR)",
                            index.string()));
  if (!http.set_mount_point("/", options.web_root.string()))
    throw Error(fmt::format("demo server: cannot serve the folder {}", options.web_root.string()));
  port = options.port == 0 ? http.bind_to_any_port(options.host)
                           : (http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0)
    throw Error(fmt::format("demo server: cannot listen on {}:{} (in use, or not an address here)",
                            options.host, options.port));
  // Every session's products are small and many run at once: one BLAS thread per call. With
  // OpenBLAS's own threads, concurrent calls contend and a 10-session load fell from 25 to 4 fps.
  blas_threads = set_blas_threads(1);
  running = true;
  listener = std::thread([this] {
    http.listen_after_bind();
    listen_returned = true;
  });
  // httplib's stop() only wakes a listener already in its accept loop: a stop() right after
  // start() would otherwise leave the listener (and stop's join) blocked for good.
  while (!http.is_running() && !listen_returned)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  reaper = std::thread([this] { reap(); });
  return port;
}

void DemoServer::Impl::stop() {
  {
    const std::lock_guard lock(stop_mutex_);
    if (stopping_ || !running) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  sessions.clear();
  http.stop();
  if (listener.joinable()) listener.join();
  if (reaper.joinable()) reaper.join();
  set_blas_threads(blas_threads);
  running = false;
}

void DemoServer::Impl::reap() {
  const auto timeout = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.idle_timeout));
  const auto every = std::min<Clock::duration>(std::chrono::seconds(1), timeout / 4);
  std::unique_lock lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, every, [this] { return stopping_; })) {
    lock.unlock();
    sessions.reclaim_idle(Clock::now(), timeout);
    lock.lock();
  }
}

void DemoServer::Impl::stream(const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<demo::Session> s = session_of(req);
  std::uint64_t number = 0;
  {
    // A new stream replaces the session's previous one (a reloaded page, a reconnecting
    // EventSource), which ends at its next frame.
    const std::lock_guard lock(s->mutex);
    number = ++s->stream;
    s->streaming = true;
  }
  res.set_header("Cache-Control", "no-store");
  auto next = std::make_shared<Clock::time_point>(Clock::now());
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, s, number, next](std::size_t, httplib::DataSink& sink) {
        return stream_frame(*s, number, *next, sink);
      },
      [s, number](bool) {
        const std::lock_guard lock(s->mutex);
        if (s->stream == number) s->streaming = false;
        s->last_seen = Clock::now();
      });
}

bool DemoServer::Impl::stream_frame(demo::Session& s, std::uint64_t number, Clock::time_point& next,
                                    httplib::DataSink& sink) {
  {
    std::unique_lock lock(stop_mutex_);
    if (stop_cv_.wait_until(lock, next, [this] { return stopping_; })) {
      sink.done();
      return true;
    }
  }
  const Clock::time_point now = Clock::now();
  next = std::max(next + period_, now);  // late frames are not made up in a burst
  std::string event;
  {
    const std::lock_guard lock(s.mutex);
    if (s.closed || s.stream != number) {
      sink.done();
      return true;
    }
    s.cycle_label(now);
    const LiveFrame frame = s.live.advance();
    s.last_seen = now;
    const json j = demo::frame_json(frame, s.live.settings(), ++s.frames, s.cycling,
                                    s.seconds_to_switch(now), data.pixel_range);
    event = "event: frame\ndata: " + j.dump() + "\n\n";
  }
  return sink.write(event.data(), event.size());
}

DemoServer::DemoServer(DemoData data, DemoServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(data), std::move(options))) {}

DemoServer::~DemoServer() {
  if (impl_) impl_->stop();
}
DemoServer::DemoServer(DemoServer&&) noexcept = default;
DemoServer& DemoServer::operator=(DemoServer&&) noexcept = default;

int DemoServer::start() {
  return impl_->start();
}
void DemoServer::stop() {
  impl_->stop();
}
bool DemoServer::running() const {
  return impl_->running;
}
int DemoServer::port() const {
  return impl_->port;
}
std::string DemoServer::url() const {
  return fmt::format("http://{}:{}/", impl_->options.host, impl_->port);
}
std::size_t DemoServer::sessions() const {
  return impl_->sessions.size();
}

}  // namespace engram
