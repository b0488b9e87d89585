#include "engram/io/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "engram/core/error.hpp"
#include "engram/io/file.hpp"

namespace engram {
namespace {

constexpr int kMaxRank = 8;

bool known_type(unsigned char b) {
  switch (static_cast<IdxType>(b)) {
    case IdxType::u8:
    case IdxType::i8:
    case IdxType::i16:
    case IdxType::i32:
    case IdxType::f32:
    case IdxType::f64:
      return true;
  }
  return false;
}

/// Calls f with a value of the C++ type that stores one element of `type`.
template <class F>
decltype(auto) visit_type(IdxType type, F&& f) {
  switch (type) {
    case IdxType::u8:
      return f(std::uint8_t{});
    case IdxType::i8:
      return f(std::int8_t{});
    case IdxType::i16:
      return f(std::int16_t{});
    case IdxType::i32:
      return f(std::int32_t{});
    case IdxType::f32:
      return f(float{});
    case IdxType::f64:
      return f(double{});
  }
  throw std::invalid_argument(fmt::format("unknown IDX type {}", static_cast<int>(type)));
}

/// IDX stores elements big-endian; reverse each element's bytes on a little-endian machine.
void swap_big_endian(unsigned char* data, std::size_t count, std::size_t width) {
  if constexpr (std::endian::native == std::endian::big) return;
  if (width == 1) return;
  for (std::size_t i = 0; i < count; ++i) std::reverse(data + i * width, data + (i + 1) * width);
}

/// Number of elements of `dims`, or 0 if a dimension is not positive or the byte size of the data
/// would not fit in memory.
Index checked_count(const std::vector<Index>& dims, std::size_t width) {
  const auto max_bytes = static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max());
  std::size_t count = 1;
  for (Index d : dims) {
    if (d <= 0 || count > max_bytes / width / static_cast<std::size_t>(d)) return 0;
    count *= static_cast<std::size_t>(d);
  }
  return static_cast<Index>(count);
}

std::string dims_string(const std::vector<Index>& dims) {
  return dims.empty() ? std::string("(none)") : shape_string(dims);
}

/// Checks that `a` is a well-formed array; `what` starts the message.
void check_array(const IdxArray& a, const std::string& what) {
  ENGRAM_CHECK(known_type(static_cast<unsigned char>(a.type)), "{}: unknown IDX type byte 0x{:02x}",
               what, static_cast<int>(a.type));
  ENGRAM_CHECK(!a.dims.empty() && a.dims.size() <= kMaxRank,
               "{}: rank must be 1..{}, got {} (dims {})", what, kMaxRank, a.dims.size(),
               dims_string(a.dims));
  const std::size_t width = idx_type_size(a.type);
  const Index count = checked_count(a.dims, width);
  ENGRAM_CHECK(count > 0, "{}: dims {} must be positive with a product that fits memory", what,
               dims_string(a.dims));
  ENGRAM_CHECK(a.bytes.size() == static_cast<std::size_t>(count) * width,
               "{}: dims {} of {} need {} bytes, the array holds {}", what, dims_string(a.dims),
               idx_type_name(a.type), static_cast<std::size_t>(count) * width, a.bytes.size());
}

using GzFile = std::unique_ptr<gzFile_s, int (*)(gzFile)>;

/// The text of zlib's last error on `gz`, or "" when there is none (end of file is not one).
std::string gz_error(gzFile gz) {
  int code = Z_OK;
  const char* message = gzerror(gz, &code);
  if (code == Z_OK || code == Z_STREAM_END) return {};
  if (code == Z_BUF_ERROR) return "the gzip stream is cut short";
  if (code == Z_ERRNO) return std::strerror(errno);
  return fmt::format("garbled gzip data ({})", message ? message : "unknown zlib error");
}

/// Reads up to n bytes; fewer only at the end of the data. Throws on a read or gzip error.
std::size_t read_up_to(gzFile gz, unsigned char* out, std::size_t n, const std::string& path) {
  std::size_t got = 0;
  while (got < n) {
    const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30));
    const int r = gzread(gz, out + got, chunk);
    if (r < 0) throw Error(fmt::format("cannot read IDX file '{}': {}", path, gz_error(gz)));
    got += static_cast<std::size_t>(r);
    if (static_cast<unsigned>(r) < chunk) break;
  }
  return got;
}

