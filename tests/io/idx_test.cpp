// IDX files: round trips of every type and rank, plain and gzipped, against hand-written bytes,
// and a clear error for every kind of broken file.
#include <engram/io/idx.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "engram/core/error.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

namespace fs = std::filesystem;

/// A fresh folder for one test, removed when the test ends.
class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           fmt::format("engram_idx_{}_{}", info->name(), static_cast<long>(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path path(const std::string& name) const { return dir_ / name; }

  static std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }
  /// The IDX bytes of a u8 array of the given dims holding 0, 1, 2, ...
  static std::string u8_file(const std::vector<unsigned char>& dims) {
    std::string s{'\0', '\0', '\x08', static_cast<char>(dims.size())};
    int n = 1;
    for (unsigned char d : dims) {
      s += std::string{'\0', '\0', '\0', static_cast<char>(d)};
      n *= d;
    }
    for (int i = 0; i < n; ++i) s += static_cast<char>(i);
    return s;
  }

  fs::path dir_;
};

/// Entries spanning `type`'s range, exactly representable in it.
Mat<double> sample_values(IdxType type, Index count) {
  Mat<double> v(1, count);
  for (Index i = 0; i < count; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(count - 1);  // 0..1
    switch (type) {
      case IdxType::u8:
        v(i) = std::round(255 * t);
        break;
      case IdxType::i8:
        v(i) = std::round(-128 + 255 * t);
        break;
      case IdxType::i16:
        v(i) = std::round(-32768 + 65535 * t);
        break;
      case IdxType::i32:
        v(i) = std::round(-2147483648.0 + 4294967295.0 * t);
        break;
      case IdxType::f32:
        v(i) = static_cast<float>(-1e30 + 2e30 * t + 0.1);
        break;
      case IdxType::f64:
        v(i) = -1e300 + 2e300 * t + 1.0 / 3.0;
        break;
    }
  }
  return v;
}

TEST_F(IdxFiles, EveryTypeAndRankRoundTripsPlainAndGzipped) {
  const std::vector<std::vector<Index>> shapes = {{7}, {3, 5}, {2, 3, 4}};
  for (IdxType type :
       {IdxType::u8, IdxType::i8, IdxType::i16, IdxType::i32, IdxType::f32, IdxType::f64})
    for (const auto& dims : shapes)
      for (const char* ext : {"", ".gz"}) {
        SCOPED_TRACE(fmt::format("{} dims {}{}", idx_type_name(type), shape_string(dims), ext));
        Index count = 1;
        for (Index d : dims) count *= d;
        const Mat<double> m =
            sample_values(type, count).reshaped<Eigen::RowMajor>(dims[0], count / dims[0]);
        const IdxArray a = IdxArray::from_matrix<double>(m, dims, type);
        EXPECT_EQ(a.bytes.size(), static_cast<std::size_t>(count) * idx_type_size(type));
        const fs::path p = path(std::string("a") + ext);
        write_idx(p, a);
        const std::string raw = read_bytes(p);
        EXPECT_EQ(raw.substr(0, 2) == "\x1f\x8b", std::string(ext) == ".gz");
        const IdxArray b = read_idx(p);
        EXPECT_EQ(b.type, type);
        EXPECT_EQ(b.dims, dims);
        EXPECT_EQ(b.bytes, a.bytes);
        EXPECT_EQ(b.to_matrix<double>(), m);
      }
}

