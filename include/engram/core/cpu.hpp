// What engram runs on: the CPU features its kernels dispatch on at run time, and the BLAS that
// does its matrix products (reported by engram-bench and engram.cpu_info()).
#pragma once

#include <string>
#include <string_view>

namespace engram {

/// Which implementation the bit-packed classical Hopfield kernels use (XOR/popcount overlaps and
/// sign packing of the fields).
enum class BitKernel {
  automatic,         ///< the fastest this CPU supports
  portable,          ///< plain C++ (std::popcount), on any CPU
  avx512_vpopcntdq,  ///< AVX-512F/BW with VPOPCNTDQ: 512-bit XOR, popcount and compare masks
};

/// "automatic", "portable" or "avx512_vpopcntdq".
std::string to_string(BitKernel kernel);
BitKernel parse_bit_kernel(std::string_view name);

/// Whether this CPU has AVX-512F, AVX-512BW and AVX-512 VPOPCNTDQ (checked once, at first use).
bool cpu_has_avx512_vpopcntdq();

/// `requested` made concrete: automatic becomes the best kernel this CPU supports; asking for
/// avx512_vpopcntdq on a CPU without it throws std::invalid_argument.
BitKernel resolve(BitKernel requested);

/// The BLAS behind engram's large products: its name and, for OpenBLAS, the kernel it chose for
/// this CPU (OPENBLAS_CORETYPE overrides that choice) and its thread count.
struct BlasInfo {
  std::string library;  ///< "OpenBLAS" or "none (Eigen's own products)"
  std::string kernel;   ///< e.g. "Cooperlake", "Haswell"; empty without OpenBLAS
  int threads = 1;
};
BlasInfo blas_info();

/// Sets the BLAS thread count for the whole process and returns the previous one. Many threads
/// each making small products (the demo server's sessions) run best with 1: OpenBLAS's own
/// threads then do not contend. Throws std::invalid_argument outside [1, 1024].
int set_blas_threads(int threads);

/// Whether the library was compiled for this machine's CPU (ENGRAM_NATIVE: -march=native).
bool compiled_native();

}  // namespace engram
