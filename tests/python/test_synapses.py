"""Synapses (SPEC M-02, M-12, M-13) against NumPy re-implementations of their energy terms, and
their gradients against central differences."""

import numpy as np
import pytest

import engram
from conftest import tol


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def symmetric(rng, n):
    a = rng.standard_normal((n, n))
    w = (a + a.T) / 2
    np.fill_diagonal(w, 0)
    return w


def test_dense_synapse_energy_gradients_and_parameter_gradient(rng, dtype):
    W = rng.standard_normal((4, 6))
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 6))
    syn = engram.DenseSynapse(W.astype(dtype))
    assert syn.dtype == dtype and syn.kind == "DenseSynapse" and syn.operand_sizes == [4, 6]
    t = tol(dtype)
    # M-02: E = -a^T W b, dE/da = -W b, dE/db = -W^T a, dE/dW = -sum_batch a b^T.
    np.testing.assert_allclose(syn.energy([a, b]), -np.einsum("bi,ij,bj->b", a, W, b), rtol=t, atol=t)
    ga, gb = syn.grad([a, b])
    np.testing.assert_allclose(ga, -b @ W.T, rtol=t, atol=t)
    np.testing.assert_allclose(gb, -a @ W, rtol=t, atol=t)
    (gW,) = syn.param_grad([a, b])
    np.testing.assert_allclose(gW, -a.T @ b, rtol=t, atol=t)


def test_recurrent_bias_label_and_l2_synapses_match_their_equations(rng):
    x = rng.standard_normal((2, 5))
    W = symmetric(rng, 5)
    rec = engram.RecurrentSynapse(W)
    np.testing.assert_allclose(rec.energy(x), -0.5 * np.einsum("bi,ij,bj->b", x, W, x), rtol=1e-12)
    np.testing.assert_allclose(rec.grad([x])[0], -x @ W, rtol=1e-12)

    b = rng.standard_normal(5)
    bias = engram.BiasSynapse(b)
    np.testing.assert_allclose(bias.energy(x), -x @ b, rtol=1e-12)
    np.testing.assert_allclose(bias.b, b[None, :])

    theta, z, y = rng.standard_normal((3, 4)), rng.random((2, 3)), rng.random((2, 4))
    label = engram.LabelSynapse(theta, lam=2.5)
    assert label.hyperparameters == {"lambda": 2.5}
    np.testing.assert_allclose(label.energy([z, y]), -2.5 * np.einsum("bm,mk,bk->b", z, theta, y), rtol=1e-12)

    images = rng.standard_normal((3, 5))
    l2 = engram.L2Synapse(images)
    dist = ((images[None, :, :] - x[:, None, :]) ** 2).sum(-1)  # (B, K)
    expected = 0.5 * (z * dist).sum(-1) - 0.5 * (x**2).sum(-1)
    np.testing.assert_allclose(l2.energy([x, z]), expected, rtol=1e-10)


@pytest.mark.parametrize("spec", ["log_sum_exp(beta=2)", "polynomial(n=3)", "rectified_polynomial(n=2.5)", "exponential(beta=0.5)"])
def test_memory_synapse_energy_matches_its_interaction(spec, rng):
    xi = rng.standard_normal((6, 4))
    x = rng.standard_normal((3, 4)) * 0.5
    syn = engram.MemorySynapse(xi, spec)
    m = x @ xi.T  # overlaps (B, K)
    f = syn.interaction
    assert engram.Interaction(str(f)) == f and f.kind == spec.split("(")[0]
    if f.kind == "log_sum_exp":
        expected = -np.log(np.exp(f.beta * m).sum(-1)) / f.beta
        np.testing.assert_allclose(syn.grad(x)[0], -softmax(f.beta * m) @ xi, rtol=1e-10)
    elif f.kind == "polynomial":
        expected = -(m**f.n).sum(-1)
    elif f.kind == "rectified_polynomial":
        expected = -(np.maximum(m, 0) ** f.n).sum(-1)
    else:
        expected = -np.exp(f.beta * m).sum(-1)
    np.testing.assert_allclose(syn.energy(x), expected, rtol=1e-10)
    if f.kind != "log_sum_exp":
        np.testing.assert_allclose(-f.value(m).sum(-1), expected, rtol=1e-12)  # F elementwise
        np.testing.assert_allclose(syn.grad(x)[0], -f.derivative(m) @ xi, rtol=1e-10)


