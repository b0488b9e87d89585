// Writing files atomically: the content goes to a temporary file beside the target, which is then
// renamed over it, so a reader never sees a half-written file.
#pragma once

#include <filesystem>
#include <string_view>

namespace engram {

/// Writes `content` to `path` atomically (temporary file in the same folder, then rename).
/// Creates missing parent folders. Throws engram::Error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace engram
