// Attention is a modern Hopfield update (SPEC M-12, seed 002 §IV): one step with β = 1/√d on
// queries Q and keys = values = Ξ equals softmax(QKᵀ/√d)V computed here with plain Eigen.
#include <engram/models/modern_hopfield.hpp>

#include <cmath>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

/// softmax(QKᵀ/√d)V, row softmax written out (subtracting each row's maximum).
template <class T>
Mat<T> scaled_dot_product_attention(const Mat<T>& Q, const Mat<T>& K, const Mat<T>& V) {
  const T scale = T(1) / std::sqrt(static_cast<T>(Q.cols()));
  Mat<T> scores = (Q * K.transpose()) * scale;
  for (Index i = 0; i < scores.rows(); ++i) {
    const T top = scores.row(i).maxCoeff();
    for (Index j = 0; j < scores.cols(); ++j) scores(i, j) = std::exp(scores(i, j) - top);
    scores.row(i) /= scores.row(i).sum();
  }
  return scores * V;
}

template <class T>
double attention_gap(Index d, Index tokens, Index memories, double scale, Index block) {
  Rng rng(static_cast<std::uint64_t>(d * 1000 + tokens));
  const Mat<T> Q = rng.normal<T>(tokens, d, 0.0, scale),
               Xi = rng.normal<T>(memories, d, 0.0, scale);
  const ModernHopfield<T> net(Xi, 1.0 / std::sqrt(static_cast<double>(d)), block);
  const Mat<T> expected = scaled_dot_product_attention<T>(Q, Xi, Xi);
  return test::max_relative_gap(net.update(Q).template cast<double>(),
                                expected.template cast<double>());
}

TEST(Attention, OneHopfieldStepIsAttentionInDouble) {
  EXPECT_LT(attention_gap<double>(64, 10, 37, 1.0, 1024), 1e-12);
  EXPECT_LT(attention_gap<double>(64, 10, 37, 1.0, 8), 1e-12);   // fused over 5 blocks
  EXPECT_LT(attention_gap<double>(16, 3, 200, 4.0, 64), 1e-12);  // peaked softmax
}

TEST(Attention, OneHopfieldStepIsAttentionInFloat) {
  EXPECT_LT(attention_gap<float>(64, 10, 37, 1.0, 1024), 1e-5);
  EXPECT_LT(attention_gap<float>(64, 10, 37, 1.0, 8), 1e-5);
  EXPECT_LT(attention_gap<float>(16, 3, 200, 4.0, 64), 1e-5);
}

TEST(Attention, WeightsAreTheAttentionMatrix) {
  constexpr Index d = 32;
  Rng rng(3);
  const Mat<double> Q = rng.normal<double>(5, d), Xi = rng.normal<double>(12, d);
  const ModernHopfield<double> net(Xi, 1.0 / std::sqrt(double(d)));
  // softmax(QKᵀ/√d) is attention with V = I: the weights times Ξ are the update.
  const Mat<double> weights = net.attention(Q);
  EXPECT_LT(test::max_relative_gap(weights, scaled_dot_product_attention<double>(
                                                Q, Xi, Mat<double>::Identity(12, 12))),
            1e-14);
  EXPECT_LT(test::max_relative_gap(Mat<double>(weights * Xi), net.update(Q)), 1e-13);
}

}  // namespace
}  // namespace engram
