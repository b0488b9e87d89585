// ClassicalHopfield (SPEC M-10): energy against the recurrent synapse, capacity at low and high
// load, energy descent and fixed points of both update modes, 2-cycles, the bit-packed path
// against the plain one, model files, and bad input.
#include <engram/models/classical_hopfield.hpp>
#include <engram/synapses/dense.hpp>

#include <algorithm>
#include <numeric>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

template <class T = double>
Mat<T> random_signs(Index P, Index N, std::uint64_t seed, double p_plus = 0.5) {
  const Mat<double> u = Rng(seed).uniform<double>(P, N);
  return u.unaryExpr([p_plus](double v) { return v < p_plus ? 1.0 : -1.0; }).template cast<T>();
}

/// Each row of `patterns` with a fraction `flip` of its units flipped (exactly round(flip·N)).
template <class T>
Mat<T> flipped(const Mat<T>& patterns, double flip, std::uint64_t seed) {
  Rng rng(seed);
  Mat<T> out = patterns;
  const Index N = patterns.cols(), k = static_cast<Index>(std::lround(flip * N));
  std::vector<Index> units(static_cast<std::size_t>(N));
  for (Index b = 0; b < out.rows(); ++b) {
    std::iota(units.begin(), units.end(), Index{0});
    std::shuffle(units.begin(), units.end(), rng.engine());
    for (Index j = 0; j < k; ++j) out(b, units[j]) = -out(b, units[j]);
  }
  return out;
}

Mat<double> random_symmetric(Index N, std::uint64_t seed) {
  Mat<double> W = Rng(seed).normal<double>(N, N);
  W = (0.5 * (W + W.transpose())).eval();
  W.diagonal().setZero();
  return W;
}

/// A state is a fixed point when every unit is ±1 and sign(h_i) = s_i or h_i = 0.
template <class T>
bool is_fixed_point(const Mat<T>& W, const Eigen::Ref<const Eigen::Matrix<T, 1, -1>>& s) {
  const Eigen::Matrix<T, 1, -1> h = s * W;
  for (Index i = 0; i < s.size(); ++i)
    if (s(i) == 0 || h(i) * s(i) < 0) return false;
  return true;
}

template <class T>
double bit_accuracy(const Mat<T>& a, const Mat<T>& b) {
  return static_cast<double>((a.array() == b.array()).count()) / static_cast<double>(a.size());
}

ClassicalRecallOptions with_mode(UpdateMode mode, PackedMode packed = PackedMode::automatic) {
  ClassicalRecallOptions o;
  o.mode = mode;
  o.packed = packed;
  return o;
}

TEST(ClassicalHopfield, EnergyIsTheRecurrentSynapseEnergyOnSigns) {
  const Mat<double> W = random_symmetric(30, 1);
  const Mat<double> S = random_signs(5, 30, 2);
  const ClassicalHopfield<double> net(W);
  EXPECT_LT(test::max_relative_gap(net.energy(S), RecurrentSynapse<double>(W).energy({S})), 1e-12);
  Energies literal(5);  // −½ Σ_ij W_ij s_i s_j
  for (Index b = 0; b < 5; ++b) literal(b) = -0.5 * S.row(b) * W * S.row(b).transpose();
  EXPECT_LT(test::max_relative_gap(net.energy(S), literal), 1e-12);
  const ClassicalHopfield<float> netf(W.cast<float>());
  EXPECT_LT(test::max_relative_gap(netf.energy(S.cast<float>()), literal), 1e-5);
}

TEST(ClassicalHopfield, StoredPatternsAreRecalledAtLowLoadAndLostAtHighLoad) {
  // Hebbian capacity: at α = P/N = 0.05 (below α_c ≈ 0.138) 10% flips are corrected; at α = 0.3
  // the retrieval states are far from the patterns.
  const Index N = 400;
  for (UpdateMode mode : {UpdateMode::asynchronous, UpdateMode::synchronous}) {
    const Mat<float> low = random_signs<float>(20, N, 3);
    const Retrieval<float> r =
        ClassicalHopfield<float>::from_patterns(low).recall(flipped(low, 0.1, 4), with_mode(mode));
    EXPECT_GT(bit_accuracy(r.states, low), 0.99) << to_string(mode);
    const Mat<float> high = random_signs<float>(120, N, 5);
    const Mat<float> cues = flipped(Mat<float>(high.topRows(20)), 0.1, 6);
    const Retrieval<float> q =
        ClassicalHopfield<float>::from_patterns(high).recall(cues, with_mode(mode));
    EXPECT_LT(bit_accuracy(q.states, Mat<float>(high.topRows(20))), 0.9) << to_string(mode);
  }
}

