// EnergyGraph files (M-42): any graph saved and loaded gives the same energies, gradients and
// dynamics bit for bit; the registry rebuilds every kind; broken configs get clear errors.
#include <engram/dynamics/relax.hpp>
#include <engram/io/graph_file.hpp>
#include <engram/io/registry.hpp>
#include <engram/io/safetensors.hpp>
#include <engram/models/bipartite_memory.hpp>
#include <engram/models/conditional.hpp>
#include <engram/neurons.hpp>
#include <engram/synapses.hpp>

#include <filesystem>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "support/check.hpp"
#include "support/random_graph.hpp"
#include "support/scratch.hpp"

namespace engram {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// Every Lagrangian kind and every synapse kind in one graph, with a 2-D layer shape.
template <class T>
EnergyGraph<T> every_kind_graph(std::uint64_t seed) {
  Rng rng(seed);
  Mat<double> R = rng.normal<double>(3, 3, 0, 0.3);
  R = (0.5 * (R + R.transpose())).eval();
  R.diagonal().setZero();
  EnergyGraph<T> g;
  g.add_layer("a", {3}, Identity<T>(), 1.5)
      .add_layer("b", {2, 2}, Sigmoid<T>(0.7))
      .add_layer("c", {3}, Tanh<T>(1.3), 0.8)
      .add_layer("d", {2}, Relu<T>())
      .add_layer("e", {3}, RectifiedPolynomial<T>(3.0))
      .add_layer("f", {4}, Softmax<T>(2.0), 2.0)
      .add_layer("g", {3}, Softplus<T>(0.9))
      .add_synapse("ab", {"a", "b"}, DenseSynapse<T>(rng.normal<T>(3, 4, 0, 0.3)))
      .add_synapse("cc", {"c"}, RecurrentSynapse<T>(R.cast<T>()))
      .add_synapse("bias", {"d"}, BiasSynapse<T>(rng.normal<T>(1, 2)))
      .add_synapse("l2", {"e", "f"}, L2Synapse<T>(rng.uniform<T>(4, 3)))
      .add_synapse("label", {"f", "d"}, LabelSynapse<T>(rng.uniform<T>(4, 2), 1.7))
      .add_synapse("ec", {"e", "c"}, DenseSynapse<T>(rng.normal<T>(3, 3, 0, 0.3)))
      .add_synapse("memory", {"g"},
                   MemorySynapse<T>(rng.normal<T>(5, 3, 0, 0.3), Interaction::log_sum_exp(1.5)))
      .add_synapse("dam", {"c"},
                   MemorySynapse<T>(rng.normal<T>(4, 3, 0, 0.3), Interaction::polynomial(3)));
  return g;
}

template <class T>
State<T> random_state(const EnergyGraph<T>& g, Index batch, std::uint64_t seed) {
  Rng rng(seed);
  State<T> s = g.zeros(batch);
  for (std::size_t l = 0; l < s.size(); ++l)
    s.at(l) = rng.normal<T>(batch, g.layers()[l].size, 0.0, 1.0);
  return s;
}

template <class A, class B>
bool same(const A& a, const B& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && a.cwiseEqual(b).all();
}

/// Same structure and parameters, and the same energies, gradients and Euler steps, bit for bit.
template <class T>
void expect_identical(const EnergyGraph<T>& a, const EnergyGraph<T>& b) {
  ASSERT_EQ(a.layers().size(), b.layers().size());
  for (std::size_t l = 0; l < a.layers().size(); ++l) {
    const auto &x = a.layers()[l], &y = b.layers()[l];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.shape, y.shape);
    EXPECT_EQ(x.tau, y.tau);
    EXPECT_EQ(x.lagrangian->kind(), y.lagrangian->kind());
    EXPECT_EQ(x.lagrangian->hyperparameters(), y.lagrangian->hyperparameters());
  }
  ASSERT_EQ(a.synapses().size(), b.synapses().size());
  for (std::size_t s = 0; s < a.synapses().size(); ++s) {
    const auto &x = a.synapses()[s], &y = b.synapses()[s];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.layers, y.layers);
    EXPECT_EQ(x.synapse->kind(), y.synapse->kind());
    EXPECT_EQ(x.synapse->hyperparameters(), y.synapse->hyperparameters());
    ASSERT_EQ(x.synapse->num_params(), y.synapse->num_params());
    for (std::size_t k = 0; k < x.synapse->num_params(); ++k)
      EXPECT_TRUE(same(x.synapse->param(k), y.synapse->param(k))) << x.name;
  }

  State<T> sa = random_state(a, 3, 11), sb = sa;
  const EnergyBreakdown ea = a.energy_terms(sa), eb = b.energy_terms(sb);
  EXPECT_TRUE(same(ea.values, eb.values));
  EXPECT_TRUE(same(ea.total, eb.total));
  const std::vector<Mat<T>> ga = a.grad(sa), gb = b.grad(sb);
  for (std::size_t l = 0; l < ga.size(); ++l) EXPECT_TRUE(same(ga[l], gb[l])) << l;

  RelaxOptions o;
  o.dt = 0.05;
  o.max_steps = 8;
  o.tolerance = 0.0;
  const RelaxResult ra = relax(a, sa, o), rb = relax(b, sb, o);
  EXPECT_EQ(ra.steps, rb.steps);
  EXPECT_TRUE(same(ra.trace, rb.trace));
  for (std::size_t l = 0; l < sa.size(); ++l) EXPECT_TRUE(same(sa.at(l), sb.at(l))) << l;
}

