// Internal: what the demo server puts on the wire. Images travel as "pixels", base64 of one byte
// per value (0 → the low end of the pixel range, 255 → the high end); frames and errors as JSON.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engram/demo/demo_data.hpp"

namespace engram::demo {

/// RFC 4648 base64 (with padding).
std::string base64_encode(std::string_view bytes);
/// Decodes RFC 4648 base64; throws std::invalid_argument naming `what` for a bad character or
/// length.
std::string base64_decode(std::string_view text, const std::string& what);

/// An image as pixels: each value mapped from `range` to 0..255 (clamped, rounded).
std::string image_to_pixels(const Eigen::Ref<const Eigen::VectorXd>& image,
                            const std::array<double, 2>& range);
/// Pixels back to an image of `size` values in `range`; throws std::invalid_argument naming
/// `what` unless they decode to exactly `size` bytes.
Eigen::VectorXd pixels_to_image(std::string_view pixels, Index size,
                                const std::array<double, 2>& range, const std::string& what);

/// The frame as the event stream sends it (docs/demo.md).
nlohmann::json frame_json(const LiveFrame& frame, const LiveSettings& settings, std::int64_t count,
                          bool cycling, double next_switch, const std::array<double, 2>& range);

/// The settings a session answers with.
nlohmann::json settings_json(const LiveSettings& settings);

}  // namespace engram::demo