TEST_F(IdxFiles, ReadsBigEndianBytesWrittenByHand) {
  // i16, dims 2 × 3: 1, −2, 258, 32767, −32768, 0.
  std::string i16{'\0', '\0', '\x0b', '\x02', '\0', '\0', '\0', '\x02', '\0', '\0', '\0', '\x03'};
  i16 += std::string("\x00\x01\xff\xfe\x01\x02\x7f\xff\x80\x00\x00\x00", 12);
  write_bytes(path("i16"), i16);
  Mat<double> expected(2, 3);
  expected << 1, -2, 258, 32767, -32768, 0;
  EXPECT_EQ(read_idx(path("i16")).to_matrix<double>(), expected);

  // f64, rank 1: 1.5 = 0x3FF8000000000000, −2 = 0xC000000000000000, as a 2 × 1 column.
  std::string f64{'\0', '\0', '\x0e', '\x01', '\0', '\0', '\0', '\x02'};
  f64 += std::string("\x3f\xf8\0\0\0\0\0\0\xc0\0\0\0\0\0\0\0", 16);
  write_bytes(path("f64"), f64);
  const Mat<float> column = read_idx(path("f64")).to_matrix<float>();
  ASSERT_EQ(column.rows(), 2);
  ASSERT_EQ(column.cols(), 1);
  EXPECT_EQ(column(0, 0), 1.5f);
  EXPECT_EQ(column(1, 0), -2.0f);

  // What write_idx puts on disk is the same big-endian layout.
  write_idx(path("again"), read_idx(path("i16")));
  EXPECT_EQ(read_bytes(path("again")), i16);
}

TEST_F(IdxFiles, GzipIsRecognisedByItsMagicNotItsName) {
  const IdxArray a = read_idx((write_bytes(path("a"), u8_file({4, 2})), path("a")));
  write_idx(path("packed.gz"), a);
  fs::rename(path("packed.gz"), path("packed_without_extension"));
  EXPECT_EQ(read_idx(path("packed_without_extension")).bytes, a.bytes);
  write_bytes(path("plain.gz"), u8_file({4, 2}));
  EXPECT_EQ(read_idx(path("plain.gz")).bytes, a.bytes);
}

TEST_F(IdxFiles, TruncatedOrTrailingDataIsAnErrorWithByteCounts) {
  const std::string good = u8_file({3, 4});  // 12 bytes of header, 12 of data
  write_bytes(path("short"), good.substr(0, good.size() - 1));
  EXPECT_THROW_MESSAGE(read_idx(path("short")), Error,
                       "need 24 bytes (12 of header, 12 of data), found 23");
  EXPECT_THROW_MESSAGE(read_idx(path("short")), Error, path("short").string());
  write_bytes(path("header_only"), good.substr(0, 10));
  EXPECT_THROW_MESSAGE(read_idx(path("header_only")), Error, "the header needs 12 bytes, found 10");
  write_bytes(path("long"), good + "xyz");
  EXPECT_THROW_MESSAGE(read_idx(path("long")), Error, "3 trailing bytes after the 24 bytes");
  write_bytes(path("empty"), "");
  EXPECT_THROW_MESSAGE(read_idx(path("empty")), Error, "0 bytes is too short for an IDX header");
}

TEST_F(IdxFiles, BadMagicTypeRankOrDimensionIsAnError) {
  std::string bad = u8_file({2, 2});
  bad[0] = '\x01';
  write_bytes(path("magic"), bad);
  EXPECT_THROW_MESSAGE(read_idx(path("magic")), Error, "not an IDX file (magic starts 01 00");
  bad = u8_file({2, 2});
  bad[2] = '\x0a';
  write_bytes(path("type"), bad);
  EXPECT_THROW_MESSAGE(read_idx(path("type")), Error, "unknown IDX type byte 0x0a");
  bad = u8_file({2, 2});
  bad[3] = '\0';
  write_bytes(path("rank0"), bad);
  EXPECT_THROW_MESSAGE(read_idx(path("rank0")), Error, "IDX rank 0 is not in 1..8");
  bad[3] = '\x09';
  write_bytes(path("rank9"), bad);
  EXPECT_THROW_MESSAGE(read_idx(path("rank9")), Error, "IDX rank 9 is not in 1..8");
  write_bytes(path("zero"), u8_file({2, 0, 3}));
  EXPECT_THROW_MESSAGE(read_idx(path("zero")), Error, "IDX dimension 1 of 3 is 0");
  // 0xffffffff^3 elements cannot be held: refused before reading any data.
  bad = std::string{'\0', '\0', '\x08', '\x03'} + std::string(12, '\xff');
  write_bytes(path("huge"), bad);
  EXPECT_THROW_MESSAGE(read_idx(path("huge")), Error, "too large for memory");
  EXPECT_THROW_MESSAGE(read_idx(path("absent")), Error,
                       "cannot open IDX file '" + path("absent").string());
}