template <class T>
EnergyGraph<T> round_trip(const EnergyGraph<T>& g, const test::ScratchDir& scratch,
                          const std::string& name) {
  save_graph(scratch(name), g);
  EXPECT_EQ(model_file_kind(scratch(name)), "energy_graph");
  return load_graph<T>(scratch(name));
}

TEST(GraphFile, EveryKindRoundTripsBitForBit) {
  const test::ScratchDir scratch("graph_file");
  expect_identical(every_kind_graph<double>(1),
                   round_trip(every_kind_graph<double>(1), scratch, "d.st"));
  expect_identical(every_kind_graph<float>(2),
                   round_trip(every_kind_graph<float>(2), scratch, "f.st"));
  // In memory too, and the file of the loaded graph is the file of the original.
  const ModelFile<double> file = graph_to_file(every_kind_graph<double>(3));
  const ModelFile<double> again = graph_to_file(graph_from_file(file));
  EXPECT_EQ(file.config, again.config);
  for (const auto& [name, m] : file.tensors) EXPECT_TRUE(same(m, again.tensors.at(name))) << name;
}

TEST(GraphFile, RandomGraphsRoundTripBitForBit) {
  const test::ScratchDir scratch("graph_file");
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Rng rng(seed);
    const EnergyGraph<double> g = test::random_graph(rng);
    SCOPED_TRACE(seed);
    expect_identical(g, round_trip(g, scratch, "random.st"));
  }
}

