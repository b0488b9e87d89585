// CSV output and atomic file writing.
#include <engram/io/csv.hpp>
#include <engram/io/file.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engram/core/error.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("engram_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

TEST(Csv, HeaderThenRowsWithRoundTripPrecision) {
  Eigen::MatrixXd v(2, 2);
  v << 1.0, -0.1, 1.0 / 3.0, 1e300;
  const std::string csv = to_csv({"a", "b"}, v);
  EXPECT_EQ(csv, "a,b\n1,-0.10000000000000001\n0.33333333333333331,1.0000000000000001e+300\n");
  EXPECT_EQ(std::stod("0.33333333333333331"), 1.0 / 3.0);
}

TEST(Csv, RejectsMismatchedOrUnsafeColumnNames) {
  EXPECT_THROW_MESSAGE(to_csv({"a"}, Eigen::MatrixXd::Zero(1, 2)), std::invalid_argument,
                       "1 column names for 2 columns");
  EXPECT_THROW_MESSAGE(to_csv({"a,b"}, Eigen::MatrixXd::Zero(1, 1)), std::invalid_argument,
                       "contains a comma");
}

TEST(AtomicFile, WritesThroughATemporaryAndLeavesNoneBehind) {
  const fs::path dir = scratch_dir("atomic");
  const fs::path file = dir / "sub" / "trace.csv";
  write_csv(file, {"e"}, Eigen::MatrixXd::Constant(3, 1, 2.5));
  EXPECT_EQ(read(file), "e\n2.5\n2.5\n2.5\n");
  write_file_atomic(file, "replaced\n");
  EXPECT_EQ(read(file), "replaced\n");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(file.parent_path())) ++entries;
  EXPECT_EQ(entries, 1);
  fs::remove_all(dir);
}

TEST(AtomicFile, FailureNamesThePath) {
  const fs::path dir = scratch_dir("blocked");
  fs::create_directories(dir);
  write_file_atomic(dir / "plain", "x");
  // A regular file where a folder is needed.
  EXPECT_THROW_MESSAGE(write_file_atomic(dir / "plain" / "inner.csv", "y"), Error, "plain");
  EXPECT_THROW_MESSAGE(write_file_atomic(dir / "", "y"), std::invalid_argument,
                       "is not a file path");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace engram
