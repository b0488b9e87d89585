// The demo server's JSON endpoints (docs/demo.md): what the page asks and what the user changes.
#include <string>

#include "engram/core/error.hpp"
#include "server_impl.hpp"
#include "wire.hpp"

namespace engram {

using demo::Clock;
using demo::HttpError;
using demo::send_error;
using demo::send_json;
using nlohmann::json;

namespace {

/// The query parameter `name` as an integer in [lo, hi], or `fallback` when absent.
Index query_integer(const httplib::Request& req, const char* name, Index fallback, Index lo,
                    Index hi) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < lo || v > hi)
    throw HttpError{
        400, fmt::format("query parameter '{}' must be an integer in [{}, {}], got '{}'", name, lo,
                         hi, text)};
  return static_cast<Index>(v);
}

}  // namespace

std::shared_ptr<demo::Session> DemoServer::Impl::session_of(const httplib::Request& req) const {
  auto s = sessions.find(req.matches[1]);
  if (!s)
    throw HttpError{404, "no such session (closed, reclaimed after being idle, or never made)"};
  return s;
}

json DemoServer::Impl::body_object(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) throw HttpError{400, "the request body is not valid JSON"};
  if (!body.is_object()) throw HttpError{400, "the request body must be a JSON object"};
  return body;
}

Eigen::VectorXd DemoServer::Impl::image_from(const json& body) const {
  const ConditionalMemory<double>& m = data.memories->base();
  if (body.contains("test_image")) {
    const json& v = body["test_image"];
    const auto T = static_cast<std::int64_t>(data.test_images.rows());
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() >= T)
      throw HttpError{400,
                      fmt::format("test_image must be an integer in [0, {}), got {}", T, v.dump())};
    return data.test_images.row(v.get<Index>()).cast<double>().transpose();
  }
  if (!body.contains("pixels") || !body["pixels"].is_string())
    throw HttpError{400, "give the image as \"pixels\" (a base64 string) or \"test_image\""};
  return demo::pixels_to_image(body["pixels"].get<std::string>(), m.image_size(), data.pixel_range,
                               "pixels");
}

void DemoServer::Impl::info(httplib::Response& res) const {
  const ConditionalMemory<double>& m = data.memories->base();
  const json defaults = {{"beta", m.options().beta},
                         {"lambda", m.lambda()},
                         {"dt", options.dt},
                         {"steps_per_frame", options.steps_per_frame}};
  // The sliders' ranges (the API accepts LiveSettings' wider ones).
  const json limits = {{"beta", {0.01, 100.0}},
                       {"lambda", {1.0, 10.0 * std::max(1.0, m.lambda())}},
                       {"dt", {0.005, 1.0}},
                       {"steps_per_frame", {1, 20}}};
  send_json(res, 200,
            {{"dataset", data.name},
             {"image_shape", data.image_shape},
             {"classes", data.class_names},
             {"memories", m.size()},
             {"pixel_range", data.pixel_range},
             {"defaults", defaults},
             {"limits", limits},
             {"fps", options.fps},
             {"label_period", options.label_period},
             {"sessions", sessions.size()},
             {"max_sessions", options.max_sessions},
             {"test_images", data.test_images.rows()}});
}

void DemoServer::Impl::memories(httplib::Response& res) const {
  json plane = json::array();
  for (Index mu = 0; mu < data.memory_plane.rows(); ++mu)
    plane.push_back({data.memory_plane(mu, 0), data.memory_plane(mu, 1)});
  const auto& v = data.plane->variance;
  send_json(res, 200,
            {{"labels", data.memories->base().memory_labels()},
             {"pca", std::move(plane)},
             {"explained_variance",
              {v(0) / data.plane->total_variance, v(1) / data.plane->total_variance}}});
}

void DemoServer::Impl::test_images(const httplib::Request& req, httplib::Response& res) const {
  const Index T = data.test_images.rows();
  const Index offset = query_integer(req, "offset", 0, 0, std::max<Index>(T - 1, 0));
  const Index count = query_integer(req, "count", 20, 1, 100);
  json images = json::array();
  for (Index i = offset; i < std::min(T, offset + count); ++i)
    images.push_back(
        {{"index", i},
         {"label", data.test_labels[static_cast<std::size_t>(i)]},
         {"pixels", demo::image_to_pixels(data.test_images.row(i).cast<double>().transpose(),
                                          data.pixel_range)}});
  send_json(res, 200, {{"total", T}, {"images", std::move(images)}});
}

