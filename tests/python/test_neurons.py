"""Lagrangians (SPEC M-01) against NumPy re-implementations of their defining equations."""

import numpy as np
import pytest

import engram
from conftest import tol


def logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


# (Lagrangian, L(x) per sample, activation) written from M-01's equations.
CASES = {
    "identity": (engram.Identity(), lambda x: 0.5 * (x**2).sum(-1), lambda x: x),
    "sigmoid": (
        engram.Sigmoid(beta=0.7),
        lambda x: np.logaddexp(0, 0.7 * x).sum(-1) / 0.7,
        lambda x: 1 / (1 + np.exp(-0.7 * x)),
    ),
    "tanh": (
        engram.Tanh(beta=1.3),
        lambda x: np.log(np.cosh(1.3 * x)).sum(-1) / 1.3,
        lambda x: np.tanh(1.3 * x),
    ),
    "relu": (engram.Relu(), lambda x: 0.5 * (np.maximum(x, 0) ** 2).sum(-1), lambda x: np.maximum(x, 0)),
    "hard_sigmoid": (
        engram.HardSigmoid(),
        lambda x: np.where(x < 0, 0.0, np.where(x <= 1, 0.5 * x**2, x - 0.5)).sum(-1),
        lambda x: np.clip(x, 0, 1),
    ),
    "rectified_polynomial": (
        engram.RectifiedPolynomial(n=3),
        lambda x: (np.maximum(x, 0) ** 3).sum(-1) / 3,
        lambda x: np.maximum(x, 0) ** 2,
    ),
    "softmax": (
        engram.Softmax(beta=2.0),
        lambda x: logsumexp(2.0 * x) / 2.0,
        lambda x: np.exp(2.0 * x - logsumexp(2.0 * x)[:, None]),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_value_activation_energy_match_the_equations(name, rng, dtype):
    lagrangian, value, activation = CASES[name]
    x = rng.standard_normal((5, 7)).astype(dtype)
    x64 = x.astype(np.float64)
    xhat = lagrangian.activation(x)
    assert xhat.dtype == dtype and xhat.shape == x.shape
    np.testing.assert_allclose(xhat, activation(x64), rtol=tol(dtype), atol=tol(dtype))
    np.testing.assert_allclose(lagrangian.value(x), value(x64), rtol=tol(dtype), atol=tol(dtype))
    # Legendre transform: E = xhat . x - L(x), always returned in float64.
    energy = lagrangian.energy(x)
    assert energy.dtype == np.float64 and energy.shape == (5,)
    expected = (activation(x64) * x64).sum(-1) - value(x64)
    np.testing.assert_allclose(energy, expected, rtol=tol(dtype), atol=10 * tol(dtype))


@pytest.mark.parametrize("name", list(CASES) + ["softplus"])
def test_hvp_matches_central_differences_of_the_activation(name, rng):
    lagrangian = engram.Softplus(beta=0.9) if name == "softplus" else CASES[name][0]
    x = rng.standard_normal((4, 6)) + 0.3  # away from the kinks of relu at 0
    v = rng.standard_normal((4, 6))
    h = 1e-6
    numeric = (lagrangian.activation(x + h * v) - lagrangian.activation(x - h * v)) / (2 * h)
    np.testing.assert_allclose(lagrangian.hvp(x, v), numeric, rtol=1e-6, atol=1e-8)


def test_softplus_activation_is_the_gradient_of_its_lagrangian(rng):
    # M-01/M-11: xhat = log(1 + e^{beta x}) = dL/dx, with L built on the dilogarithm.
    lagrangian = engram.Softplus(beta=1.5)
    x = rng.standard_normal((3, 5)) * 2
    np.testing.assert_allclose(lagrangian.activation(x), np.logaddexp(0, 1.5 * x), rtol=1e-12)
    h = 1e-5
    for i in range(5):
        e = np.zeros(5)
        e[i] = h
        slope = (lagrangian.value(x + e) - lagrangian.value(x - e)) / (2 * h)
        np.testing.assert_allclose(slope, lagrangian.activation(x)[:, i], rtol=1e-7, atol=1e-9)


def test_one_sample_as_a_vector(rng):
    x = rng.standard_normal(6)
    sigmoid = engram.Sigmoid(beta=0.5)
    assert sigmoid.activation(x).shape == (6,)
    assert isinstance(sigmoid.energy(x), float)
    assert sigmoid.energy(x) == pytest.approx(sigmoid.energy(x[None, :])[0], rel=1e-15)


def test_make_lagrangian_rebuilds_each_family():
    for kind in engram.lagrangian_kinds():
        hp = {"n": 3.0} if kind == "rectified_polynomial" else {}
        if kind in ("sigmoid", "tanh", "softmax", "softplus"):
            hp = {"beta": 0.25}
        lagrangian = engram.make_lagrangian(kind, **hp)
        assert lagrangian.kind == kind
        assert lagrangian.hyperparameters == hp
    assert engram.Softmax(beta=3).beta == 3
    assert isinstance(engram.Tanh(), engram.Lagrangian)


def test_bad_input_raises_value_error_naming_the_problem():
    sigmoid = engram.Sigmoid()
    with pytest.raises(ValueError, match="x contains NaN at \\(0, 1\\)"):
        sigmoid.activation(np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="x contains Inf"):
        sigmoid.energy(np.array([np.inf]))
    with pytest.raises(ValueError, match="expected a 2-D array"):
        sigmoid.value(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="real numbers, got dtype complex128"):
        sigmoid.value(np.zeros(3, dtype=complex))
    with pytest.raises(ValueError, match="beta must be positive"):
        engram.Sigmoid(beta=0.0)
    with pytest.raises(ValueError, match="v \\(same shape as x\\)"):
        sigmoid.hvp(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="n"):
        engram.RectifiedPolynomial(n=1.0)
    with pytest.raises(ValueError, match="unknown|kind"):
        engram.make_lagrangian("gaussian")