TEST(ClassicalHopfield, AsynchronousEnergyNeverRisesAndEndsAtFixedPoints) {
  for (std::uint64_t seed : {10, 11, 12}) {
    const Mat<double> W = random_symmetric(60, seed);
    Mat<double> cues = random_signs(8, 60, seed + 100);
    cues.block(0, 0, 2, 10).setZero();  // unknown units too
    ClassicalRecallOptions o;
    o.seed = seed;
    o.max_iterations = 1000;
    const Retrieval<double> r = ClassicalHopfield<double>(W).recall(cues, o);
    const Eigen::MatrixXd& E = r.energy_trace;
    ASSERT_EQ(E.rows(), 1 + *std::max_element(r.steps.begin(), r.steps.end()));
    for (Index t = 1; t < E.rows(); ++t)
      for (Index b = 0; b < E.cols(); ++b)
        EXPECT_LE(E(t, b), E(t - 1, b) + 1e-12 * std::abs(E(t - 1, b))) << "seed " << seed;
    for (Index b = 0; b < cues.rows(); ++b) {
      EXPECT_TRUE(r.converged[b]);
      EXPECT_TRUE(is_fixed_point<double>(W, r.states.row(b)));
      EXPECT_GT(r.steps[b], 0);
      EXPECT_DOUBLE_EQ(E(E.rows() - 1, b), ClassicalHopfield<double>(W).energy(r.states.row(b))(0));
    }
  }
}

TEST(ClassicalHopfield, BothModesReachFixedPointsOfStoredPatterns) {
  const Mat<double> Xi = random_signs(10, 200, 13);
  const ClassicalHopfield<double> net = ClassicalHopfield<double>::from_patterns(Xi);
  const Mat<double> cues = flipped(Xi, 0.1, 14);
  for (UpdateMode mode : {UpdateMode::asynchronous, UpdateMode::synchronous})
    for (PackedMode packed : {PackedMode::automatic, PackedMode::off}) {
      const Retrieval<double> r = net.recall(cues, with_mode(mode, packed));
      for (Index b = 0; b < cues.rows(); ++b) {
        EXPECT_TRUE(r.converged[b]);
        EXPECT_TRUE(is_fixed_point<double>(net.W(), r.states.row(b)));
        EXPECT_GT(bit_accuracy<double>(r.states.row(b), Xi.row(b)), 0.95);  // a nearby minimum
      }
    }
}

TEST(ClassicalHopfield, SynchronousUpdatesCanTwoCycleWhereAsynchronousOnesSettle) {
  // W = −(ones − I) on 2 units: from (+1, +1) the synchronous map flips both units forever.
  Mat<double> W(2, 2);
  W << 0, -1, -1, 0;
  const ClassicalHopfield<double> net(W);
  const Mat<double> cue = Mat<double>::Ones(1, 2);
  const Retrieval<double> s = net.recall(cue, with_mode(UpdateMode::synchronous));
  EXPECT_FALSE(s.converged[0]);
  EXPECT_EQ(s.steps[0], 1);  // (+,+) → (−,−), whose successor (+,+) closes the cycle
  EXPECT_EQ(s.states, -cue);
  EXPECT_EQ(s.energy_trace.rows(), 2);
  EXPECT_DOUBLE_EQ(s.energy_trace(1, 0), 1.0);
  const Retrieval<double> a = net.recall(cue, with_mode(UpdateMode::asynchronous));
  EXPECT_TRUE(a.converged[0]);
  EXPECT_EQ(a.states.sum(), 0.0);  // one unit flipped, then the state is a minimum, E = −1
  EXPECT_DOUBLE_EQ(a.energy_trace(a.energy_trace.rows() - 1, 0), -1.0);
}

