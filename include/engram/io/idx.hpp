// The IDX format of MNIST and Fashion-MNIST (SPEC M-40): read plain or gzipped files, write them
// atomically, and convert between IDX arrays and engram matrices.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "engram/core/types.hpp"

namespace engram {

/// IDX element types, by the type byte of the file's magic number.
enum class IdxType : std::uint8_t {
  u8 = 0x08,
  i8 = 0x09,
  i16 = 0x0B,
  i32 = 0x0C,
  f32 = 0x0D,
  f64 = 0x0E,
};

/// Bytes per element of `type` (1, 1, 2, 4, 4, 8).
std::size_t idx_type_size(IdxType type);

/// "u8", "i8", "i16", "i32", "f32" or "f64".
std::string_view idx_type_name(IdxType type);

/// An IDX array in memory: element type, dimensions (outermost first) and the elements in
/// row-major order, in the machine's byte order (the file's big-endian order is converted on read
/// and write).
struct IdxArray {
  IdxType type = IdxType::u8;
  /// 1 to 8 positive dimensions, e.g. {10000, 28, 28} for MNIST's test images.
  std::vector<Index> dims;
  /// count() · idx_type_size(type) bytes.
  std::vector<unsigned char> bytes;

  /// Number of elements: the product of dims.
  Index count() const;

  /// The array as a matrix: dims[0] rows, the other dimensions flattened into columns (a rank-1
  /// array of N elements is an N × 1 column). Integers convert exactly to double, and to float up
  /// to 2²⁴. Throws if bytes.size() does not match dims and type.
  template <class T>
  Mat<T> to_matrix() const;

  /// An array of `type` holding m's entries in row-major order. `dims` defaults to
  /// {m.rows(), m.cols()}; otherwise its product must equal m.size(). For integer types every
  /// entry must be an integer in the type's range; for f32 every finite entry must fit a float.
  template <class T>
  static IdxArray from_matrix(const MatCRef<T>& m, std::vector<Index> dims, IdxType type);
};

/// Reads an IDX file, gzipped or plain (told apart by the gzip magic 1f 8b, not the name).
/// Checks the magic (two zero bytes, a known type byte, rank 1..8), that every dimension is
/// positive and their product fits memory, and that the data has exactly the announced length.
/// Throws engram::Error naming the path and the problem (missing, truncated with the expected and
/// actual byte counts, trailing bytes, bad magic, garbled gzip).
IdxArray read_idx(const std::filesystem::path& path);

/// Writes `array` to `path` atomically (temporary file beside it, then rename), gzip-compressed
/// when the path ends in ".gz", plain otherwise. Throws std::invalid_argument for an inconsistent
/// array and engram::Error when the file cannot be written.
void write_idx(const std::filesystem::path& path, const IdxArray& array);

}  // namespace engram
