// Model files (M-42): ModelFile<T> saved as safetensors with engram's metadata, loaded back in
// either float width, and refused with a clear error when foreign or incomplete.
#include <engram/io/model_file.hpp>
#include <engram/io/safetensors.hpp>

#include <cstring>
#include <filesystem>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "support/check.hpp"
#include "support/scratch.hpp"

namespace engram {
namespace {

namespace fs = std::filesystem;

template <class T>
ModelFile<T> example() {
  Rng rng(7);
  ModelFile<T> f;
  f.kind = "modern_hopfield";
  f.config = {{"beta", 1.0 / 3.0}, {"steps", 3}, {"rule", "hebbian"}, {"shape", {28, 28}}};
  f.tensors["xi"] = rng.normal<T>(4, 5);
  f.tensors["bias"] = rng.normal<T>(1, 5);
  f.tensors["none"] = Mat<T>(0, 3);
  return f;
}

template <class T>
void expect_same(const ModelFile<T>& a, const ModelFile<T>& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.config, b.config);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, m] : a.tensors) {
    const Mat<T>& n = b.tensors.at(name);
    ASSERT_EQ(n.rows(), m.rows()) << name;
    ASSERT_EQ(n.cols(), m.cols()) << name;
    EXPECT_TRUE(m.cwiseEqual(n).all()) << name;  // bitwise for finite values
  }
}

TEST(ModelFile, RoundTripsExactlyInDoubleAndFloat) {
  const test::ScratchDir scratch("model_file");
  const ModelFile<double> d = example<double>();
  save_model_file(scratch("d.safetensors"), d);
  expect_same(d, load_model_file<double>(scratch("d.safetensors")));
  EXPECT_EQ(load_model_file<double>(scratch("d.safetensors")).config["beta"].get<double>(),
            1.0 / 3.0);

  const ModelFile<float> f = example<float>();
  save_model_file(scratch("f.safetensors"), f);
  expect_same(f, load_model_file<float>(scratch("f.safetensors")));
  EXPECT_EQ(model_file_kind(scratch("f.safetensors")), "modern_hopfield");
}

TEST(ModelFile, MetadataAndTensorsAreWhatTheSpecSays) {
  const test::ScratchDir scratch("model_file");
  save_model_file(scratch("meta.safetensors"), example<float>());
  const SafetensorsFile raw = read_safetensors(scratch("meta.safetensors"));
  EXPECT_EQ(raw.metadata.at("format"), "engram");
  EXPECT_EQ(raw.metadata.at("engram_version"), "0.1.0");
  EXPECT_EQ(raw.metadata.at("kind"), "modern_hopfield");
  EXPECT_EQ(raw.metadata.at("scalar"), "float32");
  EXPECT_EQ(raw.metadata.at("config"),
            R"({"beta":0.3333333333333333,"rule":"hebbian","shape":[28,28],"steps":3})");
  const SafetensorsTensor& xi = raw.tensors.at("xi");
  EXPECT_EQ(xi.dtype, "F32");
  EXPECT_EQ(xi.shape, (std::vector<std::int64_t>{4, 5}));
  const Mat<float> expected = example<float>().tensors.at("xi");
  float first[2];
  std::memcpy(first, xi.data.data(), sizeof first);  // row-major: (0, 0), then (0, 1)
  EXPECT_EQ(first[0], expected(0, 0));
  EXPECT_EQ(first[1], expected(0, 1));
  EXPECT_EQ(raw.tensors.at("bias").shape, (std::vector<std::int64_t>{1, 5}));
  EXPECT_EQ(raw.tensors.at("none").shape, (std::vector<std::int64_t>{0, 3}));

  save_model_file(scratch("meta64.safetensors"), example<double>());
  const SafetensorsFile raw64 = read_safetensors(scratch("meta64.safetensors"));
  EXPECT_EQ(raw64.metadata.at("scalar"), "float64");
  EXPECT_EQ(raw64.tensors.at("xi").dtype, "F64");
}

TEST(ModelFile, LoadsTheOtherFloatWidth) {
  const test::ScratchDir scratch("model_file");
  const ModelFile<float> f = example<float>();
  save_model_file(scratch("f.safetensors"), f);
  const ModelFile<double> widened = load_model_file<double>(scratch("f.safetensors"));
  for (const auto& [name, m] : f.tensors)
    EXPECT_TRUE(widened.tensors.at(name).cwiseEqual(m.cast<double>()).all()) << name;

  const ModelFile<double> d = example<double>();
  save_model_file(scratch("d.safetensors"), d);
  const ModelFile<float> narrowed = load_model_file<float>(scratch("d.safetensors"));
  for (const auto& [name, m] : d.tensors)
    EXPECT_TRUE(narrowed.tensors.at(name).cwiseEqual(m.cast<float>()).all()) << name;

  ModelFile<double> big = d;
  big.tensors["xi"](1, 2) = -1e300;
  save_model_file(scratch("big.safetensors"), big);
  EXPECT_THROW_MESSAGE(load_model_file<float>(scratch("big.safetensors")), Error,
                       "tensor 'xi' holds -1e+300 at (1, 2), beyond the range of float32");
}

