#include "engram/io/graph_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "engram/core/error.hpp"
#include "engram/io/registry.hpp"

namespace engram {

namespace {

using nlohmann::json;

constexpr const char* kGraphKind = "energy_graph";

// Checked access to the config, so a hand-edited or foreign file gets a message that says where.
const json& member(const json& obj, const char* key, const std::string& where) {
  ENGRAM_CHECK(obj.is_object(), "{}: expected a JSON object, got {}", where, obj.dump());
  const auto it = obj.find(key);
  ENGRAM_CHECK(it != obj.end(), "{}: missing \"{}\"", where, key);
  return *it;
}

std::string string_member(const json& obj, const char* key, const std::string& where) {
  const json& v = member(obj, key, where);
  ENGRAM_CHECK(v.is_string(), "{}: \"{}\" must be a string, got {}", where, key, v.dump());
  return v.get<std::string>();
}

double number_member(const json& obj, const char* key, const std::string& where) {
  const json& v = member(obj, key, where);
  ENGRAM_CHECK(v.is_number(), "{}: \"{}\" must be a number, got {}", where, key, v.dump());
  return v.get<double>();
}

const json& array_member(const json& obj, const char* key, const std::string& where) {
  const json& v = member(obj, key, where);
  ENGRAM_CHECK(v.is_array(), "{}: \"{}\" must be an array, got {}", where, key, v.dump());
  return v;
}

std::vector<std::string> strings_member(const json& obj, const char* key,
                                        const std::string& where) {
  std::vector<std::string> out;
  for (const json& v : array_member(obj, key, where)) {
    ENGRAM_CHECK(v.is_string(), "{}: \"{}\" must hold strings, got {}", where, key, v.dump());
    out.push_back(v.get<std::string>());
  }
  return out;
}

Hyperparameters hyperparameters_member(const json& obj, const std::string& where) {
  const json& h = member(obj, "hyperparameters", where);
  ENGRAM_CHECK(h.is_object(), "{}: \"hyperparameters\" must be an object, got {}", where, h.dump());
  Hyperparameters out;
  for (const auto& [name, value] : h.items()) {
    ENGRAM_CHECK(value.is_number(), "{}: hyperparameter \"{}\" must be a number, got {}", where,
                 name, value.dump());
    out[name] = value.get<double>();
  }
  return out;
}

Shape shape_member(const json& obj, const std::string& where) {
  Shape shape;
  for (const json& d : array_member(obj, "shape", where)) {
    ENGRAM_CHECK(d.is_number_integer(), "{}: \"shape\" must hold integers, got {}", where,
                 d.dump());
    shape.push_back(d.get<Index>());
  }
  return shape;
}

json to_json(const Hyperparameters& h) {
  json j = json::object();
  for (const auto& [name, value] : h) j[name] = value;
  return j;
}

bool known(const std::vector<std::string>& kinds, const std::string& kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

/// Runs `build`, prefixing any std::invalid_argument it throws with `where`.
template <class F>
void with_context(const std::string& where, F&& build) {
  try {
    build();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: {}", where, e.what()));
  }
}

}  // namespace

template <class T>
ModelFile<T> graph_to_file(const EnergyGraph<T>& graph) {
  const std::vector<std::string> lagrangians = lagrangian_kinds(), synapses = synapse_kinds();
  ModelFile<T> file;
  file.kind = kGraphKind;
  json layers = json::array();
  for (const auto& l : graph.layers()) {
    const std::string kind = l.lagrangian->kind();
    ENGRAM_CHECK(known(lagrangians, kind),
                 "graph_to_file: layer '{}' has Lagrangian kind '{}', which model files cannot "
                 "rebuild (known: {})",
                 l.name, kind, fmt::join(lagrangians, ", "));
    json lagrangian = json::object();
    lagrangian["kind"] = kind;
    lagrangian["hyperparameters"] = to_json(l.lagrangian->hyperparameters());
    json layer = json::object();
    layer["name"] = l.name;
    layer["shape"] = l.shape;
    layer["tau"] = l.tau;
    layer["lagrangian"] = std::move(lagrangian);
    layers.push_back(std::move(layer));
  }
  json connections = json::array();
  for (const auto& c : graph.synapses()) {
    const Synapse<T>& s = *c.synapse;
    ENGRAM_CHECK(known(synapses, s.kind()),
                 "graph_to_file: synapse '{}' has kind '{}', which model files cannot rebuild "
                 "(known: {})",
                 c.name, s.kind(), fmt::join(synapses, ", "));
    json operands = json::array();
    for (const std::size_t l : c.layers) operands.push_back(graph.layers()[l].name);
    json params = json::array();
    for (std::size_t k = 0; k < s.num_params(); ++k) {
      const std::string tensor = c.name + "." + s.param_names()[k];
      ENGRAM_CHECK(file.tensors.emplace(tensor, s.param(k)).second,
                   "graph_to_file: tensor name '{}' (synapse '{}') is already taken; rename the "
                   "synapse",
                   tensor, c.name);
      params.push_back(tensor);
    }
    json synapse = json::object();
    synapse["name"] = c.name;
    synapse["kind"] = s.kind();
    synapse["layers"] = std::move(operands);
    synapse["hyperparameters"] = to_json(s.hyperparameters());
    synapse["params"] = std::move(params);
    connections.push_back(std::move(synapse));
  }
  file.config["layers"] = std::move(layers);
  file.config["synapses"] = std::move(connections);
  return file;
}

template <class T>
EnergyGraph<T> graph_from_file(const ModelFile<T>& file) {
  ENGRAM_CHECK(file.kind == kGraphKind, "graph_from_file: the file holds a '{}', not an '{}'",
               file.kind, kGraphKind);
  const std::string where = "energy_graph config";
  EnergyGraph<T> graph;

  const json& layers = array_member(file.config, "layers", where);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    std::string at = fmt::format("{}: layer {}", where, i);
    const std::string name = string_member(l, "name", at);
    at = fmt::format("{}: layer '{}'", where, name);
    const Shape shape = shape_member(l, at);
    const double tau = number_member(l, "tau", at);
    const json& lagrangian = member(l, "lagrangian", at);
    const std::string kind = string_member(lagrangian, "kind", at + ": lagrangian");
    const Hyperparameters h = hyperparameters_member(lagrangian, at + ": lagrangian");
    with_context(at, [&] { graph.add_layer(name, shape, make_lagrangian<T>(kind, h), tau); });
  }

