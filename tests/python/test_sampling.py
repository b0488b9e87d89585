"""Samplers and the deep EBM from Python (SPEC M-15, M-32, M-34): Gaussian moments of Langevin chains
against the closed-form law, the Boltzmann machine against NumPy enumeration, the MLP energy's
gradients against finite differences, and the errors raised."""

import itertools

import numpy as np
import pytest

import engram


def ula_cov(A, eps, T):
    """Stationary covariance of unadjusted Langevin on E = 1/2 (x-mu)^T A (x-mu):
    Sigma = (1 - eps A) Sigma (1 - eps A) + 2 T eps I, i.e. T (A (I - eps A / 2))^-1."""
    return T * np.linalg.inv(A @ (np.eye(len(A)) - 0.5 * eps * A))


def test_langevin_callable_matches_gaussian_moments():
    A = np.array([[1.5, 0.4], [0.4, 0.8]])
    mu = np.array([1.0, -2.0])
    calls = []

    def f(x):
        calls.append(x.shape)
        d = x - mu
        return 0.5 * np.einsum("bi,ij,bj->b", d, A, d), d @ A

    eps = 0.1
    r = engram.langevin(f, np.zeros((300, 2)), step_size=eps, temperature=0.5, burn_in=200,
                        steps=600, record=True, seed=3)
    assert r.samples.shape == (600, 300, 2) and r.x.shape == (300, 2) and r.steps == 800
    assert calls[0] == (300, 2)
    s = r.samples.reshape(-1, 2)
    # Slowest eigenvalue ~0.6: rho = 0.94, autocorrelation time (1 + rho)/(1 - rho) ~ 32 steps;
    # n_eff ~ 300 * 600 / 32 = 5600; tolerances are 5 standard errors.
    n_eff = 300 * 600 / 32
    sigma = ula_cov(A, eps, 0.5)
    assert np.all(np.abs(s.mean(0) - mu) < 5 * np.sqrt(np.diag(sigma) / n_eff))
    se = np.sqrt((np.outer(np.diag(sigma), np.diag(sigma)) + sigma**2) / n_eff)
    assert np.all(np.abs(np.cov(s.T) - sigma) < 5 * se)


def test_langevin_on_a_graph_with_a_clamped_layer(dtype):
    g = engram.EnergyGraph(dtype=dtype).add_layer("a", 2, engram.Identity()).add_layer(
        "b", 1, engram.Identity())
    g.add_synapse("W", ["a", "b"], engram.DenseSynapse(np.array([[0.5], [-0.3]], dtype=dtype)))
    g.add_synapse("h", ["a"], engram.BiasSynapse(np.array([0.2, -0.4], dtype=dtype)))
    s = g.zeros(2000)
    s["b"] = np.full((2000, 1), 2.0, dtype=dtype)
    r = engram.langevin(g, s, step_size=0.1, steps=300, clamped=["b"], seed=1)
    assert r.layers == ["a"]
    assert np.all(s["b"] == 2.0)
    # a | b ~ N(W b + h, T/(1 - eps/2) I): 2000 independent chains, standard error 0.023.
    np.testing.assert_allclose(s["a"].mean(0), [1.2, -1.0], atol=0.12)
    np.testing.assert_allclose(s["a"].var(0), 1 / 0.95, rtol=0.15)
    with pytest.raises(ValueError, match="'zz'"):
        engram.langevin(g, s, clamped=["zz"])


def test_annealed_langevin_and_schedules():
    t = engram.geometric_schedule(8.0, 0.5, 5)
    np.testing.assert_allclose(t, 8.0 * (0.5 / 8.0) ** (np.arange(5) / 4))
    assert engram.linear_schedule(1.0, 0.0, 3) == [1.0, 0.5, 0.0]
    f = lambda x: (0.5 * (x**2).sum(1), x.copy())
    r = engram.annealed_langevin(f, np.zeros((2000, 1)), t, steps=[20, 20, 20, 20, 200],
                                 step_size=0.05, record=True, seed=2)
    assert r.temperatures[0] == 8.0 and r.temperatures[-1] == 0.5
    # Final law N(0, 0.5/(1 - 0.025)); 2000 independent chains: variance to ~3% (1 se).
    assert abs(r.x.var() - 0.5 / 0.975) < 0.1


def test_mala_is_exact_for_large_steps():
    f = lambda x: (0.5 * (x**2).sum(1), x.copy())
    r = engram.langevin(f, np.zeros((2000, 1)), step_size=0.8, steps=100, metropolis=True, seed=4)
    assert 0.3 < r.acceptance < 1.0
    # Unadjusted, eps = 0.8 would give variance 1/(1 - 0.4) = 1.67; MALA gives 1.
    assert abs(r.x.var() - 1.0) < 0.15


