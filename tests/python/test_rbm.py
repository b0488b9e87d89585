"""RBMs, CD, AIS and score matching from Python (SPEC M-15, M-32, M-33): checked against NumPy
brute force, finite differences and exact enumeration."""

import itertools

import numpy as np
import pytest

import engram
from conftest import tol


def all_binary(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def brute_log_z(W, b, c):
    """log sum_{v,h} exp(v W h + b v + c h) over both layers, in float64."""
    V, H = all_binary(W.shape[0]), all_binary(W.shape[1])
    t = V @ W.astype(np.float64) @ H.T + (V @ b)[:, None] + (H @ c)[None, :]
    m = t.max()
    return m + np.log(np.exp(t - m).sum())


def random_rbm(rng, V, H, dtype, scale=1.0):
    W, b, c = (rng.normal(0, scale, s).astype(dtype) for s in [(V, H), (V,), (H,)])
    return engram.BernoulliRBM(W, b, c), W, b, c


def test_free_energy_and_exact_log_z_match_numpy(rng, dtype):
    rbm, W, b, c = random_rbm(rng, 6, 4, dtype)
    assert rbm.dtype == np.dtype(dtype)
    exact = brute_log_z(W, b, c)
    assert rbm.exact_log_partition() == pytest.approx(exact, rel=1e-10)
    v = all_binary(6).astype(dtype)
    F = -(v @ b.astype(np.float64)) - np.logaddexp(0, v @ W.astype(np.float64) + c).sum(axis=1)
    np.testing.assert_allclose(rbm.free_energy(v), F, rtol=tol(dtype), atol=tol(dtype))
    # P(v) = exp(-F(v)) / Z sums to one
    assert np.exp(-rbm.free_energy(v) - exact).sum() == pytest.approx(1.0, rel=10 * tol(dtype))
    h = all_binary(4)[:8].astype(dtype)
    E = -np.einsum("bi,ij,bj->b", v[:8], W, h) - v[:8] @ b - h @ c
    np.testing.assert_allclose(rbm.energy(v[:8], h), E, rtol=tol(dtype), atol=tol(dtype))
    p = 1 / (1 + np.exp(-(v @ W + c)))
    np.testing.assert_allclose(rbm.hidden_probabilities(v), p, rtol=10 * tol(dtype))


def test_ais_is_close_to_the_exact_log_z(rng, dtype):
    rbm, W, b, c = random_rbm(rng, 12, 10, dtype)
    data = rbm.gibbs(np.zeros((200, 12), dtype=dtype), 20, seed=3)
    r = rbm.ais(data, runs=200, betas=2000, seed=4)
    exact = brute_log_z(W, b, c)
    # the +-3 sd interval of the mean importance weight covers the truth, and it is narrow
    assert r["log_z_low"] <= exact <= r["log_z_high"]
    assert r["log_z_high"] - r["log_z_low"] < 0.2
    assert r["log_weights"].shape == (200,)
    ll = rbm.average_log_likelihood(data, r["log_z"])
    assert ll == pytest.approx(-rbm.free_energy(data).mean() - r["log_z"])


def test_cd_training_raises_the_exact_log_likelihood(rng, dtype):
    proto = np.array([[1.0] * 5 + [0.0] * 5, [0.0] * 5 + [1.0] * 5])
    data = proto[np.arange(200) % 2]
    data = np.where(rng.random(data.shape) < 0.1, 1 - data, data).astype(dtype)
    for persistent in (False, True):
        rbm = engram.BernoulliRBM.random(10, 4, stddev=0.01, seed=5, dtype=dtype)
        before = rbm.average_log_likelihood(data, rbm.exact_log_partition())
        cd = engram.CDTrainer(k=1, persistent=persistent, learning_rate=0.1, momentum=0.5,
                              batch=20, chains=20, seed=6)
        for _ in range(60):
            cd.epoch(rbm, data)
        after = rbm.average_log_likelihood(data, rbm.exact_log_partition())
        assert after > before + 2.0
        if persistent:
            assert cd.chains(rbm).shape == (20, 10)


def test_cd_gradient_with_long_chains_is_the_exact_gradient(rng):
    rbm, W, b, c = random_rbm(rng, 5, 3, np.float64, scale=1.5)
    rows = (rng.random((10, 5)) < 0.3).astype(np.float64)
    g = engram.CDTrainer(k=100, seed=7).gradient(rbm, np.tile(rows, (2000, 1)))
    V = all_binary(5)
    F = rbm.free_energy(V)
    p = np.exp(-(F - F.min()))
    p /= p.sum()
    ph, pd = rbm.hidden_probabilities(V), rbm.hidden_probabilities(rows)
    exact_W = rows.T @ pd / 10 - V.T @ (p[:, None] * ph)
    # 20,000 chains: standard deviation at most 0.5 / sqrt(20000) = 0.0035 per entry
    assert np.abs(g["W"] - exact_W).max() < 0.021
    assert np.abs(g["b"] - (rows.mean(0) - p @ V)).max() < 0.021


def test_save_load_and_graph(tmp_path, rng, dtype):
    rbm, W, b, c = random_rbm(rng, 7, 3, dtype)
    rbm.save(tmp_path / "rbm.safetensors")
    back = engram.BernoulliRBM.load(tmp_path / "rbm.safetensors")
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.W, W)
    np.testing.assert_array_equal(back.c, c)
    # the generic model functions know the kind too
    engram.save_model(tmp_path / "generic.safetensors", rbm)
    again = engram.load_model(tmp_path / "generic.safetensors")
    assert isinstance(again, engram.BernoulliRBM)
    np.testing.assert_array_equal(again.W, W)
    # the same RBM as an energy graph: its synapse W holds the weights
    g = rbm.to_graph()
    np.testing.assert_array_equal(g.synapse("W").params["W"], W)


