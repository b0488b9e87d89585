#include "engram/io/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "engram/core/error.hpp"
#include "engram/neurons.hpp"
#include "engram/synapses.hpp"

namespace engram {

namespace {

using H = const Hyperparameters&;

/// One Lagrangian family: its kind, the hyperparameters it needs (and may take), its factory.
template <class T>
struct LagrangianKind {
  std::string kind;
  std::vector<std::string> required;
  std::function<LagrangianPtr<T>(H)> make;
  std::vector<std::string> optional = {};
};

/// One synapse family: its kind, hyperparameters, parameter names (in param() order), factory.
template <class T>
struct SynapseKind {
  std::string kind;
  std::vector<std::string> required;
  std::vector<std::string> params;
  std::function<SynapsePtr<T>(H, std::vector<Mat<T>>&)> make;
  std::vector<std::string> optional = {};
};

/// A Lagrangian or synapse family L<T> built from `args`, as the registry hands it out.
template <template <class> class L, class T, class... Args>
LagrangianPtr<T> lagrangian(Args&&... args) {
  return std::make_shared<const L<T>>(std::forward<Args>(args)...);
}
template <template <class> class S, class T, class... Args>
SynapsePtr<T> synapse(Args&&... args) {
  return std::make_unique<S<T>>(std::forward<Args>(args)...);
}

// A memory synapse's interaction from its hyperparameters (the kind as its code, n, β).
Interaction interaction_of(H h) {
  const double code = h.at("interaction");
  ENGRAM_CHECK(code == std::floor(code) && code >= 0 && code <= 3,
               "MemorySynapse: hyperparameter interaction must be a code 0..3, got {}", code);
  Interaction f{static_cast<Interaction::Kind>(static_cast<int>(code)), h.at("n"), h.at("beta")};
  f.check();
  return f;
}

// Registration: one entry per kind. Factories read required hyperparameters with h.at(name) (the
// registry has checked they are present) and optional ones with h.contains(name).
// clang-format off
template <class T>
std::vector<LagrangianKind<T>> lagrangian_table() {
  return {
      {"identity", {}, [](H) { return lagrangian<Identity, T>(); }},
      {"sigmoid", {"beta"}, [](H h) { return lagrangian<Sigmoid, T>(h.at("beta")); }},
      {"tanh", {"beta"}, [](H h) { return lagrangian<Tanh, T>(h.at("beta")); }},
      {"relu", {}, [](H) { return lagrangian<Relu, T>(); }},
      {"rectified_polynomial", {"n"},
       [](H h) { return lagrangian<RectifiedPolynomial, T>(h.at("n")); }},
      {"softmax", {"beta"}, [](H h) { return lagrangian<Softmax, T>(h.at("beta")); }},
      {"softplus", {"beta"}, [](H h) { return lagrangian<Softplus, T>(h.at("beta")); }},
      {"hard_sigmoid", {}, [](H) { return lagrangian<HardSigmoid, T>(); }},
      // New families register here, one entry each.
  };
}

template <class T>
std::vector<SynapseKind<T>> synapse_table() {
  using P = std::vector<Mat<T>>&;  // the parameters, in param_names() order
  return {
      {"DenseSynapse", {}, {"W"}, [](H, P p) { return synapse<DenseSynapse, T>(std::move(p[0])); }},
      {"RecurrentSynapse", {}, {"W"},
       [](H, P p) { return synapse<RecurrentSynapse, T>(std::move(p[0])); }},
      {"BiasSynapse", {}, {"b"}, [](H, P p) { return synapse<BiasSynapse, T>(std::move(p[0])); }},
      {"L2Synapse", {}, {"theta"}, [](H, P p) { return synapse<L2Synapse, T>(std::move(p[0])); }},
      {"LabelSynapse", {"lambda"}, {"theta"},
       [](H h, P p) { return synapse<LabelSynapse, T>(std::move(p[0]), h.at("lambda")); }},
      {"MemorySynapse", {"interaction", "n", "beta"}, {"xi"},
       [](H h, P p) { return synapse<MemorySynapse, T>(std::move(p[0]), interaction_of(h)); }},
      // New families register here, one entry each (hyperparameters a family takes only in some
      // settings go in a fifth, `optional`, list).
  };
}
// clang-format on

template <class Table>
std::string kinds_of(const Table& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.push_back(entry.kind);
  return fmt::format("{}", fmt::join(names, ", "));
}

template <class Table>
const auto& find_kind(const Table& table, std::string_view kind, const char* who,
                      const char* what) {
  const auto it =
      std::find_if(table.begin(), table.end(), [&](const auto& e) { return e.kind == kind; });
  ENGRAM_CHECK(it != table.end(), "{}: unknown {} kind '{}' (known: {})", who, what, kind,
               kinds_of(table));
  return *it;
}

/// Every required hyperparameter present, every given one known.
template <class Entry>
void check_hyperparameters(const Entry& entry, H h, const char* who) {
  for (const std::string& name : entry.required)
    ENGRAM_CHECK(h.contains(name), "{}: '{}' needs hyperparameter '{}'", who, entry.kind, name);
  std::vector<std::string> accepted = entry.required;
  accepted.insert(accepted.end(), entry.optional.begin(), entry.optional.end());
  for (const auto& [name, value] : h)
    ENGRAM_CHECK(
        std::find(accepted.begin(), accepted.end(), name) != accepted.end(),
        "{}: unknown hyperparameter '{}' for '{}' (it takes: {})", who, name, entry.kind,
        accepted.empty() ? std::string("none") : fmt::format("{}", fmt::join(accepted, ", ")));
}

}  // namespace

template <class T>
LagrangianPtr<T> make_lagrangian(std::string_view kind, H hyperparameters) {
  const auto table = lagrangian_table<T>();
  const LagrangianKind<T>& entry = find_kind(table, kind, "make_lagrangian", "Lagrangian");
  check_hyperparameters(entry, hyperparameters, "make_lagrangian");
  return entry.make(hyperparameters);
}

template <class T>
SynapsePtr<T> make_synapse(std::string_view kind, H hyperparameters, std::vector<Mat<T>> params) {
  const auto table = synapse_table<T>();
  const SynapseKind<T>& entry = find_kind(table, kind, "make_synapse", "synapse");
  check_hyperparameters(entry, hyperparameters, "make_synapse");
  ENGRAM_CHECK(params.size() == entry.params.size(),
               "make_synapse: '{}' takes {} parameter tensor(s) ({}), got {}", entry.kind,
               entry.params.size(), fmt::join(entry.params, ", "), params.size());
  SynapsePtr<T> synapse = entry.make(hyperparameters, params);
  ENGRAM_ASSERT(synapse->kind() == entry.kind && synapse->param_names() == entry.params);
  return synapse;
}

std::vector<std::string> lagrangian_kinds() {
  std::vector<std::string> out;
  for (const auto& e : lagrangian_table<double>()) out.push_back(e.kind);
  return out;
}

std::vector<std::string> synapse_kinds() {
  std::vector<std::string> out;
  for (const auto& e : synapse_table<double>()) out.push_back(e.kind);
  return out;
}

template LagrangianPtr<float> make_lagrangian(std::string_view, H);
template LagrangianPtr<double> make_lagrangian(std::string_view, H);
template SynapsePtr<float> make_synapse(std::string_view, H, std::vector<Mat<float>>);
template SynapsePtr<double> make_synapse(std::string_view, H, std::vector<Mat<double>>);

}  // namespace engram
