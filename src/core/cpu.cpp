#include "engram/core/cpu.hpp"

#include <fmt/format.h>

#include "engram/core/error.hpp"

#ifdef ENGRAM_USE_BLAS
extern "C" {
char* openblas_get_corename(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
}
#endif

namespace engram {

std::string to_string(BitKernel kernel) {
  switch (kernel) {
    case BitKernel::automatic:
      return "automatic";
    case BitKernel::portable:
      return "portable";
    case BitKernel::avx512_vpopcntdq:
      return "avx512_vpopcntdq";
  }
  return "unknown";
}

BitKernel parse_bit_kernel(std::string_view name) {
  for (BitKernel k : {BitKernel::automatic, BitKernel::portable, BitKernel::avx512_vpopcntdq})
    if (name == to_string(k)) return k;
  detail::throw_invalid(fmt::format(
      "bit kernel must be 'automatic', 'portable' or 'avx512_vpopcntdq', got '{}'", name));
}

bool cpu_has_avx512_vpopcntdq() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vpopcntdq");
  return has;
#else
  return false;
#endif
}

BitKernel resolve(BitKernel requested) {
  if (requested == BitKernel::automatic)
    return cpu_has_avx512_vpopcntdq() ? BitKernel::avx512_vpopcntdq : BitKernel::portable;
  ENGRAM_CHECK(requested != BitKernel::avx512_vpopcntdq || cpu_has_avx512_vpopcntdq(),
               "bit kernel avx512_vpopcntdq needs a CPU with AVX-512F, AVX-512BW and VPOPCNTDQ; "
               "this one lacks them (use 'automatic' or 'portable')");
  return requested;
}

BlasInfo blas_info() {
#ifdef ENGRAM_USE_BLAS
  return {"OpenBLAS", openblas_get_corename(), openblas_get_num_threads()};
#else
  return {"none (Eigen's own products)", "", 1};
#endif
}

int set_blas_threads(int threads) {
  ENGRAM_CHECK(threads >= 1 && threads <= 1024,
               "set_blas_threads: threads must be in [1, 1024], got {}", threads);
#ifdef ENGRAM_USE_BLAS
  const int previous = openblas_get_num_threads();
  openblas_set_num_threads(threads);
  return previous;
#else
  return 1;
#endif
}

bool compiled_native() {
#ifdef ENGRAM_NATIVE
  return true;
#else
  return false;
#endif
}

}  // namespace engram