TEST(ClassicalHopfield, TiesKeepTheStateAndUnknownUnitsTakePlusOne) {
  const ClassicalHopfield<double> net(Mat<double>::Zero(4, 4));  // every field is 0
  Mat<double> cue(1, 4);
  cue << -1, 0, 1, 0;
  Mat<double> expected(1, 4);
  expected << -1, 1, 1, 1;
  for (UpdateMode mode : {UpdateMode::asynchronous, UpdateMode::synchronous}) {
    const Retrieval<double> r = net.recall(cue, with_mode(mode));
    EXPECT_EQ(r.states, expected);
    EXPECT_EQ(r.steps[0], 1);
    EXPECT_TRUE(r.converged[0]);
  }
  const Retrieval<double> r = net.recall(expected, with_mode(UpdateMode::asynchronous));
  EXPECT_EQ(r.steps[0], 0);
  EXPECT_EQ(r.energy_trace.rows(), 1);
}

TEST(ClassicalHopfield, MaxIterationsBoundsTheUpdatesAndZeroOnlyChecks) {
  const Mat<double> W = random_symmetric(50, 15);
  const Mat<double> cues = random_signs(4, 50, 16);
  ClassicalRecallOptions o;
  o.max_iterations = 0;
  const Retrieval<double> r = ClassicalHopfield<double>(W).recall(cues, o);
  EXPECT_EQ(r.states, cues);
  for (Index b = 0; b < 4; ++b) {
    EXPECT_EQ(r.steps[b], 0);
    EXPECT_EQ(r.converged[b], is_fixed_point<double>(W, cues.row(b)));
  }
  o.max_iterations = 1;
  const Retrieval<double> one = ClassicalHopfield<double>(W).recall(cues, o);
  for (Index b = 0; b < 4; ++b) EXPECT_LE(one.steps[b], 1);
}

TEST(ClassicalHopfield, AsynchronousResultOfASampleIgnoresTheOtherRows) {
  const Mat<double> W = random_symmetric(40, 17);
  const Mat<double> cues = random_signs(3, 40, 18);
  Mat<double> changed = cues;
  changed.row(0) = random_signs(1, 40, 19);
  changed.row(2) = -changed.row(2);
  const ClassicalHopfield<double> net(W);
  EXPECT_EQ(net.recall(cues).states.row(1), net.recall(changed).states.row(1));
  ClassicalRecallOptions other;
  other.seed = 99;
  // The visiting order comes from the seed: the same seed repeats a run exactly, and another
  // seed visits the units differently (on random weights, some sample ends elsewhere).
  const Retrieval<double> first = net.recall(cues, other), again = net.recall(cues, other);
  EXPECT_EQ(first.states, again.states);
  EXPECT_EQ(first.steps, again.steps);
  EXPECT_TRUE(first.converged[1]);
  bool differs = false;
  for (std::uint64_t seed = 0; seed < 20 && !differs; ++seed) {
    ClassicalRecallOptions o;
    o.seed = seed;
    differs = net.recall(cues, o).states != first.states;
  }
  EXPECT_TRUE(differs) << "20 seeds gave the same asynchronous result on random weights";
}

template <class T>
void expect_packed_matches_plain(Index N, Index P, std::uint64_t seed) {
  const Mat<T> Xi = random_signs<T>(P, N, seed);
  const auto net = ClassicalHopfield<T>::from_patterns(Xi);
  ASSERT_TRUE(net.has_packed_path());
  // Cues: noisy patterns, random states (spurious attractors, cycles) and unknown units.
  Mat<T> cues(3 * P, N);
  cues << flipped(Xi, 0.2, seed + 1), random_signs<T>(P, N, seed + 2), flipped(Xi, 0.3, seed + 3);
  cues.bottomRows(P).leftCols(N / 4).setZero();
  // The test is only meaningful if exact ties occur in the fields (N h = integer).
  const Mat<T> H = cues * net.W();
  ASSERT_GT((H.array() == T(0)).count(), 0) << "no ties for N=" << N << " P=" << P;
  std::vector<BitKernel> kernels{BitKernel::portable};
  if (cpu_has_avx512_vpopcntdq()) kernels.push_back(BitKernel::avx512_vpopcntdq);
  for (UpdateMode mode : {UpdateMode::synchronous, UpdateMode::asynchronous})
    for (BitKernel kernel : kernels) {
      SCOPED_TRACE(to_string(mode) + ", " + to_string(kernel));
      ClassicalRecallOptions o = with_mode(mode, PackedMode::on);
      o.bit_kernel = kernel;
      o.seed = seed;
      const Retrieval<T> packed = net.recall(cues, o);
      o.packed = PackedMode::off;
      const Retrieval<T> plain = net.recall(cues, o);
      EXPECT_EQ(packed.states, plain.states);
      EXPECT_EQ(packed.steps, plain.steps);
      EXPECT_EQ(packed.converged, plain.converged);
      ASSERT_EQ(packed.energy_trace.rows(), plain.energy_trace.rows());
      const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
      EXPECT_LT(test::max_relative_gap(packed.energy_trace, plain.energy_trace), tol);
      // The trace's last row is the energy of the final states.
      EXPECT_LT(test::max_relative_gap(Energies(packed.energy_trace.bottomRows(1).transpose()),
                                       net.energy(packed.states)),
                tol);
    }
}