/// zlib's gzip (not zlib-wrapped) compression of `data`, in memory.
std::string gzip(const std::string& data, const std::string& path) {
  z_stream zs{};
  // windowBits 15 + 16 asks deflate for a gzip header and trailer.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error(fmt::format("cannot compress '{}': deflateInit2 failed", path));
  std::unique_ptr<z_stream, int (*)(z_streamp)> end(&zs, &deflateEnd);
  std::string out;
  std::size_t in_pos = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const std::size_t in_chunk = std::min<std::size_t>(data.size() - in_pos, 1u << 30);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_pos));
    zs.avail_in = static_cast<uInt>(in_chunk);
    const int flush = in_pos + in_chunk == data.size() ? Z_FINISH : Z_NO_FLUSH;
    do {
      const std::size_t used = out.size();
      out.resize(used + (1u << 20));
      zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      zs.avail_out = 1u << 20;
      rc = deflate(&zs, flush);
      if (rc == Z_STREAM_ERROR)
        throw Error(fmt::format("cannot compress '{}': deflate failed", path));
      out.resize(used + (1u << 20) - zs.avail_out);
    } while (zs.avail_out == 0);
    in_pos += in_chunk - zs.avail_in;
  }
  return out;
}

}  // namespace

std::size_t idx_type_size(IdxType type) {
  return visit_type(type, [](auto v) { return sizeof(v); });
}

std::string_view idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::u8:
      return "u8";
    case IdxType::i8:
      return "i8";
    case IdxType::i16:
      return "i16";
    case IdxType::i32:
      return "i32";
    case IdxType::f32:
      return "f32";
    case IdxType::f64:
      return "f64";
  }
  return "unknown";
}

Index IdxArray::count() const {
  Index n = 1;
  for (Index d : dims) n *= d;
  return n;
}

template <class T>
Mat<T> IdxArray::to_matrix() const {
  check_array(*this, "IdxArray::to_matrix");
  const Index rows = dims[0];
  Mat<T> m(rows, count() / rows);
  visit_type(type, [&](auto e) {
    using E = decltype(e);
    for (Index i = 0; i < m.size(); ++i) {
      std::memcpy(&e, bytes.data() + i * sizeof(E), sizeof(E));
      m.data()[i] = static_cast<T>(e);
    }
  });
  return m;
}

template <class T>
IdxArray IdxArray::from_matrix(const MatCRef<T>& m, std::vector<Index> dims, IdxType type) {
  IdxArray a;
  a.type = type;
  a.dims = dims.empty() ? std::vector<Index>{m.rows(), m.cols()} : std::move(dims);
  ENGRAM_CHECK(known_type(static_cast<unsigned char>(type)),
               "IdxArray::from_matrix: unknown IDX type byte 0x{:02x}", static_cast<int>(type));
  const std::size_t width = idx_type_size(type);
  ENGRAM_CHECK(
      !a.dims.empty() && a.dims.size() <= kMaxRank && checked_count(a.dims, width) == m.size(),
      "IdxArray::from_matrix: dims {} (rank 1..{}, positive) must hold the {}x{} matrix's "
      "{} entries",
      dims_string(a.dims), kMaxRank, m.rows(), m.cols(), m.size());
  a.bytes.resize(static_cast<std::size_t>(m.size()) * width);
  visit_type(type, [&](auto e) {
    using E = decltype(e);
    for (Index i = 0; i < m.rows(); ++i)
      for (Index j = 0; j < m.cols(); ++j) {
        const T v = m(i, j);
        if constexpr (std::is_integral_v<E>) {
          // Compare in double: float(INT32_MAX) rounds up to 2³¹, which int32 cannot hold.
          const double d = static_cast<double>(v);
          ENGRAM_CHECK(std::isfinite(d) && std::floor(d) == d &&
                           d >= static_cast<double>(std::numeric_limits<E>::min()) &&
                           d <= static_cast<double>(std::numeric_limits<E>::max()),
                       "IdxArray::from_matrix: entry ({}, {}) = {} is not an integer in the range "
                       "of {}",
                       i, j, v, idx_type_name(type));
        } else if constexpr (sizeof(E) < sizeof(T)) {
          ENGRAM_CHECK(!std::isfinite(v) || std::abs(v) <= std::numeric_limits<E>::max(),
                       "IdxArray::from_matrix: entry ({}, {}) = {} overflows {}", i, j, v,
                       idx_type_name(type));
        }
        e = static_cast<E>(v);
        std::memcpy(a.bytes.data() + (i * m.cols() + j) * sizeof(E), &e, sizeof(E));
      }
  });
  return a;
}

