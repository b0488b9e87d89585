// The demo server (SPEC M-07) over real HTTP on loopback: the page, the JSON endpoints, event
// streams, the session limit, bad requests answered with JSON errors, idle sessions reclaimed, and
// a stop that ends open streams.
#include <engram/demo/server.hpp>

#include <httplib.h>

#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"
#include "support/scratch.hpp"

namespace engram {
namespace {

using nlohmann::json;

constexpr Index C = 3, side = 4, D = side * side;

/// Twelve 4 × 4 images of three classes and three test images, as DemoData.
DemoData tiny_data() {
  Rng rng(11);
  const Mat<double> prototypes = rng.uniform<double>(C, D);
  Mat<double> images(4 * C, D);
  std::vector<int> labels;
  for (Index i = 0; i < images.rows(); ++i) {
    images.row(i) = (prototypes.row(i % C) + rng.normal<double>(1, D, 0.0, 0.05)).cwiseMax(0.0);
    labels.push_back(static_cast<int>(i % C));
  }
  ConditionalOptions o;
  o.beta = 4.0;
  ConditionalMemory<double> memory(D, C, o);
  memory.insert(images, labels);
  Mat<float> test = images.topRows(3).cast<float>();
  return make_demo_data(std::move(memory), "tiny", {side, side}, {"a", "b", "c"}, std::move(test),
                        {0, 1, 2});
}

/// A running server on a free port with a one-line page.
struct Running {
  explicit Running(DemoServerOptions o = {}) : web("demo_web") {
    std::ofstream(web("index.html")) << "<html>engram demo page</html>";
    o.port = 0;
    o.web_root = web.path();
    server = std::make_unique<DemoServer>(tiny_data(), o);
    client = std::make_unique<httplib::Client>("127.0.0.1", server->start());
  }
  json get(const std::string& path, int status = 200) {
    const auto res = client->Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    return json::parse(res->body);
  }
  json post(const std::string& path, const std::string& body, int status = 200) {
    const auto res = client->Post(path, body, "application/json");
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    return json::parse(res->body);
  }
  std::string new_session() { return post("/api/sessions", "", 201)["id"]; }

  /// The first `n` frames of a session's event stream (then the client hangs up).
  std::vector<json> frames(const std::string& id, std::size_t n) {
    std::vector<json> out;
    std::string buffer;
    httplib::Client c("127.0.0.1", server->port());
    c.Get("/api/sessions/" + id + "/frames", [&](const char* data, std::size_t size) {
      buffer.append(data, size);
      for (std::size_t end; (end = buffer.find("\n\n")) != std::string::npos;) {
        const std::string event = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        const auto at = event.find("data: ");
        if (event.rfind("event: frame\n", 0) == 0 && at != std::string::npos)
          out.push_back(json::parse(event.substr(at + 6)));
      }
      return out.size() < n;
    });
    return out;
  }

