// Internal: validation shared by the facades' from_file (kind, config fields, tensor names and
// shapes), each error naming the caller, the field, what was expected and what was found.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>

#include "engram/core/error.hpp"
#include "engram/io/model_file.hpp"

namespace engram::detail {

template <class T>
void require_kind(const ModelFile<T>& file, const char* kind, const char* who) {
  ENGRAM_CHECK(file.kind == kind, "{}: kind must be '{}', got '{}'", who, kind, file.kind);
  ENGRAM_CHECK(file.config.is_object(), "{}: config must be a JSON object, got {}", who,
               file.config.type_name());
}

/// Every tensor of `file` is one of `allowed`.
template <class T>
void require_known_tensors(const ModelFile<T>& file, std::initializer_list<const char*> allowed,
                           const char* who) {
  for (const auto& [name, tensor] : file.tensors)
    ENGRAM_CHECK(
        std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; }),
        "{}: unexpected tensor '{}'", who, name);
}

/// The tensor `name`, which must exist with `rows` × `cols` (a negative size accepts any).
template <class T>
const Mat<T>& require_tensor(const ModelFile<T>& file, const std::string& name, Index rows,
                             Index cols, const char* who) {
  const auto it = file.tensors.find(name);
  ENGRAM_CHECK(it != file.tensors.end(), "{}: missing tensor '{}'", who, name);
  const Mat<T>& m = it->second;
  ENGRAM_CHECK((rows < 0 || m.rows() == rows) && (cols < 0 || m.cols() == cols),
               "{}: tensor '{}' must be {}x{}, got {}x{}", who, name,
               rows < 0 ? std::string("any") : std::to_string(rows),
               cols < 0 ? std::string("any") : std::to_string(cols), m.rows(), m.cols());
  check_finite(m, fmt::format("{}: tensor '{}'", who, name));
  return m;
}

/// config[key] as a finite number.
inline double config_number(const nlohmann::json& config, const char* key, const char* who) {
  ENGRAM_CHECK(config.contains(key) && config[key].is_number(),
               "{}: config needs a number '{}', got {}", who, key,
               config.contains(key) ? config[key].dump() : std::string("nothing"));
  const double v = config[key].get<double>();
  ENGRAM_CHECK(std::isfinite(v), "{}: config '{}' must be finite, got {}", who, key, v);
  return v;
}

/// config[key] as an integer.
inline Index config_integer(const nlohmann::json& config, const char* key, const char* who) {
  ENGRAM_CHECK(config.contains(key) && config[key].is_number_integer(),
               "{}: config needs an integer '{}', got {}", who, key,
               config.contains(key) ? config[key].dump() : std::string("nothing"));
  return config[key].get<Index>();
}

/// config[key] as a string.
inline std::string config_string(const nlohmann::json& config, const char* key, const char* who) {
  ENGRAM_CHECK(config.contains(key) && config[key].is_string(),
               "{}: config needs a string '{}', got {}", who, key,
               config.contains(key) ? config[key].dump() : std::string("nothing"));
  return config[key].get<std::string>();
}

}  // namespace engram::detail
