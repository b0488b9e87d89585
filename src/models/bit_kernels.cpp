#include "bit_kernels.hpp"

#include <bit>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ENGRAM_HAVE_X86 1
#endif

namespace engram::detail {
namespace {

// ---- portable -------------------------------------------------------------------------------

void count_portable(const std::uint64_t* patterns, Index P, Index words, const std::uint64_t* sign,
                    const std::uint64_t* known, std::int32_t* differ) {
  for (Index mu = 0; mu < P; ++mu) {
    const std::uint64_t* x = patterns + mu * words;
    int d = 0;
    for (Index w = 0; w < words; ++w) d += std::popcount((x[w] ^ sign[w]) & known[w]);
    differ[mu] = d;
  }
}

template <class F>
void next_signs_portable(const F* H, Index N, F P, const std::uint64_t* sign,
                         const std::uint64_t* known, std::uint64_t* new_sign) {
  for (Index w = 0; w < (N + 63) / 64; ++w) new_sign[w] = 0;
  for (Index i = 0; i < N; ++i) {
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    const bool is_known = known[i / 64] & bit, negative = sign[i / 64] & bit;
    const F s = is_known ? (negative ? F(-1) : F(1)) : F(0);
    const F g = H[i] - P * s;
    if (g < F(0) || (g == F(0) && negative)) new_sign[i / 64] |= bit;
  }
}

// ---- AVX-512 VPOPCNTDQ ------------------------------------------------------------------------
#ifdef ENGRAM_HAVE_X86
#define ENGRAM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vpopcntdq")))

ENGRAM_AVX512 void count_avx512(const std::uint64_t* patterns, Index P, Index words,
                                const std::uint64_t* sign, const std::uint64_t* known,
                                std::int32_t* differ) {
  for (Index mu = 0; mu < P; ++mu) {
    const std::uint64_t* x = patterns + mu * words;
    __m512i acc = _mm512_setzero_si512();
    for (Index w = 0; w < words; w += 8) {
      // 8 words (512 units) at a time; the last block loads only the words that exist.
      const __mmask8 live = words - w >= 8 ? __mmask8(0xFF) : __mmask8((1u << (words - w)) - 1);
      const __m512i a = _mm512_maskz_loadu_epi64(live, x + w);
      const __m512i s = _mm512_maskz_loadu_epi64(live, sign + w);
      const __m512i k = _mm512_maskz_loadu_epi64(live, known + w);
      acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_and_si512(_mm512_xor_si512(a, s), k)));
    }
    differ[mu] = static_cast<std::int32_t>(_mm512_reduce_add_epi64(acc));
  }
}

ENGRAM_AVX512 void next_signs_avx512(const float* H, Index N, float P, const std::uint64_t* sign,
                                     const std::uint64_t* known, std::uint64_t* new_sign) {
  const __m512 plus = _mm512_set1_ps(P), minus = _mm512_set1_ps(-P), zero = _mm512_setzero_ps();
  for (Index w = 0; w < (N + 63) / 64; ++w) {
    std::uint64_t out = 0;
    for (int part = 0; part < 4; ++part) {  // 16 units per part
      const Index i = w * 64 + part * 16;
      if (i >= N) break;
      const __mmask16 live = N - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (N - i)) - 1);
      const __mmask16 neg = static_cast<__mmask16>(sign[w] >> (part * 16));
      const __mmask16 kn = static_cast<__mmask16>(known[w] >> (part * 16)) & live;
      // P s_i: ±P where known (−P where the sign bit is set), 0 where unknown.
      const __m512 ps = _mm512_maskz_mov_ps(kn, _mm512_mask_blend_ps(neg, plus, minus));
      const __m512 g = _mm512_sub_ps(_mm512_maskz_loadu_ps(live, H + i), ps);
      const __mmask16 below = _mm512_mask_cmp_ps_mask(live, g, zero, _CMP_LT_OQ);
      const __mmask16 tie = _mm512_mask_cmp_ps_mask(live, g, zero, _CMP_EQ_OQ);
      const __mmask16 negative = below | (tie & neg & kn);
      out |= static_cast<std::uint64_t>(negative) << (part * 16);
    }
    new_sign[w] = out;
  }
}
#endif

}  // namespace

void count_disagreements(BitKernel kernel, const std::uint64_t* patterns, Index P, Index words,
                         const std::uint64_t* sign, const std::uint64_t* known,
                         std::int32_t* differ) {
#ifdef ENGRAM_HAVE_X86
  if (kernel == BitKernel::avx512_vpopcntdq)
    return count_avx512(patterns, P, words, sign, known, differ);
#endif
  count_portable(patterns, P, words, sign, known, differ);
}

void next_signs(BitKernel kernel, const float* H, Index N, float P, const std::uint64_t* sign,
                const std::uint64_t* known, std::uint64_t* new_sign) {
#ifdef ENGRAM_HAVE_X86
  if (kernel == BitKernel::avx512_vpopcntdq)
    return next_signs_avx512(H, N, P, sign, known, new_sign);
#endif
  next_signs_portable(H, N, P, sign, known, new_sign);
}

void next_signs(BitKernel, const double* H, Index N, double P, const std::uint64_t* sign,
                const std::uint64_t* known, std::uint64_t* new_sign) {
  next_signs_portable(H, N, P, sign, known, new_sign);  // P·N ≥ 2^24: rare, sizes that big
}

}  // namespace engram::detail