  test::ScratchDir web;
  std::unique_ptr<DemoServer> server;
  std::unique_ptr<httplib::Client> client;
};

TEST(DemoServer, ServesThePageAndDescribesTheMemory) {
  Running r;
  const auto page = r.client->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<html>engram demo page</html>");
  const json info = r.get("/api/info");
  EXPECT_EQ(info["dataset"], "tiny");
  EXPECT_EQ(info["image_shape"], json({side, side}));
  EXPECT_EQ(info["classes"], json({"a", "b", "c"}));
  EXPECT_EQ(info["memories"], 12);
  EXPECT_EQ(info["test_images"], 3);
  EXPECT_EQ(info["defaults"]["beta"], 4.0);
  const json memories = r.get("/api/memories");
  EXPECT_EQ(memories["labels"].size(), 12u);
  EXPECT_EQ(memories["pca"].size(), 12u);
  const json tests = r.get("/api/test-images?offset=1&count=5");
  EXPECT_EQ(tests["total"], 3);
  ASSERT_EQ(tests["images"].size(), 2u);
  EXPECT_EQ(tests["images"][0]["index"], 1);
  EXPECT_EQ(tests["images"][0]["label"], 1);
  EXPECT_EQ(tests["images"][0]["pixels"].get<std::string>().size(), 24u);  // 16 bytes in base64
}

TEST(DemoServer, StreamsFramesWhoseEnergyNeverRisesWithinASegment) {
  DemoServerOptions o;
  o.fps = 100;
  o.label_period = 0.25;  // several label switches within the frames read
  Running r(o);
  const std::string id = r.new_session();
  const std::vector<json> frames = r.frames(id, 120);
  ASSERT_EQ(frames.size(), 120u);
  int switches = 0;
  for (std::size_t i = 1; i < frames.size(); ++i) {
    const json &a = frames[i - 1], &b = frames[i];
    EXPECT_EQ(b["frame"].get<int>(), a["frame"].get<int>() + 1);
    EXPECT_GE(b["step"].get<int>(), a["step"].get<int>());
    if (b["segment"] == a["segment"])
      EXPECT_LE(b["energy"].get<double>(),
                a["energy"].get<double>() + 1e-12 * (1 + std::abs(a["energy"].get<double>())));
    else
      ++switches;
  }
  EXPECT_GE(switches, 2);
  const json& last = frames.back();
  EXPECT_EQ(last["mode"], "generate");
  EXPECT_EQ(last["auto"], true);
  EXPECT_EQ(last["probabilities"].size(), 3u);
  EXPECT_EQ(last["pca"].size(), 2u);
  EXPECT_EQ(last["image"].get<std::string>().size(), 24u);
}

TEST(DemoServer, ControlsClampTheLabelClassifyAndChangeSettings) {
  Running r;
  const std::string id = r.new_session();
  const std::string control = "/api/sessions/" + id + "/control";
  json answer = r.post(control, R"({"mode": "generate", "label": 2, "beta": 8.0, "dt": 0.2})");
  EXPECT_EQ(answer["label"], 2);
  EXPECT_EQ(answer["auto"], false);
  EXPECT_EQ(answer["beta"], 8.0);
  json frame = r.frames(id, 1).at(0);
  EXPECT_EQ(frame["label"], 2);
  EXPECT_EQ(frame["beta"], 8.0);
  EXPECT_EQ(frame["dt"], 0.2);
  answer = r.post(control, R"({"mode": "classify", "test_image": 1, "steps_per_frame": 20})");
  EXPECT_EQ(answer["mode"], "classify");
  const std::vector<json> frames = r.frames(id, 30);
  EXPECT_EQ(frames.back()["mode"], "classify");
  EXPECT_EQ(frames.back()["label"], 1);  // test image 1 is a stored image of class 1
  const json test = r.get("/api/test-images?offset=1&count=1")["images"][0];
  const json classified = r.post("/api/classify", json({{"pixels", test["pixels"]}}).dump());
  EXPECT_EQ(classified["label"], 1);
  EXPECT_EQ(classified["class"], "b");
  answer = r.post(control, R"({"mode": "generate", "label": null})");
  EXPECT_EQ(answer["auto"], true);
}

TEST(DemoServer, BadRequestsGetJsonErrors) {
  Running r;
  const std::string id = r.new_session();
  const std::string control = "/api/sessions/" + id + "/control";
  auto error_of = [](const json& j) { return j.value("error", std::string()); };
  EXPECT_THAT(error_of(r.post(control, "{not json", 400)), testing::HasSubstr("not valid JSON"));
  EXPECT_THAT(error_of(r.post(control, "[1, 2]", 400)), testing::HasSubstr("JSON object"));
  EXPECT_THAT(error_of(r.post(control, R"({"colour": 1})", 400)),
              testing::HasSubstr("unknown field 'colour'"));
  EXPECT_THAT(error_of(r.post(control, R"({"label": 3})", 400)),
              testing::HasSubstr("label must be an integer in [0, 3)"));
  EXPECT_THAT(error_of(r.post(control, R"({"mode": "dream"})", 400)), testing::HasSubstr("mode"));
  EXPECT_THAT(error_of(r.post(control, R"({"mode": "classify", "pixels": "AAAA"})", 400)),
              testing::HasSubstr("16 bytes"));
  EXPECT_THAT(error_of(r.post(control, R"({"mode": "classify", "pixels": "!!!!"})", 400)),
              testing::HasSubstr("not base64"));
  EXPECT_THAT(error_of(r.post(control, R"({"mode": "classify", "test_image": 3})", 400)),
              testing::HasSubstr("test_image must be an integer in [0, 3)"));
  EXPECT_THAT(error_of(r.post(control, R"({"beta": -1})", 400)), testing::HasSubstr("beta"));
  EXPECT_THAT(error_of(r.post(control, R"({"dt": "fast"})", 400)),
              testing::HasSubstr("dt must be a number"));
  EXPECT_THAT(error_of(r.post(control, R"({"steps_per_frame": 1000})", 400)),
              testing::HasSubstr("steps_per_frame"));
  // Nothing changed by the failed calls.
  EXPECT_EQ(r.frames(id, 1).at(0)["beta"], 4.0);
  EXPECT_THAT(error_of(r.post("/api/sessions/" + std::string(32, 'a') + "/control", "{}", 404)),
              testing::HasSubstr("no such session"));
  EXPECT_THAT(error_of(r.get("/api/nothing", 404)), testing::HasSubstr("no endpoint GET"));
  EXPECT_THAT(error_of(r.get("/api/test-images?count=x", 400)), testing::HasSubstr("count"));
  EXPECT_THAT(error_of(r.post("/api/classify", R"({"pixels": 7})", 400)),
              testing::HasSubstr("pixels"));
  const auto put = r.client->Put("/api/info", "{}", "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 404);
  EXPECT_THAT(json::parse(put->body)["error"].get<std::string>(), testing::HasSubstr("PUT"));
  const auto big = r.client->Post(control, std::string(2 << 20, ' '), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_TRUE(json::parse(big->body).contains("error"));
}

TEST(DemoServer, ANewStreamReplacesTheOldOne) {
  Running r;
  const std::string id = r.new_session();
  bool first_ended = false;
  std::thread first([&] {
    httplib::Client c("127.0.0.1", r.server->port());
    c.Get("/api/sessions/" + id + "/frames", [&](const char*, std::size_t) { return true; });
    first_ended = true;  // the server ended it
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::vector<json> frames = r.frames(id, 5);  // a reconnecting page
  first.join();
  EXPECT_TRUE(first_ended);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_GT(frames.front()["frame"].get<int>(), 1);  // the session went on where it was
}

TEST(DemoServer, RefusesSessionsBeyondItsLimit) {
  DemoServerOptions o;
  o.max_sessions = 2;
  Running r(o);
  const std::string a = r.new_session();
  r.new_session();
  const json busy = r.post("/api/sessions", "", 503);
  EXPECT_THAT(busy["error"].get<std::string>(), testing::HasSubstr("2 sessions are running"));
  // Closing one makes room.
  const auto closed = r.client->Delete("/api/sessions/" + a);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->status, 200);
  r.new_session();
  EXPECT_EQ(r.server->sessions(), 2u);
  EXPECT_THAT(r.post("/api/sessions/" + a + "/close", "", 404)["error"].get<std::string>(),
              testing::HasSubstr("no such session"));
}

TEST(DemoServer, ReclaimsIdleSessions) {
  DemoServerOptions o;
  o.idle_timeout = 0.2;
  Running r(o);
  const std::string id = r.new_session();
  EXPECT_EQ(r.server->sessions(), 1u);
  for (int i = 0; i < 40 && r.server->sessions() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(r.server->sessions(), 0u);
  r.post("/api/sessions/" + id + "/control", R"({"dt": 0.1})", 404);
}

TEST(DemoServer, StopEndsOpenStreamsPromptly) {
  Running r;
  const std::string id = r.new_session();
  std::size_t received = 0;
  std::thread reader([&] {
    httplib::Client c("127.0.0.1", r.server->port());
    c.Get("/api/sessions/" + id + "/frames", [&](const char*, std::size_t size) {
      received += size;
      return true;  // reads until the server ends the stream
    });
  });
  for (int i = 0; i < 100 && received == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GT(received, 0u);
  const auto start = std::chrono::steady_clock::now();
  r.server->stop();
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_FALSE(r.server->running());
  r.server->stop();  // idempotent
}

TEST(DemoServer, StopRightAfterStartReturns) {
  // httplib's stop() only wakes a listener already accepting; start() waits for that, so a stop()
  // at once must not leave the listener (and the join) blocked.
  test::ScratchDir web("demo_web_quick");
  std::ofstream(web("index.html")) << "<html></html>";
  DemoServerOptions o;
  o.port = 0;
  o.web_root = web.path();
  const DemoData data = tiny_data();
  for (int i = 0; i < 50; ++i) {
    DemoServer server(data, o);
    server.start();
    server.stop();
    EXPECT_FALSE(server.running());
  }
}

TEST(DemoData, DefaultsToSquareImagesAndNumberedClasses) {
  const DemoData tiny = tiny_data();
  const ConditionalMemory<double>& m = tiny.memories->base();
  const DemoData d = make_demo_data(m, "plain", {}, {});
  EXPECT_EQ(d.image_shape, Shape({side, side}));
  EXPECT_EQ(d.class_names, std::vector<std::string>({"0", "1", "2"}));
  ConditionalMemory<double> odd(15, C);
  odd.insert(m.memory_images().leftCols(15), m.memory_labels());
  EXPECT_THROW_MESSAGE(make_demo_data(odd, "odd", {}, {}), std::invalid_argument,
                       "images of 15 values are not square");
  EXPECT_THROW_MESSAGE(make_demo_data(m, "bad", {3, 5}, {}), std::invalid_argument,
                       "rows * cols = 16");
  EXPECT_THROW_MESSAGE(make_demo_data(m, "bad", {}, {"a"}), std::invalid_argument,
                       "1 class names for 3 classes");
}

TEST(DemoServerErrors, RejectBadOptionsAndAMissingPage) {
  DemoServerOptions o;
  o.max_sessions = 0;
  EXPECT_THROW_MESSAGE(DemoServer(tiny_data(), o), std::invalid_argument, "max_sessions");
  o = {};
  o.fps = 0;
  EXPECT_THROW_MESSAGE(DemoServer(tiny_data(), o), std::invalid_argument, "fps");
  o = {};
  o.port = 0;
  o.web_root = "/nonexistent/engram/web";
  DemoServer server(tiny_data(), o);
  EXPECT_THROW_MESSAGE(server.start(), Error, "the page is missing");
  // A port in use is a clear error.
  Running r;
  DemoServerOptions same;
  same.port = r.server->port();
  same.web_root = r.web.path();
  DemoServer second(tiny_data(), same);
  EXPECT_THROW_MESSAGE(second.start(), Error, "cannot listen on 127.0.0.1");
}

}  // namespace
}  // namespace engram
