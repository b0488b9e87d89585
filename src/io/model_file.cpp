#include "engram/io/model_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "engram/core/error.hpp"
#include "engram/core/version.hpp"
#include "engram/io/safetensors.hpp"

namespace engram {

namespace {

template <class T>
constexpr const char* dtype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  return std::is_same_v<T, float> ? "F32" : "F64";
}

template <class T>
constexpr const char* scalar_of() {
  return std::is_same_v<T, float> ? "float32" : "float64";
}

/// safetensors stores little-endian bytes; on a big-endian machine each element is reversed.
void swap_to_little_endian(std::byte* data, std::size_t bytes, std::size_t element) {
  if constexpr (std::endian::native == std::endian::big)
    for (std::size_t i = 0; i < bytes; i += element) std::reverse(data + i, data + i + element);
  else
    (void)data, (void)bytes, (void)element;
}

template <class T>
SafetensorsTensor to_tensor(const Mat<T>& m) {
  SafetensorsTensor t{dtype_of<T>(), {m.rows(), m.cols()}, {}};
  t.data.resize(static_cast<std::size_t>(m.size()) * sizeof(T));
  if (!t.data.empty()) std::memcpy(t.data.data(), m.data(), t.data.size());
  swap_to_little_endian(t.data.data(), t.data.size(), sizeof(T));
  return t;
}

/// The stored elements (of type S) as a Mat<T>; narrowing to float must not overflow.
template <class T, class S>
Mat<T> convert(std::vector<std::byte> data, Index rows, Index cols, const std::string& where) {
  swap_to_little_endian(data.data(), data.size(), sizeof(S));
  Mat<S> stored(rows, cols);
  if (!data.empty()) std::memcpy(stored.data(), data.data(), data.size());
  if constexpr (std::is_same_v<S, T>) {
    return stored;
  } else {
    Mat<T> out = stored.template cast<T>();
    for (Index i = 0; i < rows; ++i)
      for (Index j = 0; j < cols; ++j)
        if (std::isfinite(static_cast<double>(stored(i, j))) && !std::isfinite(out(i, j)))
          throw Error(fmt::format("{} holds {} at ({}, {}), beyond the range of float32", where,
                                  static_cast<double>(stored(i, j)), i, j));
    return out;
  }
}

template <class T>
Mat<T> from_tensor(SafetensorsTensor t, const std::string& where) {
  if (t.dtype != "F32" && t.dtype != "F64")
    throw Error(fmt::format("{} has dtype {}; engram model files hold F32 or F64", where, t.dtype));
  if (t.shape.size() != 2)
    throw Error(
        fmt::format("{} has shape [{}]; engram model files hold 2-D tensors (a vector "
                    "as 1 x D)",
                    where, fmt::join(t.shape, ", ")));
  const Index rows = t.shape[0], cols = t.shape[1];
  return t.dtype == "F32" ? convert<T, float>(std::move(t.data), rows, cols, where)
                          : convert<T, double>(std::move(t.data), rows, cols, where);
}

/// Kind and config from a file's metadata; throws engram::Error for a foreign or incomplete file.
std::pair<std::string, nlohmann::json> read_metadata(
    const std::map<std::string, std::string>& metadata, const std::filesystem::path& path) {
  const auto format = metadata.find("format");
  if (format == metadata.end() || format->second != "engram")
    throw Error(fmt::format(
        "'{}': not an engram model file (its safetensors metadata has {}, not \"format\": "
        "\"engram\")",
        path.string(),
        format == metadata.end() ? "no \"format\""
                                 : fmt::format("\"format\": \"{}\"", format->second)));
  for (const char* key : {"kind", "config"})
    if (!metadata.contains(key))
      throw Error(fmt::format("'{}': engram model file without \"{}\" in its metadata",
                              path.string(), key));
  const std::string& kind = metadata.at("kind");
  if (kind.empty())
    throw Error(fmt::format("'{}': engram model file with an empty kind", path.string()));
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(metadata.at("config"));
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("'{}': the \"config\" metadata is not valid JSON ({})", path.string(),
                            e.what()));
  }
  if (!config.is_object())
    throw Error(fmt::format("'{}': the \"config\" metadata must be a JSON object, got a {}",
                            path.string(), config.type_name()));
  return {kind, std::move(config)};
}

}  // namespace

template <class T>
void save_model_file(const std::filesystem::path& path, const ModelFile<T>& file) {
  ENGRAM_CHECK(!file.kind.empty(), "save_model_file '{}': kind must not be empty", path.string());
  ENGRAM_CHECK(file.config.is_object(),
               "save_model_file '{}': config must be a JSON object, got a {}", path.string(),
               file.config.type_name());
  SafetensorsFile out;
  try {
    out.metadata = {{"format", "engram"},
                    {"engram_version", engram::version},
                    {"kind", file.kind},
                    {"scalar", scalar_of<T>()},
                    {"config", file.config.dump()}};
  } catch (const nlohmann::json::exception& e) {
    ENGRAM_CHECK(false, "save_model_file '{}': config cannot be written as JSON ({})",
                 path.string(), e.what());
  }
  for (const auto& [name, m] : file.tensors) {
    ENGRAM_CHECK(!name.empty(), "save_model_file '{}': a tensor has an empty name", path.string());
    out.tensors.emplace(name, to_tensor(m));
  }
  write_safetensors(path, out);
}

template <class T>
ModelFile<T> load_model_file(const std::filesystem::path& path) {
  SafetensorsFile in = read_safetensors(path);
  ModelFile<T> file;
  std::tie(file.kind, file.config) = read_metadata(in.metadata, path);
  for (auto& [name, t] : in.tensors)
    file.tensors.emplace(
        name, from_tensor<T>(std::move(t), fmt::format("'{}': tensor '{}'", path.string(), name)));
  return file;
}

std::string model_file_kind(const std::filesystem::path& path) {
  return read_metadata(read_safetensors_header(path).metadata, path).first;
}

template void save_model_file(const std::filesystem::path&, const ModelFile<float>&);
template void save_model_file(const std::filesystem::path&, const ModelFile<double>&);
template ModelFile<float> load_model_file(const std::filesystem::path&);
template ModelFile<double> load_model_file(const std::filesystem::path&);

}  // namespace engram
