#include "engram/io/safetensors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>

#include "engram/core/error.hpp"
#include "engram/io/file.hpp"

namespace engram {

namespace {

using nlohmann::json;

// The reference implementation refuses headers above 100 MB: anything larger is not a header.
constexpr std::uint64_t kMaxHeaderSize = 100'000'000;

constexpr std::array<std::pair<std::string_view, std::size_t>, 15> kDtypes = {{
    {"BOOL", 1},
    {"U8", 1},
    {"I8", 1},
    {"F8_E5M2", 1},
    {"F8_E4M3", 1},
    {"I16", 2},
    {"U16", 2},
    {"F16", 2},
    {"BF16", 2},
    {"I32", 4},
    {"U32", 4},
    {"F32", 4},
    {"I64", 8},
    {"U64", 8},
    {"F64", 8},
}};

std::string known_dtypes() {
  std::string out;
  for (const auto& [name, size] : kDtypes)
    out += fmt::format("{}{}", out.empty() ? "" : ", ", name);
  return out;
}

/// 0 for an unknown dtype.
std::size_t dtype_size_or_zero(std::string_view dtype) {
  for (const auto& [name, size] : kDtypes)
    if (name == dtype) return size;
  return 0;
}

/// dtype size × product(shape), or false when it overflows 64 bits.
bool byte_count(const std::vector<std::int64_t>& shape, std::size_t dtype_size,
                std::uint64_t& bytes) {
  std::uint64_t n = dtype_size;
  for (const std::int64_t d : shape)
    if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(d), &n)) return false;
  bytes = n;
  return true;
}

