"""The fast paths of issue 7 from Python: what the CPU kernels run on (engram.cpu_info), the
bit-packed classical recall in both modes and with either bit kernel, and modern-Hopfield
retrieval without the energy trace. Expectations come from NumPy re-implementations of M-10 and
M-12, not from the kernels themselves."""

import numpy as np
import pytest

import engram
from conftest import bipolar


def test_cpu_info_names_the_kernels():
    info = engram.cpu_info()
    assert set(info) == {"native", "avx512_vpopcntdq", "bit_kernel", "blas", "blas_kernel",
                         "blas_threads"}
    assert info["bit_kernel"] == ("avx512_vpopcntdq" if info["avx512_vpopcntdq"] else "portable")
    assert isinstance(info["native"], bool) and info["blas_threads"] >= 1
    if info["blas"] == "OpenBLAS":
        assert info["blas_kernel"]  # e.g. "Cooperlake", or "Haswell" under OPENBLAS_CORETYPE


def sweep_numpy(W, s, order):
    """One asynchronous sweep in the given order (M-10: sign of the field, ties keep the state)."""
    s = s.copy()
    for i in order:
        h = W[i] @ s
        if h != 0:
            s[i] = 1.0 if h > 0 else -1.0
    return s


def test_packed_asynchronous_recall_reaches_numpy_checked_fixed_points(rng):
    N, P = 256, 12  # N a power of two: Hebbian weights and every field are exact
    xi = bipolar(rng, P, N)
    net = engram.ClassicalHopfield.from_patterns(xi)
    W = xi.T @ xi / N
    np.fill_diagonal(W, 0.0)
    cues = xi.copy()
    for b in range(P):
        cues[b, rng.choice(N, 40, replace=False)] *= -1
    runs = {(packed, kernel): net.recall(cues, mode="asynchronous", seed=5, packed=packed,
                                         bit_kernel=kernel)
            for packed in ("on", "off") for kernel in ("automatic", "portable")}
    first = runs[("on", "automatic")]
    for r in runs.values():  # same streams, exact arithmetic: identical on every path
        np.testing.assert_array_equal(r.states, first.states)
        np.testing.assert_array_equal(r.steps, first.steps)
    for b in range(P):
        s = first.states[b]
        assert first.converged[b]
        np.testing.assert_array_equal(sweep_numpy(W, s, range(N)), s)  # a fixed point
        assert (s == xi[b]).mean() > 0.95
    final = -0.5 * np.einsum("bi,ij,bj->b", first.states, W, first.states)
    np.testing.assert_allclose(first.energy_trace[-1], final, rtol=1e-12)
    assert np.all(np.diff(first.energy_trace, axis=0) <= 1e-12)


def test_bit_kernel_choices_are_checked():
    net = engram.ClassicalHopfield.from_patterns(np.ones((1, 8)))
    with pytest.raises(ValueError, match="bit kernel must be"):
        net.recall(np.ones((1, 8)), bit_kernel="sse")
    if not engram.cpu_info()["avx512_vpopcntdq"]:
        with pytest.raises(ValueError, match="needs a CPU with AVX-512F"):
            net.recall(np.ones((1, 8)), mode="synchronous", bit_kernel="avx512_vpopcntdq")


def test_modern_retrieve_without_trace_takes_the_same_steps(rng):
    K, D = 50, 16
    xi = rng.standard_normal((K, D))
    net = engram.ModernHopfield(xi, beta=1.0)
    q = xi[:7] + 0.3 * rng.standard_normal((7, D))
    with_trace = net.retrieve(q, max_steps=3, tolerance=0.0)
    without = net.retrieve(q, max_steps=3, tolerance=0.0, record_trace=False)
    np.testing.assert_array_equal(without.states, with_trace.states)
    np.testing.assert_array_equal(without.steps, with_trace.steps)
    assert without.energy_trace.shape[0] == 0
    x = q.copy()  # M-12 by hand: three updates x ← Ξᵀ softmax(βΞx)
    for _ in range(3):
        z = x @ xi.T
        w = np.exp(z - z.max(1, keepdims=True))
        x = (w / w.sum(1, keepdims=True)) @ xi
    np.testing.assert_allclose(without.states, x, rtol=1e-10, atol=1e-12)
