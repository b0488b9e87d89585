#include "wire.hpp"

#include <algorithm>
#include <cmath>

#include "engram/core/error.hpp"

namespace engram::demo {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k)
      v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k)
      out.push_back(k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63u] : '=');
  }
  return out;
}

std::string base64_decode(std::string_view text, const std::string& what) {
  ENGRAM_CHECK(text.size() % 4 == 0, "{}: base64 length must be a multiple of 4, got {}", what,
               text.size());
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t v = 0;
    int padding = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      const bool last_group = i + 4 == text.size();
      if (c == '=' && last_group && k >= 2 && (k == 3 || text[i + 3] == '=')) {
        ++padding;
        v <<= 6;
        continue;
      }
      const int d = base64_value(c);
      ENGRAM_CHECK(d >= 0 && padding == 0, "{}: not base64 (character {} at {})", what,
                   static_cast<int>(static_cast<unsigned char>(c)), i + k);
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    for (int k = 0; k < 3 - padding; ++k)
      out.push_back(static_cast<char>((v >> (16 - 8 * k)) & 255u));
  }
  return out;
}

std::string image_to_pixels(const Eigen::Ref<const Eigen::VectorXd>& image,
                            const std::array<double, 2>& range) {
  std::string bytes(static_cast<std::size_t>(image.size()), '\0');
  const double scale = 255.0 / (range[1] - range[0]);
  for (Index i = 0; i < image.size(); ++i) {
    const double v = std::clamp((image(i) - range[0]) * scale, 0.0, 255.0);
    bytes[static_cast<std::size_t>(i)] = static_cast<char>(std::lround(std::isfinite(v) ? v : 0.0));
  }
  return base64_encode(bytes);
}

Eigen::VectorXd pixels_to_image(std::string_view pixels, Index size,
                                const std::array<double, 2>& range, const std::string& what) {
  const std::string bytes = base64_decode(pixels, what);
  ENGRAM_CHECK(static_cast<Index>(bytes.size()) == size,
               "{}: must decode to {} bytes (one per pixel), got {}", what, size, bytes.size());
  Eigen::VectorXd image(size);
  const double scale = (range[1] - range[0]) / 255.0;
  for (Index i = 0; i < size; ++i)
    image(i) = range[0] + scale * static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return image;
}

nlohmann::json settings_json(const LiveSettings& settings) {
  return {{"beta", settings.beta},
          {"lambda", settings.lambda},
          {"dt", settings.dt},
          {"steps_per_frame", settings.steps_per_frame}};
}

nlohmann::json frame_json(const LiveFrame& frame, const LiveSettings& settings, std::int64_t count,
                          bool cycling, double next_switch, const std::array<double, 2>& range) {
  nlohmann::json j = settings_json(settings);
  j["frame"] = count;
  j["step"] = frame.step;
  j["segment"] = frame.segment;
  j["mode"] = to_string(frame.mode);
  j["label"] = frame.label;
  const bool switching = cycling && frame.mode == LiveMode::generate;
  j["auto"] = switching;
  j["next_switch"] = switching ? nlohmann::json(next_switch) : nlohmann::json();
  j["image"] = image_to_pixels(frame.image, range);
  j["probabilities"] = std::vector<double>(frame.probabilities.begin(), frame.probabilities.end());
  j["energy"] = frame.energy;
  j["pca"] = frame.plane ? nlohmann::json(*frame.plane) : nlohmann::json();
  return j;
}

}  // namespace engram::demo