std::uint64_t read_u64_le(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void append_u64_le(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

/// A JSON value's type for messages ("string", "number", "array", ...).
std::string type_of(const json& j) {
  return j.type_name();
}

/// Reads `count` bytes at `offset`; throws engram::Error naming the path.
std::string read_range(std::ifstream& in, const std::filesystem::path& path, std::uint64_t offset,
                       std::uint64_t count) {
  std::string bytes(count, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(count));
  if (!in || static_cast<std::uint64_t>(in.gcount()) != count)
    throw Error(fmt::format("'{}': read failed at byte {}", path.string(), offset));
  return bytes;
}

/// Opens `path` for binary reading and returns its size; throws engram::Error naming the path.
std::uint64_t open_regular_file(const std::filesystem::path& path, std::ifstream& in) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(
        fmt::format("cannot read '{}': {}", path.string(),
                    std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
  in.open(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot open '{}': {}", path.string(), std::strerror(errno)));
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(fmt::format("cannot read '{}': {}", path.string(), ec.message()));
  return size;
}

/// Checks the 8-byte length against the file size; returns the header length.
std::uint64_t check_header_length(std::uint64_t length, std::uint64_t file_size,
                                  std::string_view source) {
  if (length > kMaxHeaderSize)
    throw Error(
        fmt::format("'{}': header length {} is absurd (the limit is {} bytes); not a "
                    "safetensors file?",
                    source, length, kMaxHeaderSize));
  if (length > file_size - 8)
    throw Error(fmt::format("'{}': truncated: the header length is {} bytes but only {} follow",
                            source, length, file_size - 8));
  return length;
}

void check_too_short(std::uint64_t file_size, std::string_view source) {
  if (file_size < 8)
    throw Error(
        fmt::format("'{}': {} bytes, too short for a safetensors file (the header length "
                    "alone takes 8)",
                    source, file_size));
}

SafetensorsEntry parse_entry(const std::string& name, const json& j, std::string_view source) {
  const auto fail = [&](const std::string& what) {
    throw Error(fmt::format("'{}': tensor '{}': {}", source, name, what));
  };
  if (!j.is_object()) fail(fmt::format("expected an object, got a {}", type_of(j)));
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!j.contains(key)) fail(fmt::format("missing \"{}\"", key));

  SafetensorsEntry e;
  const json& dtype = j["dtype"];
  if (!dtype.is_string()) fail(fmt::format("dtype must be a string, got a {}", type_of(dtype)));
  e.dtype = dtype.get<std::string>();
  const std::size_t size = dtype_size_or_zero(e.dtype);
  if (size == 0) fail(fmt::format("unknown dtype '{}' (known: {})", e.dtype, known_dtypes()));

  const json& shape = j["shape"];
  if (!shape.is_array()) fail(fmt::format("shape must be an array, got a {}", type_of(shape)));
  for (const json& d : shape) {
    if (d.is_number_integer() && !d.is_number_unsigned())
      fail(fmt::format("shape {} has a negative dimension", shape.dump()));
    if (!d.is_number_unsigned() ||
        d.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(fmt::format("shape {} must hold non-negative integers", shape.dump()));
    e.shape.push_back(d.get<std::int64_t>());
  }

  const json& offsets = j["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fail(fmt::format("data_offsets must be two non-negative integers [begin, end], got {}",
                     offsets.dump()));
  e.begin = offsets[0].get<std::uint64_t>();
  e.end = offsets[1].get<std::uint64_t>();
  if (e.end < e.begin)
    fail(fmt::format("data_offsets [{}, {}] end before they begin", e.begin, e.end));

  std::uint64_t bytes = 0;
  if (!byte_count(e.shape, size, bytes))
    fail(fmt::format("shape {} overflows a 64-bit byte count", shape.dump()));
  if (e.end - e.begin != bytes)
    fail(fmt::format("data_offsets [{}, {}] span {} bytes, but {} of shape {} takes {}", e.begin,
                     e.end, e.end - e.begin, e.dtype, shape.dump(), bytes));
  return e;
}

/// The tensors must tile [0, data_size) exactly: no overlap, no gap, nothing past the end.
void check_layout(const std::map<std::string, SafetensorsEntry>& tensors, std::uint64_t data_size,
                  std::string_view source) {
  std::vector<std::pair<const std::string*, const SafetensorsEntry*>> order;
  for (const auto& [name, e] : tensors) {
    if (e.end > data_size)
      throw Error(
          fmt::format("'{}': truncated: tensor '{}' ends at byte {} of the data, but the "
                      "file holds only {} bytes of data",
                      source, name, e.end, data_size));
    order.emplace_back(&name, &e);
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::pair(a.second->begin, a.second->end) < std::pair(b.second->begin, b.second->end);
  });
  std::uint64_t cursor = 0;
  const std::string* previous = nullptr;
  for (const auto& [name, e] : order) {
    if (e->begin < cursor)
      throw Error(fmt::format("'{}': tensors '{}' and '{}' overlap (bytes {} to {} of the data)",
                              source, *previous, *name, e->begin, cursor));
    if (e->begin > cursor)
      throw Error(
          fmt::format("'{}': a gap of {} unused bytes before tensor '{}' (data_offsets "
                      "must be contiguous)",
                      source, e->begin - cursor, *name));
    cursor = e->end;
    previous = name;
  }
  if (cursor != data_size)
    throw Error(
        fmt::format("'{}': {} trailing bytes after the last tensor", source, data_size - cursor));
}

}  // namespace

std::size_t safetensors_dtype_size(std::string_view dtype) {
  const std::size_t size = dtype_size_or_zero(dtype);
  ENGRAM_CHECK(size != 0, "safetensors: unknown dtype '{}' (known: {})", dtype, known_dtypes());
  return size;
}

SafetensorsHeader parse_safetensors_header(std::string_view header_json, std::uint64_t data_size,
                                           std::string_view source) {
  json j;
  try {
    j = json::parse(header_json.begin(), header_json.end());
  } catch (const json::exception& e) {
    throw Error(fmt::format("'{}': the header is not valid JSON ({})", source, e.what()));
  }
  if (!j.is_object())
    throw Error(
        fmt::format("'{}': the header must be a JSON object, got a {}", source, type_of(j)));

  SafetensorsHeader header;
  for (const auto& [key, value] : j.items()) {
    if (key != "__metadata__") {
      header.tensors.emplace(key, parse_entry(key, value, source));
      continue;
    }
    if (!value.is_object())
      throw Error(fmt::format("'{}': __metadata__ must be an object of strings, got a {}", source,
                              type_of(value)));
    for (const auto& [k, v] : value.items()) {
      if (!v.is_string())
        throw Error(
            fmt::format("'{}': __metadata__ must map strings to strings, but \"{}\" is a {}",
                        source, k, type_of(v)));
      header.metadata.emplace(k, v.get<std::string>());
    }
  }
  check_layout(header.tensors, data_size, source);
  return header;
}

std::string encode_safetensors(const SafetensorsFile& file) {
  // Largest element first, then by name: every tensor starts at a multiple of its element size
  // (the header is padded to 8), which is the order the reference writer uses.
  std::vector<std::pair<std::size_t, const std::string*>> order;
  for (const auto& [name, t] : file.tensors) {
    ENGRAM_CHECK(name != "__metadata__", "encode_safetensors: a tensor cannot be named '{}'", name);
    const std::size_t size = safetensors_dtype_size(t.dtype);
    for (const std::int64_t d : t.shape)
      ENGRAM_CHECK(d >= 0, "encode_safetensors: tensor '{}' has a negative dimension in shape [{}]",
                   name, fmt::join(t.shape, ", "));
    std::uint64_t bytes = 0;
    ENGRAM_CHECK(byte_count(t.shape, size, bytes) && bytes == t.data.size(),
                 "encode_safetensors: tensor '{}' ({} of shape [{}]) needs {} bytes, got {}", name,
                 t.dtype, fmt::join(t.shape, ", "), bytes, t.data.size());
    order.emplace_back(size, &name);
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : *a.second < *b.second;
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::uint64_t offset = 0;
  for (const auto& [size, name] : order) {
    const SafetensorsTensor& t = file.tensors.at(*name);
    header[*name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.data.size()}}};
    offset += t.data.size();
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    ENGRAM_CHECK(false, "encode_safetensors: a name or metadata entry is not valid UTF-8 ({})",
                 e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + text.size() + offset);
  append_u64_le(out, text.size());
  out += text;
  for (const auto& [size, name] : order) {
    const std::vector<std::byte>& data = file.tensors.at(*name).data;
    out.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  return out;
}

SafetensorsFile decode_safetensors(std::string_view bytes, std::string_view source) {
  check_too_short(bytes.size(), source);
  const std::uint64_t n = check_header_length(read_u64_le(bytes.data()), bytes.size(), source);
  SafetensorsHeader header =
      parse_safetensors_header(bytes.substr(8, n), bytes.size() - 8 - n, source);
  const std::string_view data = bytes.substr(8 + n);
  SafetensorsFile file;
  file.metadata = std::move(header.metadata);
  for (auto& [name, e] : header.tensors) {
    SafetensorsTensor t{std::move(e.dtype), std::move(e.shape), {}};
    const auto* first = reinterpret_cast<const std::byte*>(data.data() + e.begin);
    t.data.assign(first, first + (e.end - e.begin));
    file.tensors.emplace(name, std::move(t));
  }
  return file;
}

void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file) {
  write_file_atomic(path, encode_safetensors(file));
}

SafetensorsFile read_safetensors(const std::filesystem::path& path) {
  std::ifstream in;
  const std::uint64_t size = open_regular_file(path, in);
  return decode_safetensors(read_range(in, path, 0, size), path.string());
}

SafetensorsHeader read_safetensors_header(const std::filesystem::path& path) {
  std::ifstream in;
  const std::uint64_t size = open_regular_file(path, in);
  const std::string source = path.string();
  check_too_short(size, source);
  const std::uint64_t n =
      check_header_length(read_u64_le(read_range(in, path, 0, 8).data()), size, source);
  return parse_safetensors_header(read_range(in, path, 8, n), size - 8 - n, source);
}

}  // namespace engram