@pytest.mark.parametrize("make", ["dense", "recurrent", "l2", "label", "memory"])
def test_gradients_match_central_differences(make, rng):
    if make == "dense":
        syn, shapes = engram.DenseSynapse(rng.standard_normal((3, 4))), [3, 4]
    elif make == "recurrent":
        syn, shapes = engram.RecurrentSynapse(symmetric(rng, 4)), [4]
    elif make == "l2":
        syn, shapes = engram.L2Synapse(rng.standard_normal((3, 4))), [4, 3]
    elif make == "label":
        syn, shapes = engram.LabelSynapse(rng.standard_normal((3, 2)), lam=1.5), [3, 2]
    else:
        syn, shapes = engram.MemorySynapse(rng.standard_normal((5, 4)), "log_sum_exp(beta=1.5)"), [4]
    xs = [rng.standard_normal((2, d)) for d in shapes]
    grads = syn.grad(xs)
    h = 1e-6
    for k, x in enumerate(xs):
        numeric = np.zeros_like(x)
        for idx in np.ndindex(*x.shape):
            plus = [v.copy() for v in xs]
            minus = [v.copy() for v in xs]
            plus[k][idx] += h
            minus[k][idx] -= h
            numeric[idx] = (syn.energy(plus)[idx[0]] - syn.energy(minus)[idx[0]]) / (2 * h)
        np.testing.assert_allclose(grads[k], numeric, rtol=1e-6, atol=1e-8)


def test_parameters_are_read_only_views_that_follow_set_param(rng):
    W = rng.standard_normal((3, 3))
    syn = engram.DenseSynapse(W)
    view = syn.W
    assert not view.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0] = 1.0
    new = rng.standard_normal((3, 3))
    syn.set_param("W", new)
    np.testing.assert_array_equal(view, new)  # the same storage, updated in place
    assert list(syn.params) == ["W"]
    with pytest.raises(KeyError, match="no parameter 'V'"):
        syn.set_param("V", new)
    with pytest.raises(AttributeError, match="no attribute or parameter 'V'"):
        syn.V


def test_copy_converts_between_dtypes(rng):
    W = rng.standard_normal((3, 4))
    syn = engram.DenseSynapse(W)
    single = syn.copy(dtype="float32")
    assert single.dtype == np.float32 and single.W.dtype == np.float32
    np.testing.assert_allclose(single.W, W.astype(np.float32))
    again = engram.make_synapse("DenseSynapse", [W])
    np.testing.assert_array_equal(again.W, W)
    assert "MemorySynapse" in engram.synapse_kinds()


def test_bad_synapse_input_names_the_problem(rng):
    asymmetric = rng.standard_normal((4, 4))
    np.fill_diagonal(asymmetric, 0)
    with pytest.raises(ValueError, match="symmetric"):
        engram.RecurrentSynapse(asymmetric)
    with pytest.raises(ValueError, match="W contains NaN"):
        engram.DenseSynapse(np.array([[1.0, np.nan]]))
    syn = engram.DenseSynapse(rng.standard_normal((3, 4)))
    with pytest.raises(ValueError, match="operand"):
        syn.energy([np.zeros((2, 3))])
    with pytest.raises(ValueError, match="4"):
        syn.energy([np.zeros((2, 3)), np.zeros((2, 5))])
    with pytest.raises(ValueError, match="lambda"):
        engram.LabelSynapse(np.ones((2, 2)), lam=-1.0)
    with pytest.raises(ValueError, match="interaction|polynomial|kind"):
        engram.MemorySynapse(np.ones((2, 2)), "cubic(n=3)")
    with pytest.raises(ValueError, match="float32 or float64"):
        engram.DenseSynapse(np.ones((2, 2)), dtype="int32")