def test_langevin_errors():
    f = lambda x: (0.5 * (x**2).sum(1), x.copy())
    with pytest.raises(ValueError, match="step_size"):
        engram.langevin(f, np.zeros((2, 1)), step_size=0)
    with pytest.raises(ValueError, match="temperature"):
        engram.langevin(f, np.zeros((2, 1)), temperature=-1)
    with pytest.raises(ValueError, match="NaN"):
        engram.langevin(f, np.array([[np.nan]]))
    with pytest.raises(ValueError, match="energies for"):
        engram.langevin(lambda x: (np.zeros(5), x), np.zeros((2, 1)), steps=1)
    with pytest.raises(ZeroDivisionError):
        engram.langevin(lambda x: 1 / 0, np.zeros((2, 1)), steps=1)


def numpy_boltzmann(W, b, T):
    n = len(b)
    states = np.array([[1.0 if (k >> i) & 1 else -1.0 for i in range(n)] for k in range(2**n)])
    E = -0.5 * np.einsum("ki,ij,kj->k", states, W, states) - states @ b
    logw = -E / T
    p = np.exp(logw - logw.max())
    return p / p.sum(), states


def test_boltzmann_machine_against_numpy_enumeration(rng):
    n = 6
    a = rng.standard_normal((n, n)) / np.sqrt(n)
    W = np.triu(a, 1) + np.triu(a, 1).T
    b = 0.3 * rng.standard_normal(n)
    bm = engram.BoltzmannMachine(W, b, temperature=0.8)
    p_np, states = numpy_boltzmann(W, b, 0.8)
    p = bm.exact_distribution()
    np.testing.assert_allclose(p, p_np, rtol=1e-10)
    assert bm.energy(states[5]) == pytest.approx(-0.5 * states[5] @ W @ states[5] - b @ states[5])
    assert engram.spin_index(states[37]) == 37
    np.testing.assert_array_equal(engram.spin_state(37, n), states[37])
    # 100 chains x 2000 draws: expected TV <= 1/2 sum sqrt(p (1 - p) / n) ~ 0.006 (independent).
    bound = 0.5 * np.sqrt(p * (1 - p)).sum() / np.sqrt(200000)
    assert bound < 0.01
    for update in ("gibbs", "metropolis"):
        q = bm.empirical_distribution(update, "random", chains=100, samples=2000, seed=1)
        assert engram.total_variation(p, q) < 0.02
    assert engram.entropy(p) == pytest.approx(-(p * np.log(p)).sum())
    s = bm.sweep(states[0], "metropolis", "sequential", seed=2)
    assert set(np.unique(s)) <= {-1.0, 1.0}


def test_boltzmann_machine_errors():
    with pytest.raises(ValueError, match="symmetric"):
        engram.BoltzmannMachine(np.array([[0, 1.0], [0, 0]]), np.zeros(2))
    with pytest.raises(ValueError, match="zero diagonal"):
        engram.BoltzmannMachine(np.eye(2), np.zeros(2))
    bm = engram.BoltzmannMachine(np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="update"):
        bm.empirical_distribution("heat")


def test_mlp_energy_gradients_match_finite_differences(rng):
    f = engram.MlpEnergy(4, [6, 5], activation="softplus", seed=1)
    x = rng.standard_normal((3, 4))
    e, g = f.energy_and_grad(x)
    np.testing.assert_allclose(e, f.energy(x), rtol=1e-12)
    h = 1e-6
    num = np.zeros_like(x)
    for b, i in itertools.product(range(3), range(4)):
        d = np.zeros_like(x)
        d[b, i] = h
        num[b, i] = (f.energy(x + d)[b] - f.energy(x - d)[b]) / (2 * h)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8)
    w = np.array([1.0, -0.5, 2.0])
    grads = f.param_grad(x, w)
    params = f.params
    k = 2  # W2
    dp = rng.standard_normal(params[k].shape)
    plus = [p.copy() for p in params]
    minus = [p.copy() for p in params]
    plus[k] += h * dp
    minus[k] -= h * dp
    f.set_params(plus)
    ep = f.energy(x) @ w
    f.set_params(minus)
    em = f.energy(x) @ w
    assert (grads[k] * dp).sum() == pytest.approx((ep - em) / (2 * h), rel=1e-6)
    assert f.param_names == ["W1", "b1", "W2", "b2", "W3", "b3"]


def test_deep_ebm_trains_and_samples(dtype):
    f = engram.MlpEnergy(2, [16], seed=2, dtype=dtype)
    ebm = engram.DeepEbm(f, langevin_steps=5, step_size=0.01, noise=0.05, lo=-3, hi=3,
                         buffer=100, alpha=0.1, lr=1e-3, seed=3)
    rng = np.random.default_rng(0)
    for _ in range(5):
        r = ebm.train_step((rng.standard_normal((32, 2)) * 0.2 + 1.0).astype(dtype))
        assert r["gap"] == pytest.approx(r["data_energy"] - r["negative_energy"])
    assert ebm.replay_buffer.shape == (100, 2)
    s = ebm.sample(10, 5)
    assert s.shape == (10, 2) and s.dtype == dtype and np.all(np.abs(s) <= 3)
    with pytest.raises(ValueError, match="step_size"):
        engram.DeepEbm(f, step_size=0)
    with pytest.raises(ValueError, match="data"):
        ebm.train_step(np.zeros((4, 3), dtype=dtype))
