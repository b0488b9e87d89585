// safetensors, the Hugging Face tensor file format (SPEC M-42), read and written byte for byte:
// named tensors of any safetensors dtype as raw little-endian bytes, plus string metadata.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace engram {

/// One tensor as a safetensors file holds it: a dtype name ("F32", "F64", "I64", "BF16", ...),
/// a row-major (C order) shape, and the little-endian bytes, dtype size × product(shape) of them.
struct SafetensorsTensor {
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::vector<std::byte> data;
};

/// The contents of a safetensors file: the header's "__metadata__" (string → string) and the
/// tensors by name.
struct SafetensorsFile {
  std::map<std::string, std::string> metadata;
  std::map<std::string, SafetensorsTensor> tensors;
};

/// Where one tensor lies in a file, as its header says.
struct SafetensorsEntry {
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  ///< offset of the first byte, relative to the end of the header
  std::uint64_t end = 0;    ///< one past the last byte
};

/// A file's header alone: metadata and the place of every tensor.
struct SafetensorsHeader {
  std::map<std::string, std::string> metadata;
  std::map<std::string, SafetensorsEntry> tensors;
};

/// Size in bytes of one element of `dtype` (BOOL, U8, I8, F8_E5M2, F8_E4M3: 1; I16, U16, F16,
/// BF16: 2; I32, U32, F32: 4; I64, U64, F64: 8). Throws std::invalid_argument for another name.
std::size_t safetensors_dtype_size(std::string_view dtype);

/// The file's bytes: u64 little-endian header length N, N bytes of JSON (padded with spaces to a
/// multiple of 8, as the reference writer does), then the tensors back to back, largest dtype
/// first and by name within a dtype size (so each tensor is aligned to its element size).
/// Throws std::invalid_argument for an unknown dtype, a negative dimension, a byte count that
/// does not match the shape, or a tensor named "__metadata__".
std::string encode_safetensors(const SafetensorsFile& file);

/// Parses the bytes of a safetensors file; `source` (a path) names it in errors. Throws
/// engram::Error for a short or truncated file, an absurd header length (over 100 MB), a header
/// that is not a JSON object, metadata that is not string → string, an unknown dtype, a negative
/// dimension, data_offsets that disagree with the shape, tensors that overlap or leave gaps, or
/// trailing bytes.
SafetensorsFile decode_safetensors(std::string_view bytes, std::string_view source = "<memory>");

/// Parses and checks a header (the JSON text after the length) against a data buffer of
/// `data_size` bytes, with the same errors as decode_safetensors.
SafetensorsHeader parse_safetensors_header(std::string_view header_json, std::uint64_t data_size,
                                           std::string_view source = "<memory>");

/// Writes `file` to `path` atomically (see write_file_atomic).
void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file);

/// Reads and checks the safetensors file at `path`; engram::Error naming the path on failure.
SafetensorsFile read_safetensors(const std::filesystem::path& path);

/// Reads only the header of the file at `path` (checked against the file's size).
SafetensorsHeader read_safetensors_header(const std::filesystem::path& path);

}  // namespace engram