TEST_F(IdxFiles, GarbledOrCutGzipIsAnError) {
  const IdxArray a =
      IdxArray::from_matrix<double>(sample_values(IdxType::f64, 400), {20, 20}, IdxType::f64);
  write_idx(path("a.gz"), a);
  const std::string gz = read_bytes(path("a.gz"));
  std::string garbled = gz;
  for (std::size_t i = 20; i < garbled.size() - 8; ++i) garbled[i] = static_cast<char>(i * 7);
  write_bytes(path("garbled.gz"), garbled);
  EXPECT_THROW_MESSAGE(read_idx(path("garbled.gz")), Error, "garbled gzip data");
  write_bytes(path("cut.gz"), gz.substr(0, gz.size() / 2));
  EXPECT_THROW_MESSAGE(read_idx(path("cut.gz")), Error, "truncated gzipped IDX file");
  EXPECT_THROW_MESSAGE(read_idx(path("cut.gz")), Error, "the gzip stream is cut short");
  // All the data but not the gzip trailer (CRC and length): still refused.
  write_bytes(path("no_trailer.gz"), gz.substr(0, gz.size() - 8));
  EXPECT_THROW_MESSAGE(read_idx(path("no_trailer.gz")), Error, "cut short");
}

TEST_F(IdxFiles, WritingLeavesOnlyTheTargetBehind) {
  const IdxArray a = read_idx((write_bytes(path("src"), u8_file({5})), path("src")));
  write_idx(path("out/deeper/a.idx"), a);
  write_idx(path("out/deeper/a.idx"), a);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(path("out/deeper"))) ++entries;
  EXPECT_EQ(entries, 1);
  EXPECT_EQ(read_idx(path("out/deeper/a.idx")).bytes, a.bytes);
}

TEST(IdxArray, FromMatrixChecksDimsAndRanges) {
  Mat<double> m(2, 3);
  m << 0, 1, 2, 3, 4, 255;
  const IdxArray a = IdxArray::from_matrix<double>(m, {}, IdxType::u8);
  EXPECT_EQ(a.dims, (std::vector<Index>{2, 3}));
  EXPECT_EQ(a.count(), 6);
  EXPECT_THROW_MESSAGE(IdxArray::from_matrix<double>(m, {4, 2}, IdxType::u8), std::invalid_argument,
                       "dims 4x2");
  m(1, 2) = 256;
  EXPECT_THROW_MESSAGE(IdxArray::from_matrix<double>(m, {}, IdxType::u8), std::invalid_argument,
                       "entry (1, 2) = 256 is not an integer in the range of u8");
  m(1, 2) = 0.5;
  EXPECT_THROW_MESSAGE(IdxArray::from_matrix<double>(m, {}, IdxType::i32), std::invalid_argument,
                       "entry (1, 2) = 0.5");
  m(1, 2) = 2147483648.0;  // float(INT32_MAX) rounds to this: it must be refused, not wrapped
  EXPECT_THROW_MESSAGE(IdxArray::from_matrix<float>(m.cast<float>(), {}, IdxType::i32),
                       std::invalid_argument, "not an integer in the range of i32");
  m(1, 2) = 1e300;
  EXPECT_THROW_MESSAGE(IdxArray::from_matrix<double>(m, {}, IdxType::f32), std::invalid_argument,
                       "overflows f32");
  IdxArray broken = a;
  broken.bytes.pop_back();
  EXPECT_THROW_MESSAGE(broken.to_matrix<float>(), std::invalid_argument, "need 6 bytes");
  EXPECT_THROW_MESSAGE(write_idx(fs::temp_directory_path() / "engram_never_written", broken),
                       std::invalid_argument, "the array holds 5");
}

}  // namespace
}  // namespace engram
