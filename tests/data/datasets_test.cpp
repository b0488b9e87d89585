// Datasets (M-40) on the real files: sizes, ranges, classes, and agreement with the raw bytes read
// here independently; a missing folder or a malformed file gives a message that says what to do.
// Without the data these tests fail with the loader's message: run scripts/fetch-data.
#include <engram/data/datasets.hpp>

#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include "engram/core/error.hpp"
#include "engram/io/idx.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

namespace fs = std::filesystem;

/// Sets an environment variable for one scope, restoring what was there before.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// The whole content of a file, gunzipped by zlib when it is gzipped (not through read_idx).
std::string raw_bytes(const fs::path& p) {
  gzFile gz = gzopen(p.string().c_str(), "rb");
  if (!gz) throw std::runtime_error("cannot open " + p.string());
  std::string out;
  char buf[1 << 16];
  for (int n; (n = gzread(gz, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  gzclose(gz);
  return out;
}

/// A fresh empty folder, removed at the end of the scope.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() /
             fmt::format("engram_data_{}_{}", name, static_cast<long>(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

struct Case {
  const char* name;
  fs::path (*dir)();
  const char* suffix;
};
fs::path mnist_dir() {
  return data_dir() / "mnist";
}
const Case kCases[] = {{"mnist", mnist_dir, ""}, {"fashion", fashion_dir, ".gz"}};

TEST(Datasets, TestSplitsMatchTheRawBytes) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const Dataset d = load_dataset(c.name, Split::test);
    EXPECT_EQ(d.name, c.name);
    ASSERT_EQ(d.size(), 10000);
    ASSERT_EQ(d.images.cols(), 784);
    EXPECT_EQ(d.rows, 28);
    EXPECT_EQ(d.cols, 28);
    EXPECT_GE(d.images.minCoeff(), 0.0f);
    EXPECT_LE(d.images.maxCoeff(), 1.0f);
    ASSERT_EQ(d.labels.size(), 10000u);
    EXPECT_EQ(std::set<int>(d.labels.begin(), d.labels.end()).size(), 10u);
    EXPECT_LT(*std::max_element(d.labels.begin(), d.labels.end()), 10);
    ASSERT_EQ(d.class_names.size(), 10u);

    // The raw files: a 16-byte image header (00 00 08 03, 10000, 28, 28), an 8-byte label header.
    const std::string images =
        raw_bytes(c.dir() / (std::string("t10k-images-idx3-ubyte") + c.suffix));
    const std::string labels =
        raw_bytes(c.dir() / (std::string("t10k-labels-idx1-ubyte") + c.suffix));
    ASSERT_EQ(images.size(), 16u + 10000u * 784u);
    ASSERT_EQ(labels.size(), 8u + 10000u);
    EXPECT_EQ(images.substr(0, 16),
              std::string("\0\0\x08\x03\0\0\x27\x10\0\0\0\x1c\0\0\0\x1c", 16));
    for (Index i : {Index{0}, Index{1234}, Index{9999}}) {
      double raw_sum = 0;
      for (Index j = 0; j < 784; ++j) {
        const auto byte = static_cast<unsigned char>(images[16 + i * 784 + j]);
        raw_sum += byte;
        ASSERT_EQ(d.images(i, j), static_cast<float>(byte) / 255.0f) << i << "," << j;
      }
      EXPECT_NEAR(d.images.row(i).cast<double>().sum() * 255.0, raw_sum, 1e-6 * raw_sum);
      EXPECT_GT(raw_sum, 0.0);
    }
    EXPECT_TRUE(
        std::equal(d.labels.begin(), d.labels.end(), labels.begin() + 8,
                   [](std::uint8_t a, char b) { return a == static_cast<unsigned char>(b); }));
  }
  const Dataset fashion = load_dataset("fashion-mnist", Split::test, 1);
  EXPECT_EQ(fashion.class_names.front(), "T-shirt/top");
  EXPECT_EQ(fashion.class_names.back(), "Ankle boot");
}

TEST(Datasets, TrainSplitsAndLimitKeepTheFirstExamples) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const Dataset d = load_dataset(c.name, Split::train, 50);
    ASSERT_EQ(d.size(), 50);
    ASSERT_EQ(d.labels.size(), 50u);
    const std::string labels =
        raw_bytes(c.dir() / (std::string("train-labels-idx1-ubyte") + c.suffix));
    ASSERT_EQ(labels.size(), 8u + 60000u);
    for (std::size_t i = 0; i < 50; ++i)
      EXPECT_EQ(d.labels[i], static_cast<unsigned char>(labels[8 + i]));
    const Dataset first = load_dataset(c.name, Split::test, 3);
    EXPECT_EQ(first.images, load_dataset(c.name, Split::test).images.topRows(3));
  }
  EXPECT_THROW_MESSAGE(load_dataset("mnist", Split::test, 10001), std::invalid_argument,
                       "limit 10001 exceeds the 10000 examples of MNIST test");
  EXPECT_THROW_MESSAGE(load_dataset("mnist", Split::train, 0), std::invalid_argument,
                       "limit must be positive, got 0");
  EXPECT_THROW_MESSAGE(load_dataset("cifar", Split::train), std::invalid_argument,
                       "unknown dataset 'cifar', expected 'mnist' or 'fashion'");
}

TEST(Datasets, MissingFilesSayHowToGetThem) {
  const TempDir empty("empty");
  {
    const ScopedEnv env("ENGRAM_DATA_DIR", empty.path.string());
    EXPECT_EQ(data_dir(), empty.path);
    EXPECT_THROW_MESSAGE(load_dataset("mnist", Split::test), Error,
                         (empty.path / "mnist" / "t10k-images-idx3-ubyte").string() +
                             "' is missing: run scripts/fetch-data");
  }
  const ScopedEnv env("ENGRAM_FASHION_DIR", empty.path.string());
  EXPECT_THROW_MESSAGE(load_dataset("fashion", Split::train), Error,
                       (empty.path / "train-images-idx3-ubyte.gz").string() +
                           "' is missing: apt-get install dataset-fashion-mnist");
}

TEST(Datasets, MalformedFilesAreNamedWithTheProblem) {
  const TempDir dir("malformed");
  const ScopedEnv env("ENGRAM_DATA_DIR", dir.path.string());
  const fs::path images = dir.path / "mnist" / "t10k-images-idx3-ubyte";
  const fs::path labels = dir.path / "mnist" / "t10k-labels-idx1-ubyte";
  const auto u8 = [](std::vector<Index> dims, unsigned char value) {
    IdxArray a{IdxType::u8, std::move(dims), {}};
    a.bytes.assign(static_cast<std::size_t>(a.count()), value);
    return a;
  };
  write_idx(images, u8({10000, 28, 27}, 0));
  EXPECT_THROW_MESSAGE(load_dataset("mnist", Split::test), Error,
                       "expected 10000 28x28 images of u8 (dims 10000x28x28), found dims "
                       "10000x28x27 of u8");
  write_idx(images, u8({10000, 28, 28}, 0));
  EXPECT_THROW_MESSAGE(load_dataset("mnist", Split::test), Error, labels.string() + "' is missing");
  write_idx(labels, u8({9999}, 0));
  EXPECT_THROW_MESSAGE(load_dataset("mnist", Split::test), Error,
                       "expected 10000 labels of u8 (dims 10000), found dims 9999 of u8");
  IdxArray bad = u8({10000}, 3);
  bad.bytes[7] = 10;
  write_idx(labels, bad);
  EXPECT_THROW_MESSAGE(load_dataset("mnist", Split::test), Error, "label 7 is 10, expected 0..9");
  bad.bytes[7] = 9;
  write_idx(labels, bad);
  EXPECT_EQ(load_dataset("mnist", Split::test).labels[7], 9);
}

}  // namespace
}  // namespace engram