TEST(GraphFile, ConfigAndTensorsSayWhatTheGraphIs) {
  const test::ScratchDir scratch("graph_file");
  const Mat<double> Xi = Rng(5).uniform<double>(4, 3);
  const ModelFile<double> file =
      graph_to_file(bipartite_memory_graph<double>(Xi, std::make_shared<Softmax<double>>(1.0)));
  EXPECT_EQ(file.kind, "energy_graph");
  const json expected = json::parse(R"({
    "layers": [
      {"name": "v", "shape": [3], "tau": 1.0,
       "lagrangian": {"kind": "sigmoid", "hyperparameters": {"beta": 0.16666666666666666}}},
      {"name": "m", "shape": [4], "tau": 1.0,
       "lagrangian": {"kind": "softmax", "hyperparameters": {"beta": 1.0}}}],
    "synapses": [
      {"name": "xi", "kind": "DenseSynapse", "layers": ["m", "v"], "hyperparameters": {},
       "params": ["xi.W"]}]})");
  EXPECT_EQ(file.config, expected) << file.config.dump(2);
  ASSERT_EQ(file.tensors.size(), 1u);
  EXPECT_TRUE(same(file.tensors.at("xi.W"), Xi));

  save_graph(scratch("xi.st"),
             bipartite_memory_graph<double>(Xi, std::make_shared<Softmax<double>>(1.0)));
  const SafetensorsHeader h = read_safetensors_header(scratch("xi.st"));
  EXPECT_EQ(h.tensors.at("xi.W").dtype, "F64");
  EXPECT_EQ(h.tensors.at("xi.W").shape, (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(json::parse(h.metadata.at("config")), expected);
}

TEST(GraphFile, Seed001MemoriesAndConditionalMemoryRoundTrip) {
  const test::ScratchDir scratch("graph_file");
  const Mat<double> Xi = Rng(55).uniform<double>(100, 30);
  const auto chn = bipartite_memory_graph<double>(Xi, std::make_shared<Identity<double>>());
  const auto dam = bipartite_memory_graph<double>(Xi, std::make_shared<Softmax<double>>(1.0));
  const auto damf =
      bipartite_memory_graph<float>(Xi.cast<float>(), std::make_shared<Softmax<float>>(1.0));
  expect_identical(chn, round_trip(chn, scratch, "chn.st"));
  expect_identical(dam, round_trip(dam, scratch, "dam.st"));
  expect_identical(damf, round_trip(damf, scratch, "damf.st"));

  ConditionalMemory<double> memory(6, 3);
  memory.insert(Rng(9).uniform<double>(5, 6), {0, 1, 2, 1, 0});
  expect_identical(memory.graph(), round_trip(memory.graph(), scratch, "conditional.st"));
}

TEST(GraphFile, LoadsTheOtherFloatWidth) {
  const test::ScratchDir scratch("graph_file");
  const EnergyGraph<double> d = every_kind_graph<double>(4);
  save_graph(scratch("d.st"), d);
  const EnergyGraph<float> f = load_graph<float>(scratch("d.st"));
  for (std::size_t s = 0; s < d.synapses().size(); ++s)
    for (std::size_t k = 0; k < d.synapses()[s].synapse->num_params(); ++k)
      EXPECT_TRUE(
          same(f.synapses()[s].synapse->param(k), d.synapses()[s].synapse->param(k).cast<float>()));
  const State<double> sd = random_state(d, 4, 12);
  State<float> sf = f.zeros(4);
  for (std::size_t l = 0; l < sd.size(); ++l) sf.at(l) = sd.at(l).cast<float>();
  const Energies ed = d.energy(sd), ef = f.energy(sf);
  for (Index b = 0; b < ed.size(); ++b)
    EXPECT_NEAR(ef(b), ed(b), 1e-4 * std::max(1.0, std::abs(ed(b))));

  // float → double widens exactly.
  const EnergyGraph<float> f2 = every_kind_graph<float>(5);
  save_graph(scratch("f.st"), f2);
  const EnergyGraph<double> d2 = load_graph<double>(scratch("f.st"));
  for (std::size_t s = 0; s < f2.synapses().size(); ++s)
    for (std::size_t k = 0; k < f2.synapses()[s].synapse->num_params(); ++k)
      EXPECT_TRUE(same(d2.synapses()[s].synapse->param(k),
                       f2.synapses()[s].synapse->param(k).cast<double>()));
}

TEST(GraphFile, RegistryRebuildsEveryKind) {
  EXPECT_EQ(lagrangian_kinds(),
            (std::vector<std::string>{"identity", "sigmoid", "tanh", "relu", "rectified_polynomial",
                                      "softmax", "softplus", "hard_sigmoid"}));
  EXPECT_EQ(synapse_kinds(),
            (std::vector<std::string>{"DenseSynapse", "RecurrentSynapse", "BiasSynapse",
                                      "L2Synapse", "LabelSynapse", "MemorySynapse"}));
  const EnergyGraph<double> g = every_kind_graph<double>(6);
  for (const auto& l : g.layers()) {
    const auto made =
        make_lagrangian<double>(l.lagrangian->kind(), l.lagrangian->hyperparameters());
    EXPECT_EQ(made->name(), l.lagrangian->name());
  }
  for (const auto& c : g.synapses()) {
    std::vector<Mat<double>> params;
    for (std::size_t k = 0; k < c.synapse->num_params(); ++k) params.push_back(c.synapse->param(k));
    const auto made = make_synapse<double>(c.synapse->kind(), c.synapse->hyperparameters(), params);
    EXPECT_EQ(made->name(), c.synapse->name());
    EXPECT_EQ(made->param_names(), c.synapse->param_names());
  }
}

TEST(GraphFile, RegistryRefusesWhatItCannotBuild) {
  EXPECT_THROW_MESSAGE(make_lagrangian<double>("swish", {}), std::invalid_argument,
                       "unknown Lagrangian kind 'swish' (known: identity, sigmoid, tanh, relu, "
                       "rectified_polynomial, softmax, softplus, hard_sigmoid)");
  EXPECT_THROW_MESSAGE(make_lagrangian<float>("tanh", {}), std::invalid_argument,
                       "'tanh' needs hyperparameter 'beta'");
  EXPECT_THROW_MESSAGE(make_lagrangian<float>("relu", {{"beta", 1}}), std::invalid_argument,
                       "unknown hyperparameter 'beta' for 'relu' (it takes: none)");
  EXPECT_THROW_MESSAGE(make_lagrangian<double>("sigmoid", {{"beta", -1}}), std::invalid_argument,
                       "Sigmoid: beta must be positive and finite, got -1");
  EXPECT_THROW_MESSAGE(make_synapse<double>("Conv", {}, {}), std::invalid_argument,
                       "unknown synapse kind 'Conv' (known: DenseSynapse, RecurrentSynapse, "
                       "BiasSynapse, L2Synapse, LabelSynapse, MemorySynapse)");
  EXPECT_THROW_MESSAGE(make_synapse<double>("DenseSynapse", {}, {}), std::invalid_argument,
                       "'DenseSynapse' takes 1 parameter tensor(s) (W), got 0");
  EXPECT_THROW_MESSAGE(make_synapse<double>("LabelSynapse", {}, {Mat<double>::Ones(2, 2)}),
                       std::invalid_argument, "'LabelSynapse' needs hyperparameter 'lambda'");
}

/// A synapse kind the registry does not know.
class Unregistered final : public Synapse<double> {
 public:
  Unregistered() : Synapse<double>("Unregistered") { add_param("w", Mat<double>::Ones(1, 1)); }
  std::unique_ptr<Synapse<double>> clone() const override {
    return std::make_unique<Unregistered>(*this);
  }
  std::string name() const override { return "unregistered"; }
  std::vector<Index> operand_sizes() const override { return {1}; }

 private:
  void do_evaluate(Operands<double>, Energies* e, Gradients<double>) const override {
    if (e) e->setZero();
  }
  std::vector<Mat<double>> do_param_grad(Operands<double>) const override {
    return {Mat<double>::Zero(1, 1)};
  }
};

TEST(GraphFile, SavingAKindModelFilesCannotRebuildIsRefused) {
  const test::ScratchDir scratch("graph_file");
  EnergyGraph<double> g;
  g.add_layer("x", {1}, Identity<double>()).add_synapse("u", {"x"}, Unregistered());
  EXPECT_THROW_MESSAGE(graph_to_file(g), std::invalid_argument,
                       "synapse 'u' has kind 'Unregistered', which model files cannot rebuild");
  EXPECT_THROW_MESSAGE(save_graph(scratch("u.st"), g), std::invalid_argument, "Unregistered");
  EXPECT_FALSE(fs::exists(scratch("u.st")));
}

class BrokenGraphFile : public ::testing::Test {
 protected:
  test::ScratchDir scratch{"broken_graph_file"};
  ModelFile<double> file = graph_to_file(every_kind_graph<double>(7));
  json& layer(std::size_t i) { return file.config["layers"][i]; }
  json& synapse(std::size_t i) { return file.config["synapses"][i]; }
  void expect_error(const std::string& substring) {
    EXPECT_THROW_MESSAGE(graph_from_file(file), std::invalid_argument, substring);
  }
};

TEST_F(BrokenGraphFile, MissingOrMistypedFields) {
  file.kind = "dense_am";
  expect_error("graph_from_file: the file holds a 'dense_am', not an 'energy_graph'");
  file.kind = "energy_graph";
  file.config.erase("synapses");
  expect_error("energy_graph config: missing \"synapses\"");
  file = graph_to_file(every_kind_graph<double>(7));
  layer(0).erase("tau");
  expect_error("energy_graph config: layer 'a': missing \"tau\"");
  layer(0)["tau"] = "fast";
  expect_error("layer 'a': \"tau\" must be a number, got \"fast\"");
  layer(0)["tau"] = 0.0;
  expect_error("layer 'a': add_layer 'a': tau must be positive and finite, got 0");
  file = graph_to_file(every_kind_graph<double>(7));
  layer(1)["shape"] = {2, 2.5};
  expect_error("layer 'b': \"shape\" must hold integers, got 2.5");
  layer(1).erase("name");
  expect_error("energy_graph config: layer 1: missing \"name\"");
  file = graph_to_file(every_kind_graph<double>(7));
  layer(1)["lagrangian"].erase("hyperparameters");
  expect_error("layer 'b': lagrangian: missing \"hyperparameters\"");
  layer(1)["lagrangian"]["hyperparameters"] = {{"beta", "hot"}};
  expect_error("layer 'b': lagrangian: hyperparameter \"beta\" must be a number, got \"hot\"");
  file = graph_to_file(every_kind_graph<double>(7));
  synapse(0).erase("layers");
  expect_error("energy_graph config: synapse 'ab': missing \"layers\"");
  synapse(0)["layers"] = {"a", "q"};
  expect_error("synapse 'ab': unknown layer 'q'");
  synapse(0)["layers"] = {"a"};
  expect_error("synapse 'ab': add_synapse 'ab': dense(3x4) connects 2 layer(s), got 1");
}

TEST_F(BrokenGraphFile, UnknownKindsAndHyperparameters) {
  layer(1)["lagrangian"]["kind"] = "swish";
  expect_error("layer 'b': make_lagrangian: unknown Lagrangian kind 'swish' (known: identity,");
  file = graph_to_file(every_kind_graph<double>(7));
  layer(1)["lagrangian"]["hyperparameters"] = json::object();
  expect_error("layer 'b': make_lagrangian: 'sigmoid' needs hyperparameter 'beta'");
  layer(1)["lagrangian"]["hyperparameters"] = {{"beta", 1.0}, {"gamma", 2.0}};
  expect_error("unknown hyperparameter 'gamma' for 'sigmoid' (it takes: beta)");
  file = graph_to_file(every_kind_graph<double>(7));
  synapse(4)["kind"] = "Conv";
  expect_error("synapse 'label': make_synapse: unknown synapse kind 'Conv' (known: DenseSynapse,");
  file = graph_to_file(every_kind_graph<double>(7));
  synapse(4)["hyperparameters"]["lambda"] = -2.0;
  expect_error("synapse 'label': LabelSynapse: lambda must be positive and finite, got -2");
}

TEST_F(BrokenGraphFile, TensorsMissingUnusedOrWrong) {
  file.tensors.erase("ab.W");
  expect_error("synapse 'ab': tensor 'ab.W' is not in the file");
  file = graph_to_file(every_kind_graph<double>(7));
  file.tensors["stray"] = Mat<double>::Zero(1, 1);
  expect_error("energy_graph file: tensor 'stray' belongs to no synapse");
  file = graph_to_file(every_kind_graph<double>(7));
  synapse(1)["params"] = {"ab.W"};
  expect_error("synapse 'cc': tensor 'ab.W' is used twice");
  file = graph_to_file(every_kind_graph<double>(7));
  file.tensors["ab.W"] = Mat<double>::Zero(4, 4);
  expect_error(
      "synapse 'ab': add_synapse 'ab': dense(4x4) expects operand 0 of size 4, but layer "
      "'a' has size 3");
  file.tensors["ab.W"] = Mat<double>::Zero(3, 4);
  file.tensors["bias.b"] = Mat<double>::Zero(2, 2);
  expect_error("synapse 'bias': BiasSynapse: b must be 1xD with D > 0, got 2x2");
  file.tensors["bias.b"] = Mat<double>::Zero(1, 2);
  file.tensors["cc.W"](0, 1) += 0.5;
  expect_error("synapse 'cc': RecurrentSynapse: W must be symmetric");
  file = graph_to_file(every_kind_graph<double>(7));
  file.tensors["l2.theta"](2, 1) = std::nan("");
  expect_error("synapse 'l2': L2Synapse: theta contains NaN at (2, 1)");
}

TEST_F(BrokenGraphFile, LoadingNamesThePath) {
  file.tensors["ab.W"] = Mat<double>::Zero(4, 4);
  save_model_file(scratch("wrong_shape.st"), file);
  EXPECT_THROW_MESSAGE(load_graph<float>(scratch("wrong_shape.st")), Error,
                       "wrong_shape.st': energy_graph config: synapse 'ab': add_synapse 'ab': "
                       "dense(4x4) expects operand 0 of size 4");
  file = graph_to_file(every_kind_graph<double>(7));
  file.kind = "modern_hopfield";
  save_model_file(scratch("other.st"), file);
  EXPECT_THROW_MESSAGE(load_graph<double>(scratch("other.st")), Error,
                       "other.st': graph_from_file: the file holds a 'modern_hopfield'");
}

}  // namespace
TEST(GraphFile, MemorySynapseInteractionCodeIsChecked) {
  EXPECT_THROW_MESSAGE(
      make_synapse<double>("MemorySynapse", {{"interaction", 7}, {"n", 2}, {"beta", 1}},
                           {Mat<double>::Ones(2, 3)}),
      std::invalid_argument, "interaction must be a code 0..3, got 7");
  EXPECT_THROW_MESSAGE(
      make_synapse<double>("MemorySynapse", {{"interaction", 0}, {"n", 1.5}, {"beta", 1}},
                           {Mat<double>::Ones(2, 3)}),
      std::invalid_argument, "n");
}

}  // namespace engram