void DemoServer::Impl::create_session(httplib::Response& res) {
  const ConditionalMemory<double>& m = data.memories->base();
  const LiveSettings settings{m.options().beta, m.lambda(), options.dt, options.steps_per_frame};
  const std::uint64_t seed = options.seed + created_++;
  const auto now = Clock::now();
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.label_period));
  std::shared_ptr<demo::Session> s = sessions.add([&](const std::string& id) {
    std::mt19937_64 rng(seed);
    const int label = static_cast<int>(rng() % static_cast<std::uint64_t>(m.num_classes()));
    return std::make_shared<demo::Session>(
        id, LiveConditional(data.memories, settings, label, data.plane), seed, now, period);
  });
  if (!s) {
    res.set_header("Retry-After", "10");
    throw HttpError{503, fmt::format("the server is busy: {} sessions are running, its limit "
                                     "(--max-sessions); try again later",
                                     sessions.limit())};
  }
  send_json(res, 201,
            {{"id", s->id},
             {"frames", fmt::format("/api/sessions/{}/frames", s->id)},
             {"settings", demo::settings_json(settings)}});
}

void DemoServer::Impl::control(const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<demo::Session> s = session_of(req);
  const json body = body_object(req);
  static const std::vector<std::string> known = {
      "mode", "label", "test_image", "pixels", "beta", "lambda", "dt", "steps_per_frame", "reset"};
  for (const auto& [key, value] : body.items())
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw HttpError{400, fmt::format("unknown field '{}' (known: mode, label, test_image, "
                                       "pixels, beta, lambda, dt, steps_per_frame, reset)",
                                       key)};
  // Everything is checked before anything changes.
  std::string mode;
  if (body.contains("mode")) {
    if (!body["mode"].is_string() || (body["mode"] != "generate" && body["mode"] != "classify"))
      throw HttpError{400, fmt::format("mode must be \"generate\" or \"classify\", got {}",
                                       body["mode"].dump())};
    mode = body["mode"].get<std::string>();
  } else if (body.contains("label")) {
    mode = "generate";
  } else if (body.contains("test_image") || body.contains("pixels")) {
    mode = "classify";
  }
  const Index C = data.memories->base().num_classes();
  std::optional<int> label;
  if (mode == "generate" && body.contains("label") && !body["label"].is_null()) {
    const json& v = body["label"];
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() >= C)
      throw HttpError{
          400, fmt::format("label must be an integer in [0, {}) or null, got {}", C, v.dump())};
    label = v.get<int>();
  }
  if (mode == "classify" && body.contains("label"))
    throw HttpError{400, "label goes with mode \"generate\"; classify takes an image"};
  Eigen::VectorXd image;
  if (mode == "classify") image = image_from(body);
  if (mode == "generate" && (body.contains("test_image") || body.contains("pixels")))
    throw HttpError{400, "an image goes with mode \"classify\"; generate takes a label"};
  if (body.contains("reset") && !body["reset"].is_boolean())
    throw HttpError{400, fmt::format("reset must be true or false, got {}", body["reset"].dump())};

  const std::lock_guard lock(s->mutex);
  LiveSettings settings = s->live.settings();
  auto number = [&](const char* key, double& into) {
    if (!body.contains(key)) return;
    if (!body[key].is_number())
      throw HttpError{400, fmt::format("{} must be a number, got {}", key, body[key].dump())};
    into = body[key].get<double>();
  };
  number("beta", settings.beta);
  number("lambda", settings.lambda);
  number("dt", settings.dt);
  if (body.contains("steps_per_frame")) {
    if (!body["steps_per_frame"].is_number_integer())
      throw HttpError{400, fmt::format("steps_per_frame must be an integer, got {}",
                                       body["steps_per_frame"].dump())};
    settings.steps_per_frame = body["steps_per_frame"].get<int>();
  }
  settings.check();  // std::invalid_argument → 400, naming the setting
  const auto now = Clock::now();
  s->live.set_settings(settings);
  if (body.value("reset", false)) s->live.reset();
  if (mode == "generate") {
    s->cycling = !label.has_value();
    s->live.generate(label.value_or(s->live.label()));
    s->next_switch = now + s->label_period;
  } else if (mode == "classify") {
    s->live.classify(image);
  }
  s->last_seen = now;
  json answer = demo::settings_json(s->live.settings());
  answer["mode"] = to_string(s->live.mode());
  answer["label"] = s->live.label();
  answer["auto"] = s->cycling && s->live.mode() == LiveMode::generate;
  send_json(res, 200, answer);
}

void DemoServer::Impl::classify(const httplib::Request& req, httplib::Response& res) const {
  const json body = body_object(req);
  const Eigen::VectorXd image = image_from(body);
  const auto result = data.memories->base().classify(Mat<double>(image.transpose()));
  const Eigen::VectorXd p = result.probabilities.row(0).transpose();
  send_json(res, 200,
            {{"label", result.labels[0]},
             {"class", data.class_names[static_cast<std::size_t>(result.labels[0])]},
             {"probabilities", std::vector<double>(p.begin(), p.end())},
             {"steps", result.relax.steps}});
}

}  // namespace engram