TEST(ClassicalHopfield, PackedPathGivesTheSameStatesAndStepsAsThePlainOne) {
  // N a power of two: Hebbian weights are exact binary fractions, so ties are exact on both paths.
  // Whether ties can occur at all depends on a parity of the patterns (N h_i mod 4 is the same
  // for every state when N is even), so the seeds are ones where they do.
  expect_packed_matches_plain<double>(128, 4, 21);
  expect_packed_matches_plain<double>(256, 10, 21);
  expect_packed_matches_plain<double>(64, 30, 20);  // above capacity: spurious states, cycles
  expect_packed_matches_plain<float>(256, 6, 20);
  expect_packed_matches_plain<float>(512, 40, 20);
}

TEST(ClassicalHopfield, PackedPathIsChosenOnlyWhereItExists) {
  const Mat<double> Xi = random_signs(3, 20, 25);
  EXPECT_TRUE(ClassicalHopfield<double>::from_patterns(Xi).has_packed_path());
  const auto storkey = ClassicalHopfield<double>::from_patterns(Xi, LearningRule::storkey);
  EXPECT_FALSE(storkey.has_packed_path());
  EXPECT_FALSE(ClassicalHopfield<double>(hebbian(Xi)).has_packed_path());
  EXPECT_THROW_MESSAGE(storkey.recall(Xi, with_mode(UpdateMode::synchronous, PackedMode::on)),
                       std::invalid_argument,
                       "packed = on needs a model built by from_patterns with the hebbian rule, "
                       "but this one uses the storkey rule");
}

TEST(ClassicalHopfield, BitKernelsAreCheckedAgainstTheCpu) {
  const Mat<double> Xi = random_signs(3, 100, 25);
  const auto net = ClassicalHopfield<double>::from_patterns(Xi);
  ClassicalRecallOptions o = with_mode(UpdateMode::synchronous, PackedMode::on);
  o.bit_kernel = BitKernel::avx512_vpopcntdq;
  if (cpu_has_avx512_vpopcntdq()) {
    EXPECT_EQ(resolve(BitKernel::automatic), BitKernel::avx512_vpopcntdq);
    EXPECT_EQ(net.recall(Xi, o).states, Xi);  // stored patterns are fixed points at this load
  } else {
    EXPECT_EQ(resolve(BitKernel::automatic), BitKernel::portable);
    EXPECT_THROW_MESSAGE(net.recall(Xi, o), std::invalid_argument,
                         "bit kernel avx512_vpopcntdq needs a CPU with AVX-512F");
  }
  EXPECT_EQ(parse_bit_kernel("portable"), BitKernel::portable);
  EXPECT_THROW_MESSAGE(
      parse_bit_kernel("sse"), std::invalid_argument,
      "bit kernel must be 'automatic', 'portable' or 'avx512_vpopcntdq', got 'sse'");
}