IdxArray read_idx(const std::filesystem::path& path) {
  const std::string name = path.string();
  gzFile raw = gzopen(name.c_str(), "rb");
  if (!raw) throw Error(fmt::format("cannot open IDX file '{}': {}", name, std::strerror(errno)));
  const GzFile gz(raw, &gzclose);
  gzbuffer(raw, 1u << 18);

  unsigned char magic[4];
  const std::size_t got_magic = read_up_to(raw, magic, 4, name);
  const char* form = gzdirect(raw) ? "IDX file" : "gzipped IDX file";
  if (got_magic < 4) {
    const std::string why = gz_error(raw);
    throw Error(fmt::format("'{}': {} bytes is too short for an IDX header{}", name, got_magic,
                            why.empty() ? "" : "; " + why));
  }
  if (magic[0] != 0 || magic[1] != 0)
    throw Error(fmt::format("'{}': not an IDX file (magic starts {:02x} {:02x}, expected 00 00)",
                            name, magic[0], magic[1]));
  if (!known_type(magic[2]))
    throw Error(
        fmt::format("'{}': unknown IDX type byte 0x{:02x} (expected 08 u8, 09 i8, 0b i16, "
                    "0c i32, 0d f32 or 0e f64)",
                    name, magic[2]));
  const int rank = magic[3];
  if (rank < 1 || rank > kMaxRank)
    throw Error(fmt::format("'{}': IDX rank {} is not in 1..{}", name, rank, kMaxRank));

  IdxArray a;
  a.type = static_cast<IdxType>(magic[2]);
  unsigned char dim_bytes[4 * kMaxRank];
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
  const std::size_t got_dims = read_up_to(raw, dim_bytes, 4 * rank, name);
  if (got_dims < 4 * static_cast<std::size_t>(rank))
    throw Error(fmt::format("'{}': truncated {}: the header needs {} bytes, found {}", name, form,
                            header, 4 + got_dims));
  for (int k = 0; k < rank; ++k) {
    const unsigned char* b = dim_bytes + 4 * k;
    const std::uint32_t d = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                            (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    if (d == 0) throw Error(fmt::format("'{}': IDX dimension {} of {} is 0", name, k, rank));
    a.dims.push_back(static_cast<Index>(d));
  }
  const std::size_t width = idx_type_size(a.type);
  const Index count = checked_count(a.dims, width);
  if (count == 0)
    throw Error(fmt::format("'{}': IDX dims {} of {} are too large for memory", name,
                            dims_string(a.dims), idx_type_name(a.type)));

  // Grow the buffer as data arrives, so a garbled header cannot make us fill gigabytes; reserving
  // address space up front (touched only as data arrives) spares the copies of regrowing.
  const std::size_t expected = static_cast<std::size_t>(count) * width;
  // The header's claim is not trusted for more than 64 MiB up front; the vector grows beyond.
  a.bytes.reserve(std::min<std::size_t>(expected, std::size_t{1} << 26));
  std::size_t got = 0;
  while (got < expected) {
    const std::size_t chunk = std::min<std::size_t>(expected - got, std::size_t{1} << 24);
    a.bytes.resize(got + chunk);
    const std::size_t n = read_up_to(raw, a.bytes.data() + got, chunk, name);
    got += n;
    if (n < chunk) break;
  }
  if (got < expected) {
    const std::string why = gz_error(raw);
    throw Error(
        fmt::format("'{}': truncated {}: dims {} of {} need {} bytes ({} of header, {} of "
                    "data), found {}{}",
                    name, form, dims_string(a.dims), idx_type_name(a.type), header + expected,
                    header, expected, header + got, why.empty() ? "" : "; " + why));
  }
  std::size_t trailing = 0;
  unsigned char sink[1 << 16];
  for (std::size_t n; (n = read_up_to(raw, sink, sizeof sink, name)) > 0;) trailing += n;
  if (trailing > 0)
    throw Error(fmt::format("'{}': {} trailing bytes after the {} bytes that dims {} of {} need",
                            name, trailing, header + expected, dims_string(a.dims),
                            idx_type_name(a.type)));
  if (const std::string why = gz_error(raw); !why.empty())
    throw Error(fmt::format("'{}': {}", name, why));
  swap_big_endian(a.bytes.data(), static_cast<std::size_t>(count), width);
  return a;
}

void write_idx(const std::filesystem::path& path, const IdxArray& array) {
  const std::string name = path.string();
  check_array(array, fmt::format("write_idx('{}')", name));
  for (Index d : array.dims)
    ENGRAM_CHECK(d <= Index{std::numeric_limits<std::uint32_t>::max()},
                 "write_idx('{}'): dimension {} does not fit IDX's 32 bits", name, d);
  std::string out;
  out.reserve(4 + 4 * array.dims.size() + array.bytes.size());
  out += {'\0', '\0', static_cast<char>(array.type), static_cast<char>(array.dims.size())};
  for (Index d : array.dims)
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((d >> shift) & 0xff);
  const std::size_t data_at = out.size();
  out.append(reinterpret_cast<const char*>(array.bytes.data()), array.bytes.size());
  const std::size_t width = idx_type_size(array.type);
  swap_big_endian(reinterpret_cast<unsigned char*>(out.data() + data_at),
                  array.bytes.size() / width, width);
  if (name.ends_with(".gz")) out = gzip(out, name);
  write_file_atomic(path, out);
}

template Mat<float> IdxArray::to_matrix<float>() const;
template Mat<double> IdxArray::to_matrix<double>() const;
template IdxArray IdxArray::from_matrix<float>(const MatCRef<float>&, std::vector<Index>, IdxType);
template IdxArray IdxArray::from_matrix<double>(const MatCRef<double>&, std::vector<Index>,
                                                IdxType);

}  // namespace engram