def gb_model(rng, dtype):
    W, b, c = rng.normal(0, 0.7, (4, 3)), rng.normal(0, 0.5, 4), rng.normal(0, 0.5, 3)
    return engram.GaussianBernoulliRBM(W.astype(dtype), b.astype(dtype), c.astype(dtype), 0.9)


def test_gb_score_is_minus_the_free_energy_gradient(rng):
    rbm = gb_model(rng, np.float64)
    v = rng.normal(size=(5, 4))
    h = 1e-5
    fd = np.stack([(rbm.free_energy(v - h * e) - rbm.free_energy(v + h * e)) / (2 * h)
                   for e in np.eye(4)], axis=1)
    np.testing.assert_allclose(rbm.score(v), fd, atol=1e-7)


def test_dsm_gradient_matches_finite_differences(rng, dtype):
    rbm = gb_model(rng, np.float64)
    clean = rng.normal(size=(7, 4))
    noisy = clean + 0.3 * rng.normal(size=(7, 4))
    loss, g = engram.dsm_loss(rbm, clean, noisy, 0.3)
    W, b, c = rbm.W, rbm.b, rbm.c
    dW, db, dc = rng.normal(size=W.shape), rng.normal(size=b.shape), rng.normal(size=c.shape)

    def J(t):
        moved = engram.GaussianBernoulliRBM(W + t * dW, b + t * db, c + t * dc, 0.9)
        return engram.dsm_loss(moved, clean, noisy, 0.3)[0]

    h = 1e-4
    fd = (-J(2 * h) + 8 * J(h) - 8 * J(-h) + J(-2 * h)) / (12 * h)
    analytic = (g["W"] * dW).sum() + (g["b"] * db).sum() + (g["c"] * dc).sum()
    assert analytic == pytest.approx(fd, rel=1e-7)
    # the same loss at the other precision
    other = gb_model(np.random.default_rng(20261123), dtype)
    ref = gb_model(np.random.default_rng(20261123), np.float64)
    l1, _ = engram.dsm_loss(other, clean.astype(dtype), noisy.astype(dtype), 0.3)
    l2, _ = engram.dsm_loss(ref, clean, noisy, 0.3)
    assert l1 == pytest.approx(l2, rel=100 * tol(dtype))


def test_ssm_gradient_matches_finite_differences(rng):
    rbm = gb_model(rng, np.float64)
    data, u = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    loss, g = engram.ssm_loss(rbm, data, u)
    W, b, c = rbm.W, rbm.b, rbm.c
    dW, db, dc = rng.normal(size=W.shape), rng.normal(size=b.shape), rng.normal(size=c.shape)

    def J(t):
        moved = engram.GaussianBernoulliRBM(W + t * dW, b + t * db, c + t * dc, 0.9)
        return engram.ssm_loss(moved, data, u)[0]

    h = 1e-4
    fd = (-J(2 * h) + 8 * J(h) - 8 * J(-h) + J(-2 * h)) / (12 * h)
    analytic = (g["W"] * dW).sum() + (g["b"] * db).sum() + (g["c"] * dc).sum()
    assert analytic == pytest.approx(fd, rel=1e-7)


def test_train_dsm_lowers_the_loss(dtype):
    truth = engram.GaussianBernoulliRBM(np.array([[2.0, 0], [0, 2.0]]), np.zeros(2),
                                        np.zeros(2), 0.4)
    data = truth.sample(2000, seed=1).astype(dtype)
    model = engram.GaussianBernoulliRBM(0.1 * np.ones((2, 2)), data.mean(0), np.zeros(2),
                                        0.5, dtype=dtype)
    losses = engram.train_dsm(model, data, noise_sigma=0.3, learning_rate=0.03, steps=300,
                              batch=500, seed=2)
    assert losses.shape == (300,)
    assert losses[-50:].mean() < losses[:10].mean()


def test_bad_input_raises_value_error(rng):
    rbm, W, b, c = random_rbm(rng, 4, 2, np.float64)
    with pytest.raises(ValueError, match="b"):
        engram.BernoulliRBM(W, np.zeros(3), c)
    with pytest.raises(ValueError, match="v"):
        rbm.free_energy(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="steps"):
        rbm.gibbs(np.zeros((2, 4)), -1)
    with pytest.raises(ValueError, match="k must be"):
        engram.CDTrainer(k=0)
    with pytest.raises(ValueError, match="units"):
        engram.BernoulliRBM.random(30, 26).exact_log_partition()
    with pytest.raises(ValueError, match="sigma"):
        engram.GaussianBernoulliRBM(W, b, c, 0.0)
    with pytest.raises(ValueError, match="NaN"):
        rbm.free_energy(np.full((1, 4), np.nan))