TEST(ClassicalHopfield, StorkeyKeepsCorrelatedPatternsWhereHebbianLosesThem) {
  // Correlated patterns (70% +1) at P/N = 0.1: Hebbian crosstalk from the common bias destroys
  // most fixed points; Storkey's local-field correction keeps them, and so does the projection.
  const Mat<double> Xi = random_signs(10, 100, 26, 0.7);
  auto fixed = [&](LearningRule rule) {
    const auto net = ClassicalHopfield<double>::from_patterns(Xi, rule);
    int count = 0;
    for (Index mu = 0; mu < Xi.rows(); ++mu) count += is_fixed_point<double>(net.W(), Xi.row(mu));
    return count;
  };
  const int hebb = fixed(LearningRule::hebbian), stork = fixed(LearningRule::storkey);
  EXPECT_LE(hebb, 3);
  EXPECT_EQ(stork, 10);
  EXPECT_EQ(fixed(LearningRule::pseudo_inverse), 10);
}

TEST(ClassicalHopfield, ModelFileRoundTrip) {
  const Mat<float> Xi = random_signs<float>(4, 32, 27);
  for (LearningRule rule :
       {LearningRule::hebbian, LearningRule::storkey, LearningRule::pseudo_inverse}) {
    const auto net = ClassicalHopfield<float>::from_patterns(Xi, rule);
    const ModelFile<float> file = net.to_file();
    EXPECT_EQ(file.kind, "classical_hopfield");
    EXPECT_EQ(file.config["rule"], to_string(rule));
    const auto back = ClassicalHopfield<float>::from_file(file);
    EXPECT_EQ(back.W(), net.W());
    EXPECT_EQ(back.patterns(), Xi);
    EXPECT_EQ(back.rule().value(), rule);
    EXPECT_EQ(back.has_packed_path(), rule == LearningRule::hebbian);
  }
  const ClassicalHopfield<double> plain(random_symmetric(6, 28));
  const auto back = ClassicalHopfield<double>::from_file(plain.to_file());
  EXPECT_EQ(back.W(), plain.W());
  EXPECT_FALSE(back.rule().has_value());
  EXPECT_EQ(back.patterns().rows(), 0);
}

TEST(ClassicalHopfield, ModelFileErrors) {
  const auto net = ClassicalHopfield<double>::from_patterns(random_signs(3, 8, 29));
  const char* who = "ClassicalHopfield::from_file: ";
  auto expect_error = [&](const std::function<void(ModelFile<double>&)>& edit,
                          const std::string& message, bool prefixed = true) {
    ModelFile<double> f = net.to_file();
    edit(f);
    EXPECT_THROW_MESSAGE(ClassicalHopfield<double>::from_file(f), std::invalid_argument,
                         prefixed ? who + message : message);
  };
  expect_error([](auto& f) { f.kind = "modern_hopfield"; },
               "kind must be 'classical_hopfield', got 'modern_hopfield'");
  expect_error([](auto& f) { f.tensors.erase("W"); }, "missing tensor 'W'");
  expect_error([](auto& f) { f.tensors["W"] = Mat<double>::Zero(8, 7); },
               "tensor 'W' must be 8x8, got 8x7");
  expect_error([](auto& f) { f.tensors["bias"] = Mat<double>::Zero(1, 8); },
               "unexpected tensor 'bias'");
  expect_error([](auto& f) { f.config.erase("size"); }, "config needs an integer 'size'");
  expect_error(
      [](auto& f) { f.config["rule"] = "oja"; },
      "config 'rule': learning rule must be one of hebbian, storkey, pseudo_inverse, got 'oja'");
  expect_error([](auto& f) { f.tensors["W"](0, 1) += 0.5, f.tensors["W"](1, 0) += 0.5; },
               "tensor 'W' does not match the hebbian rule applied to tensor 'patterns'");
  expect_error([](auto& f) { f.config["rule"] = nullptr; },
               "tensor 'patterns' needs a learning rule in config 'rule'");
  expect_error([](auto& f) { f.tensors["patterns"](0, 0) = 0.5; },
               "ClassicalHopfield::from_patterns: patterns must hold only -1 and +1", false);
  expect_error([](auto& f) { f.tensors["W"](2, 3) = NAN; }, "tensor 'W' contains NaN at (2, 3)");
}

