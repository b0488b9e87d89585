#include "engram/io/file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include <unistd.h>

#include "engram/core/error.hpp"

namespace engram {

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  namespace fs = std::filesystem;
  ENGRAM_CHECK(!path.empty() && path.has_filename(), "write_file_atomic: '{}' is not a file path",
               path.string());
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      throw Error(
          fmt::format("cannot create folder '{}': {}", path.parent_path().string(), ec.message()));
  }
  // A unique temporary name in the target's folder, so the rename stays on one file system.
  const fs::path tmp =
      path.string() + fmt::format(".tmp.{}.{:x}", ::getpid(), std::random_device{}());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(fmt::format("cannot write '{}': {}", tmp.string(), std::strerror(errno)));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw Error(fmt::format("cannot write '{}': {}", tmp.string(), std::strerror(errno)));
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw Error(fmt::format("cannot replace '{}': {}", path.string(), ec.message()));
  }
}

}  // namespace engram
