// Internal: the demo server's parts shared by server.cpp (lifecycle, routes, streams) and api.cpp
// (the JSON endpoints).
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include <nlohmann/json.hpp>

#include "engram/demo/server.hpp"
#include "sessions.hpp"

namespace engram {

namespace demo {

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, int status, const std::string& message);

/// A request that cannot be served: the status and the message of its JSON error.
struct HttpError {
  int status;
  std::string message;
};

}  // namespace demo

class DemoServer::Impl {
 public:
  Impl(DemoData data, DemoServerOptions options);
  int start();
  void stop();

  DemoData data;
  DemoServerOptions options;
  demo::SessionTable sessions;
  httplib::Server http;
  std::thread listener, reaper;
  std::atomic<bool> running{false};
  std::atomic<bool> listen_returned{false};  ///< the listener thread is done
  int port = 0;
  int blas_threads = 0;  ///< the BLAS thread count before start(), restored by stop()

 private:
  void routes();
  /// Runs `handle`, turning demo::HttpError, std::invalid_argument and JSON errors into 4xx
  /// answers.
  template <class F>
  httplib::Server::Handler guarded(F handle);
  std::shared_ptr<demo::Session> session_of(const httplib::Request& req) const;
  static nlohmann::json body_object(const httplib::Request& req);
  Eigen::VectorXd image_from(const nlohmann::json& body) const;

  void info(httplib::Response& res) const;
  void memories(httplib::Response& res) const;
  void test_images(const httplib::Request& req, httplib::Response& res) const;
  void create_session(httplib::Response& res);
  void stream(const httplib::Request& req, httplib::Response& res);
  bool stream_frame(demo::Session& s, std::uint64_t number, demo::Clock::time_point& next,
                    httplib::DataSink& sink);
  void control(const httplib::Request& req, httplib::Response& res);
  void classify(const httplib::Request& req, httplib::Response& res) const;
  void reap();

  demo::Clock::duration period_;
  std::atomic<std::uint64_t> created_{0};
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace engram