  std::set<std::string> used;
  const json& synapses = array_member(file.config, "synapses", where);
  for (std::size_t i = 0; i < synapses.size(); ++i) {
    const json& s = synapses[i];
    std::string at = fmt::format("{}: synapse {}", where, i);
    const std::string name = string_member(s, "name", at);
    at = fmt::format("{}: synapse '{}'", where, name);
    const std::string kind = string_member(s, "kind", at);
    const std::vector<std::string> operands = strings_member(s, "layers", at);
    const Hyperparameters h = hyperparameters_member(s, at);
    std::vector<Mat<T>> params;
    for (const std::string& tensor : strings_member(s, "params", at)) {
      const auto it = file.tensors.find(tensor);
      ENGRAM_CHECK(it != file.tensors.end(), "{}: tensor '{}' is not in the file", at, tensor);
      ENGRAM_CHECK(used.insert(tensor).second, "{}: tensor '{}' is used twice", at, tensor);
      params.push_back(it->second);
    }
    with_context(at, [&] {
      graph.add_synapse(name, operands, make_synapse<T>(kind, h, std::move(params)));
    });
  }
  for (const auto& [tensor, value] : file.tensors)
    ENGRAM_CHECK(used.contains(tensor), "energy_graph file: tensor '{}' belongs to no synapse",
                 tensor);
  return graph;
}

template <class T>
void save_graph(const std::filesystem::path& path, const EnergyGraph<T>& graph) {
  save_model_file(path, graph_to_file(graph));
}

template <class T>
EnergyGraph<T> load_graph(const std::filesystem::path& path) {
  const ModelFile<T> file = load_model_file<T>(path);
  try {
    return graph_from_file(file);
  } catch (const std::invalid_argument& e) {
    throw Error(fmt::format("'{}': {}", path.string(), e.what()));
  }
}

#define ENGRAM_INSTANTIATE(T)                                                    \
  template ModelFile<T> graph_to_file(const EnergyGraph<T>&);                    \
  template EnergyGraph<T> graph_from_file(const ModelFile<T>&);                  \
  template void save_graph(const std::filesystem::path&, const EnergyGraph<T>&); \
  template EnergyGraph<T> load_graph(const std::filesystem::path&);
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram
