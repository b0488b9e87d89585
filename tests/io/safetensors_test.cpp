// safetensors reading and writing (M-42): the bytes other readers depend on, round trips of every
// dtype, and a clear engram::Error for every kind of broken file.
#include <engram/io/safetensors.hpp>

#include <nlohmann/json.hpp>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engram/core/error.hpp"
#include "support/check.hpp"
#include "support/scratch.hpp"

namespace engram {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void dump(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string le64(std::uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}

/// A file from its parts, as an independent writer would lay it out.
std::string raw(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

template <class S>
std::vector<std::byte> bytes_of(std::initializer_list<S> values) {
  std::vector<std::byte> out(values.size() * sizeof(S));
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

/// The little-endian float at `offset` of `bytes`, decoded without the library.
float f32_at(const std::string& bytes, std::size_t offset) {
  std::uint32_t u = 0;
  for (int i = 3; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return std::bit_cast<float>(u);
}
double f64_at(const std::string& bytes, std::size_t offset) {
  std::uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return std::bit_cast<double>(u);
}

SafetensorsFile example() {
  SafetensorsFile f;
  f.metadata = {{"k", "v"}};
  f.tensors["a"] = {"F32", {2, 3}, bytes_of<float>({1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, 7.0f})};
  f.tensors["b"] = {"F64", {2}, bytes_of<double>({1.0 / 3.0, -1e300})};
  return f;
}

TEST(Safetensors, BytesAreWhatOtherReadersExpect) {
  const test::ScratchDir scratch("safetensors");
  const fs::path path = scratch("layout.safetensors");
  write_safetensors(path, example());
  const std::string bytes = slurp(path);

  // u64 little-endian header length, a multiple of 8, then exactly the tensors' bytes.
  ASSERT_GE(bytes.size(), 8u);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);
  ASSERT_EQ(bytes.size(), 8 + n + 6 * 4 + 2 * 8);

  // The header: compact JSON padded with spaces; the 8-byte dtype first so both stay aligned.
  const std::string header = bytes.substr(8, n);
  const std::string expected =
      R"({"__metadata__":{"k":"v"},"b":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},)"
      R"("a":{"dtype":"F32","shape":[2,3],"data_offsets":[16,40]}})";
  EXPECT_EQ(header.substr(0, expected.size()), expected);
  EXPECT_EQ(header.find_first_not_of(' ', expected.size()), std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(header);
  EXPECT_EQ(j["__metadata__"]["k"], "v");
  EXPECT_EQ(j["a"]["shape"], nlohmann::json::array({2, 3}));

  // Values, decoded by hand from little-endian bytes in row-major order.
  const std::size_t data = 8 + n;
  EXPECT_EQ(f64_at(bytes, data + 0), 1.0 / 3.0);
  EXPECT_EQ(f64_at(bytes, data + 8), -1e300);
  const float a[] = {1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, 7.0f};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(f32_at(bytes, data + 16 + 4 * i), a[i]) << i;
}

TEST(Safetensors, RoundTripsEveryDtypeAndEmptyOrScalarShapes) {
  const test::ScratchDir scratch("safetensors");
  SafetensorsFile f;
  f.metadata = {{"format", "pt"}, {"note", "ünïcode ✓"}, {"empty", ""}};
  const char* dtypes[] = {"BOOL", "U8",  "I8",  "F8_E5M2", "F8_E4M3", "I16", "U16", "F16",
                          "BF16", "I32", "U32", "F32",     "I64",     "U64", "F64"};
  int i = 0;
  for (const char* dtype : dtypes) {
    const std::size_t size = safetensors_dtype_size(dtype);
    std::vector<std::byte> data(size * 3);
    for (std::size_t b = 0; b < data.size(); ++b) data[b] = std::byte((17 * b + i) & 0xff);
    f.tensors[fmt::format("t{}.{}", i++, dtype)] = {dtype, {3}, data};
  }
  f.tensors["empty"] = {"F32", {0, 4}, {}};
  f.tensors["scalar"] = {"F64", {}, bytes_of<double>({2.5})};

  const std::string bytes = encode_safetensors(f);
  const SafetensorsFile g = decode_safetensors(bytes);
  EXPECT_EQ(g.metadata, f.metadata);
  ASSERT_EQ(g.tensors.size(), f.tensors.size());
  for (const auto& [name, t] : f.tensors) {
    const SafetensorsTensor& u = g.tensors.at(name);
    EXPECT_EQ(u.dtype, t.dtype) << name;
    EXPECT_EQ(u.shape, t.shape) << name;
    EXPECT_EQ(u.data, t.data) << name;
  }
  // Each tensor starts at a multiple of its element size (the header length is a multiple of 8).
  const fs::path path = scratch("dtypes.safetensors");
  write_safetensors(path, f);
  EXPECT_EQ(slurp(path), bytes);
  const SafetensorsHeader h = read_safetensors_header(path);
  for (const auto& [name, e] : h.tensors)
    EXPECT_EQ(e.begin % safetensors_dtype_size(e.dtype), 0u) << name;
  EXPECT_EQ(h.metadata, f.metadata);
}

TEST(Safetensors, ReadsAFileLaidOutByAnotherWriter) {
  // Whitespace, keys in another order, no metadata, tensors not in name order.
  const std::string header =
      "{ \"z\" : {\"shape\": [1], \"data_offsets\": [0, 4], \"dtype\": \"F32\"},\n"
      "  \"y\" : {\"dtype\": \"I16\", \"data_offsets\": [4, 6], \"shape\": [1, 1]} }";
  std::string data(6, '\0');
  const float z = -0.75f;
  std::memcpy(data.data(), &z, 4);
  data[4] = 0x34, data[5] = 0x12;
  const SafetensorsFile f = decode_safetensors(raw(header, data));
  EXPECT_TRUE(f.metadata.empty());
  EXPECT_EQ(f.tensors.at("z").data, bytes_of<float>({-0.75f}));
  EXPECT_EQ(f.tensors.at("y").shape, (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(f.tensors.at("y").data, (std::vector<std::byte>{std::byte(0x34), std::byte(0x12)}));
}

// A good two-tensor file to break in the tests below: x (F32, 2 values), then y (F32, 1 value).
const std::string kHeader =
    R"({"__metadata__":{"a":"b"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
    R"("y":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
const std::string kData(12, '\x01');

std::string with(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

#define EXPECT_BAD_FILE(bytes, substring) \
  EXPECT_THROW_MESSAGE(decode_safetensors(bytes, "f.st"), Error, substring)

TEST(Safetensors, TheReferenceFileIsGood) {
  EXPECT_EQ(decode_safetensors(raw(kHeader, kData)).tensors.size(), 2u);
}

TEST(Safetensors, TruncatedAnywhereIsAClearError) {
  const std::string good = raw(kHeader, kData);
  EXPECT_BAD_FILE("", "'f.st': 0 bytes, too short");
  EXPECT_BAD_FILE(good.substr(0, 5), "5 bytes, too short for a safetensors file");
  for (const std::size_t cut : {std::size_t{9}, 8 + kHeader.size() / 2, 8 + kHeader.size() - 1})
    EXPECT_BAD_FILE(good.substr(0, cut), "truncated: the header length is");
  for (const std::size_t cut : {8 + kHeader.size(), 8 + kHeader.size() + 3, good.size() - 1})
    EXPECT_BAD_FILE(good.substr(0, cut), "truncated: tensor");
  EXPECT_BAD_FILE(good.substr(0, good.size() - 1),
                  "tensor 'y' ends at byte 12 of the data, but "
                  "the file holds only 11 bytes");
}

TEST(Safetensors, AbsurdHeaderLengthsAreRefused) {
  EXPECT_BAD_FILE(le64(std::uint64_t{1} << 63) + kHeader + kData,
                  "header length 9223372036854775808 is absurd");
  EXPECT_BAD_FILE(le64(~std::uint64_t{0}) + kHeader, "is absurd");
  EXPECT_BAD_FILE(le64(100'000'001) + kHeader, "is absurd");
}

TEST(Safetensors, GarbledHeadersAreRefused) {
  EXPECT_BAD_FILE(raw(with(kHeader, "}}", "}"), kData), "the header is not valid JSON");
  EXPECT_BAD_FILE(raw(std::string(8, '\0'), ""), "the header is not valid JSON");
  EXPECT_BAD_FILE(raw("[1,2]   ", ""), "the header must be a JSON object, got a array");
  EXPECT_BAD_FILE(raw(with(kHeader, "\"b\"", "3"), kData),
                  "__metadata__ must map strings to strings, but \"a\" is a number");
  EXPECT_BAD_FILE(raw(with(kHeader, "{\"a\":\"b\"}", "[]"), kData),
                  "__metadata__ must be an object");
  EXPECT_BAD_FILE(raw(with(kHeader, "\"x\":{\"dtype\":\"F32\",", "\"x\":{"), kData),
                  "tensor 'x': missing \"dtype\"");
  EXPECT_BAD_FILE(raw(with(kHeader, "\"F32\"", "32"), kData), "dtype must be a string");
  EXPECT_BAD_FILE(raw(with(kHeader, "[8,12]", "[8]"), kData), "data_offsets must be two");
  EXPECT_BAD_FILE(raw(with(kHeader, "[8,12]", "[12,8]"), kData), "end before they begin");
  EXPECT_BAD_FILE(raw(with(kHeader, "[2]", "[2.5]"), kData), "must hold non-negative integers");
}

TEST(Safetensors, UnknownDtypesAndNegativeShapesAreRefused) {
  EXPECT_BAD_FILE(raw(with(kHeader, "F32", "F33"), kData),
                  "tensor 'x': unknown dtype 'F33' (known: BOOL, U8");
  EXPECT_BAD_FILE(raw(with(kHeader, "[2]", "[-2]"), kData), "shape [-2] has a negative dimension");
  EXPECT_BAD_FILE(raw(with(kHeader, "[2]", "[4294967296,4294967296]"), kData),
                  "overflows a 64-bit byte count");
}

TEST(Safetensors, OffsetsMustMatchShapesAndTileTheData) {
  EXPECT_BAD_FILE(raw(with(kHeader, "\"shape\":[2]", "\"shape\":[3]"), kData),
                  "tensor 'x': data_offsets [0, 8] span 8 bytes, but F32 of shape [3] takes 12");
  EXPECT_BAD_FILE(raw(with(kHeader, "[8,12]", "[4,8]"), kData.substr(0, 8)),
                  "tensors 'x' and 'y' overlap");
  EXPECT_BAD_FILE(raw(with(kHeader, "[8,12]", "[12,16]"), kData + "abcd"),
                  "a gap of 4 unused bytes before tensor 'y'");
  EXPECT_BAD_FILE(raw(with(kHeader, "[0,8]", "[4,12]"), kData), "a gap of 4 unused bytes before");
  EXPECT_BAD_FILE(raw(kHeader, kData + "junk"), "4 trailing bytes after the last tensor");
  EXPECT_BAD_FILE(raw(with(kHeader, "[8,12]}}", "[8,12]},\"w\":1}"), kData),
                  "tensor 'w': expected an object");
}

TEST(Safetensors, FileErrorsNameThePath) {
  const test::ScratchDir scratch("safetensors");
  const fs::path path = scratch("garbage.safetensors");
  dump(path, le64(3) + "{x}");
  EXPECT_THROW_MESSAGE(read_safetensors(path), Error, path.string() + "': the header is not valid");
  EXPECT_THROW_MESSAGE(read_safetensors_header(path), Error, "the header is not valid JSON");
  dump(path, raw(kHeader, kData.substr(0, 10)));
  EXPECT_THROW_MESSAGE(read_safetensors_header(path), Error, "truncated: tensor 'y'");
  EXPECT_THROW_MESSAGE(read_safetensors(scratch("missing.safetensors")), Error,
                       "missing.safetensors': no such file");
  EXPECT_THROW_MESSAGE(read_safetensors(path.parent_path()), Error, "not a regular file");
}

TEST(Safetensors, WritingChecksItsInput) {
  SafetensorsFile f;
  f.tensors["x"] = {"F31", {1}, bytes_of<float>({1.0f})};
  EXPECT_THROW_MESSAGE(encode_safetensors(f), std::invalid_argument, "unknown dtype 'F31'");
  f.tensors["x"] = {"F32", {2}, bytes_of<float>({1.0f})};
  EXPECT_THROW_MESSAGE(encode_safetensors(f), std::invalid_argument,
                       "tensor 'x' (F32 of shape [2]) needs 8 bytes, got 4");
  f.tensors["x"] = {"F32", {-1}, {}};
  EXPECT_THROW_MESSAGE(encode_safetensors(f), std::invalid_argument, "negative dimension");
  f.tensors.clear();
  f.tensors["__metadata__"] = {"F32", {1}, bytes_of<float>({1.0f})};
  EXPECT_THROW_MESSAGE(encode_safetensors(f), std::invalid_argument,
                       "a tensor cannot be named '__metadata__'");
  f.tensors.clear();
  f.metadata["bad"] = "\xff";
  EXPECT_THROW_MESSAGE(encode_safetensors(f), std::invalid_argument, "not valid UTF-8");
}

}  // namespace
}  // namespace engram
