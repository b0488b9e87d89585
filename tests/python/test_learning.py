"""The Hebbian family (SPEC M-10) against NumPy written from the rules' equations."""

import numpy as np
import pytest

import engram
from conftest import bipolar


def test_hebbian_is_xi_transpose_xi_over_n_with_zero_diagonal(rng, dtype):
    xi = bipolar(rng, 6, 20).astype(dtype)
    W = engram.hebbian(xi)
    assert W.dtype == dtype
    expected = xi.astype(np.float64).T @ xi.astype(np.float64) / 20
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(W, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(W, W.T)


def test_storkey_matches_its_sequential_definition(rng):
    xi = bipolar(rng, 4, 10)
    n = xi.shape[1]
    W = np.zeros((n, n))
    for p in xi:  # W_ij += (xi_i xi_j - xi_i h_ji - h_ij xi_j)/N, h_ij = sum_{k != i,j} W_ik xi_k
        h = np.array([[sum(W[i, k] * p[k] for k in range(n) if k not in (i, j)) for j in range(n)] for i in range(n)])
        dW = (np.outer(p, p) - p[:, None] * h.T - h * p[None, :]) / n
        np.fill_diagonal(dW, 0)
        W = W + dW
    np.testing.assert_allclose(engram.storkey(xi), W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(engram.learn(xi, "storkey"), W, rtol=1e-12, atol=1e-14)


def test_pseudo_inverse_is_the_projector_without_its_diagonal(rng):
    xi = bipolar(rng, 5, 16)
    P = np.linalg.pinv(xi) @ xi
    np.fill_diagonal(P, 0)
    W = engram.pseudo_inverse(xi)
    np.testing.assert_allclose(W, P, atol=1e-12)
    # Every stored pattern is a fixed point of sign(W s) (a zero field keeps the unit).
    field = xi @ W
    assert np.all((np.sign(field) == xi) | (field == 0))


def test_bad_patterns_are_refused():
    with pytest.raises(ValueError, match="patterns"):
        engram.hebbian(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="hebbian|storkey|pseudo_inverse"):
        engram.learn(np.ones((2, 3)), "oja")
    with pytest.raises(ValueError, match="2-D"):
        engram.hebbian(np.ones(4))