/// A safetensors file with the given metadata and one F32 tensor "w".
fs::path foreign(const test::ScratchDir& scratch, const std::string& name,
                 std::map<std::string, std::string> metadata,
                 SafetensorsTensor w = {"F32", {1, 1}, std::vector<std::byte>(4)}) {
  SafetensorsFile f;
  f.metadata = std::move(metadata);
  f.tensors["w"] = std::move(w);
  write_safetensors(scratch(name), f);
  return scratch(name);
}

TEST(ModelFile, ForeignOrIncompleteFilesAreRefused) {
  const test::ScratchDir scratch("model_file");
  const std::map<std::string, std::string> good = {
      {"format", "engram"}, {"kind", "dense_am"}, {"config", "{}"}};
  EXPECT_EQ(load_model_file<float>(foreign(scratch, "good.st", good)).kind, "dense_am");

  const fs::path pt = foreign(scratch, "pt.st", {{"format", "pt"}});
  EXPECT_THROW_MESSAGE(load_model_file<float>(pt), Error,
                       "pt.st': not an engram model file (its safetensors metadata has "
                       "\"format\": \"pt\"");
  EXPECT_THROW_MESSAGE(model_file_kind(pt), Error, "not an engram model file");
  EXPECT_THROW_MESSAGE(load_model_file<double>(foreign(scratch, "none.st", {})), Error,
                       "not an engram model file (its safetensors metadata has no \"format\"");

  auto without = [&](const std::string& key) {
    auto m = good;
    m.erase(key);
    return m;
  };
  EXPECT_THROW_MESSAGE(load_model_file<float>(foreign(scratch, "nokind.st", without("kind"))),
                       Error, "engram model file without \"kind\" in its metadata");
  EXPECT_THROW_MESSAGE(model_file_kind(foreign(scratch, "noconfig.st", without("config"))), Error,
                       "engram model file without \"config\" in its metadata");
  auto with = [&](const std::string& key, const std::string& value) {
    auto m = good;
    m[key] = value;
    return m;
  };
  EXPECT_THROW_MESSAGE(
      load_model_file<float>(foreign(scratch, "garbled.st", with("config", "{\"a\":"))), Error,
      "the \"config\" metadata is not valid JSON");
  EXPECT_THROW_MESSAGE(load_model_file<float>(foreign(scratch, "array.st", with("config", "[1]"))),
                       Error, "the \"config\" metadata must be a JSON object, got a array");
  EXPECT_THROW_MESSAGE(load_model_file<float>(foreign(scratch, "emptykind.st", with("kind", ""))),
                       Error, "with an empty kind");

  EXPECT_THROW_MESSAGE(load_model_file<float>(foreign(scratch, "i32.st", good,
                                                      {"I32", {1, 1}, std::vector<std::byte>(4)})),
                       Error, "tensor 'w' has dtype I32; engram model files hold F32 or F64");
  EXPECT_THROW_MESSAGE(load_model_file<float>(foreign(scratch, "1d.st", good,
                                                      {"F32", {1}, std::vector<std::byte>(4)})),
                       Error, "tensor 'w' has shape [1]; engram model files hold 2-D tensors");
}

TEST(ModelFile, SavingChecksItsInput) {
  const test::ScratchDir scratch("model_file");
  ModelFile<double> f = example<double>();
  f.kind = "";
  EXPECT_THROW_MESSAGE(save_model_file(scratch("x.st"), f), std::invalid_argument,
                       "kind must not be empty");
  f = example<double>();
  f.config = nlohmann::json::array();
  EXPECT_THROW_MESSAGE(save_model_file(scratch("x.st"), f), std::invalid_argument,
                       "config must be a JSON object");
  f = example<double>();
  f.tensors[""] = Mat<double>(1, 1);
  EXPECT_THROW_MESSAGE(save_model_file(scratch("x.st"), f), std::invalid_argument,
                       "a tensor has an empty name");
  EXPECT_FALSE(fs::exists(scratch("x.st")));
}

}  // namespace
}  // namespace engram
