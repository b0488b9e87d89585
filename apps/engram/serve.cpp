// engram serve: the live demo of seed 001 (SPEC M-07) in a browser. Loads the memories, prints the
// URL, serves until SIGINT or SIGTERM, then stops every stream and exits 0.
#include <csignal>
#include <cstdio>
#include <memory>

#include <fmt/core.h>
#include <pthread.h>

#include "commands.hpp"
#include "engram/demo/server.hpp"

namespace engram::cli {

namespace {

struct ServeArgs {
  DemoDataOptions data;
  DemoServerOptions server;
  std::string web;
};

void run(const ServeArgs& args) {
  ServeArgs a = args;
  a.server.web_root = a.web.empty() ? default_web_root() : std::filesystem::path(a.web);
  a.server.check();
  // SIGINT and SIGTERM are taken by sigwait below: blocked here, before any thread starts, so
  // every server thread inherits the mask and the signal reaches this thread alone.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a browser that goes away mid-frame is not an error

  fmt::print(stderr, "engram serve: loading {} ...\n",
             a.data.model.empty() ? a.data.dataset : a.data.model.string());
  DemoData data = load_demo_data(a.data);
  const std::string what = fmt::format("{}, {} memories, {} test images", data.name,
                                       data.memories->base().size(), data.test_images.rows());
  DemoServer server(std::move(data), a.server);
  server.start();
  fmt::print("engram serve: {} ({}; Ctrl-C stops)\n", server.url(), what);
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  fmt::print(stderr, "engram serve: {} received, stopping\n",
             signal == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  fmt::print(stderr, "engram serve: stopped\n");
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the live demo: seed 001's conditional memory, generating and classifying "
      "in the browser (docs/demo.md).");
  cmd->add_option("--port", args->server.port, "TCP port (0: any free one; the URL is printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--host", args->server.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--dataset", args->data.dataset, "Images to store and to classify")
      ->check(CLI::IsMember({"mnist", "fashion"}))
      ->capture_default_str();
  cmd->add_option("--memories", args->data.memories, "Stored images (the first N of train)")
      ->check(CLI::Range(3, 60000))
      ->capture_default_str();
  cmd->add_option("--model", args->data.model,
                  "A conditional_memory model file to serve instead of the dataset's images")
      ->check(CLI::ExistingFile);
  cmd->add_option("--beta", args->data.beta, "β of the memories (with --dataset)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-sessions", args->server.max_sessions,
                  "Sessions at once; beyond it new ones get 503")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--idle-timeout", args->server.idle_timeout,
                  "Seconds a session without an open stream is kept")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--fps", args->server.fps, "Frames per second per stream")
      ->check(CLI::Range(0.1, 100.0))
      ->capture_default_str();
  cmd->add_option("--label-period", args->server.label_period,
                  "Seconds between label changes in generate mode")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--test-images", args->data.test_images, "Test images offered to classify")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  cmd->add_option("--web", args->web, "The page's folder (default: the repository's web/)")
      ->check(CLI::ExistingDirectory);
  cmd->callback([args] { run(*args); });
}

}  // namespace engram::cli
