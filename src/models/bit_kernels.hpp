// Internal: the bit-level kernels of the packed classical Hopfield path (SPEC M-10), each in a
// portable version and an AVX-512 VPOPCNTDQ version chosen at run time (engram/core/cpu.hpp).
// States are bit rows, 64 units per word: a sign bit (set for −1) and a known bit (set for ±1).
#pragma once

#include <cstdint>

#include "engram/core/cpu.hpp"
#include "engram/core/types.hpp"

namespace engram::detail {

/// differ[μ] = Σ_w popcount((patterns[μ·words + w] XOR sign[w]) AND known[w]) for μ < P: the known
/// units where pattern μ and the state disagree. `kernel` must be resolved (not automatic).
void count_disagreements(BitKernel kernel, const std::uint64_t* patterns, Index P, Index words,
                         const std::uint64_t* sign, const std::uint64_t* known,
                         std::int32_t* differ);

/// M-10, the synchronous update of one state from its Hebbian field: with g_i = H_i − P s_i
/// (N times the field h_i, the diagonal taken out), unit i becomes +1 if g_i > 0, −1 if g_i < 0 and
/// keeps s_i at a tie (an unknown unit becomes +1). Writes the new sign bits (every unit is known
/// afterwards); bits past N are 0.
void next_signs(BitKernel kernel, const float* H, Index N, float P, const std::uint64_t* sign,
                const std::uint64_t* known, std::uint64_t* new_sign);
void next_signs(BitKernel kernel, const double* H, Index N, double P, const std::uint64_t* sign,
                const std::uint64_t* known, std::uint64_t* new_sign);

}  // namespace engram::detail
