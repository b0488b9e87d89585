// A scratch folder for a test's files: fresh when made, removed with everything in it when the
// test ends (also when it fails).
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace engram::test {

class ScratchDir {
 public:
  /// A folder named after `name` and the process under the system's temporary folder.
  explicit ScratchDir(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() /
             fmt::format("engram_test_{}_{}", name, ::getpid())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  /// The path of file `name` inside the folder.
  std::filesystem::path operator()(const std::string& name) const { return dir_ / name; }
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace engram::test