TEST(ClassicalHopfield, BadWeightsPatternsAndCuesAreRejected) {
  EXPECT_THROW_MESSAGE(ClassicalHopfield<double>(Mat<double>::Zero(3, 4)), std::invalid_argument,
                       "ClassicalHopfield: W must be square and non-empty, got 3x4");
  Mat<double> W = Mat<double>::Zero(5, 5);
  W(1, 3) = 0.5;
  W(3, 1) = 0.25;
  EXPECT_THROW_MESSAGE(ClassicalHopfield<double>{W}, std::invalid_argument,
                       "ClassicalHopfield: W must be symmetric, but |W(1, 3) - W(3, 1)| = 0.25");
  W = random_symmetric(5, 30);
  W(2, 2) = 0.5;
  EXPECT_THROW_MESSAGE(ClassicalHopfield<double>{W}, std::invalid_argument,
                       "ClassicalHopfield: W must have a zero diagonal, but W(2, 2) = 0.5");
  W(2, 2) = NAN;
  EXPECT_THROW_MESSAGE(ClassicalHopfield<double>{W}, std::invalid_argument,
                       "ClassicalHopfield: W contains NaN at (2, 2)");
  Mat<double> Xi = random_signs(2, 5, 31);
  Xi(1, 4) = 0.0;
  EXPECT_THROW_MESSAGE(ClassicalHopfield<double>::from_patterns(Xi), std::invalid_argument,
                       "patterns must hold only -1 and +1, got 0 at (1, 4)");
  const ClassicalHopfield<double> net(random_symmetric(5, 32));
  EXPECT_THROW_MESSAGE(net.recall(Mat<double>::Ones(2, 4)), std::invalid_argument,
                       "ClassicalHopfield::recall: cues must be B x 5 with B > 0, got 2x4");
  Mat<double> cues = Mat<double>::Ones(2, 5);
  cues(1, 0) = 0.5;
  EXPECT_THROW_MESSAGE(net.recall(cues), std::invalid_argument,
                       "cues must hold -1, 0 or +1, got 0.5 at (1, 0)");
  cues(1, 0) = NAN;
  EXPECT_THROW_MESSAGE(net.recall(cues), std::invalid_argument,
                       "cues must hold -1, 0 or +1, got nan at (1, 0)");
  ClassicalRecallOptions o;
  o.max_iterations = -1;
  EXPECT_THROW_MESSAGE(net.recall(Mat<double>::Ones(1, 5), o), std::invalid_argument,
                       "max_iterations must be >= 0, got -1");
  EXPECT_THROW_MESSAGE(net.energy(Mat<double>::Ones(1, 4)), std::invalid_argument,
                       "ClassicalHopfield::energy: states must be B x 5, got 1x4");
  EXPECT_THROW_MESSAGE(parse_update_mode("sync"), std::invalid_argument,
                       "update mode must be 'synchronous' or 'asynchronous', got 'sync'");
}

}  // namespace
TEST(ClassicalHopfield, BitKernelsAgreeOnSizesThatFillNoWholeWord) {
  // N = 100 and 1000 leave partial 64-unit words and partial 16-unit AVX-512 blocks: the kernels'
  // tails. The packed arithmetic is exact, so every kernel gives identical results.
  if (!cpu_has_avx512_vpopcntdq()) GTEST_SKIP() << "this CPU has only the portable kernel";
  for (Index N : {Index{100}, Index{1000}}) {
    const Mat<float> Xi = random_signs<float>(N / 10, N, 31);
    const auto net = ClassicalHopfield<float>::from_patterns(Xi);
    Mat<float> cues(2 * Xi.rows(), N);
    cues << flipped(Xi, 0.25, 32), random_signs<float>(Xi.rows(), N, 33);
    cues.bottomRows(3).leftCols(N / 3).setZero();  // unknown units
    for (UpdateMode mode : {UpdateMode::synchronous, UpdateMode::asynchronous}) {
      ClassicalRecallOptions o = with_mode(mode, PackedMode::on);
      o.bit_kernel = BitKernel::portable;
      const Retrieval<float> portable = net.recall(cues, o);
      o.bit_kernel = BitKernel::avx512_vpopcntdq;
      const Retrieval<float> wide = net.recall(cues, o);
      EXPECT_EQ(portable.states, wide.states) << "N=" << N << " " << to_string(mode);
      EXPECT_EQ(portable.steps, wide.steps);
      EXPECT_EQ(portable.energy_trace, wide.energy_trace);
    }
  }
}

}  // namespace engram
