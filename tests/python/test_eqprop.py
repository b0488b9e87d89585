"""Equilibrium propagation (SPEC M-31) from Python: the beta -> 0 gradient estimate against central
finite differences of the cost at the free fixed point (float64), energy bookkeeping of the
graphs, training on a tiny separable problem in float32 and float64, the backprop baseline's
gradient, and ValueError for bad input."""

import numpy as np
import pytest

import engram


def tiny(**kw):
    args = dict(sizes=[5, 4, 3], activation="sigmoid", beta=1e-3, free_steps=300,
                nudged_steps=300, learning_rates=[0.1, 0.1], batch=2, seed=3)
    args.update(kw)
    return engram.EqPropNetwork(**args)


def numeric_gradient(loss, params, h=1e-4):
    grads = []
    for k, p in enumerate(params):
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[k][i] += h
            minus[k][i] -= h
            g[i] = (loss(plus) - loss(minus)) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("cost", ["squared", "cross_entropy"])
def test_symmetric_estimate_matches_finite_differences_of_the_cost(cost, rng):
    # (1/2 beta)(dE/dtheta(beta) - dE/dtheta(-beta)) = dC(s*)/dtheta + O(beta^2) (Scellier &
    # Bengio 2017; Laborieux et al. 2021). beta = 1e-3: bias ~1e-6 relative; differences with
    # h = 1e-4 add ~1e-8. Tolerance 1e-4 of the largest entry.
    net = tiny(cost=cost, dtype=np.float64)
    x = rng.random((2, 5))
    t = net.one_hot(np.array([2, 0]))
    theta = net.params()

    def loss(params):
        net.set_params(params)
        net.set_batch(x, t)
        return net.cost(net.free_phase())

    numeric = numeric_gradient(loss, theta)
    net.set_params(theta)
    estimate = net.gradient_estimate(x, t)
    scale = max(np.abs(g).max() for g in numeric)
    for e, n in zip(estimate, numeric):
        assert e.shape == n.shape
        np.testing.assert_allclose(e, n, atol=1e-4 * scale, rtol=0)


def test_free_graph_energy_is_the_whole_graph_less_the_clamped_input(rng):
    net = tiny(activation="hard_sigmoid", free_steps=10)
    x = rng.random((2, 5))
    net.set_batch(x, net.one_hot(np.array([0, 1])))
    state = net.free_phase()
    whole = net.graph()
    s = whole.state(x=x, h1=state["h1"], y=state["y"])
    free = net.free_graph()
    f = free.state(h1=state["h1"], y=state["y"])
    f_energy = free.energy(f)
    np.testing.assert_allclose(whole.energy(s), f_energy + 0.5 * (x**2).sum(1), rtol=1e-12)
    assert [layer.name for layer in whole.layers] == ["x", "h1", "y"]
    saved = net.network_graph()
    assert [syn.name for syn in saved.synapses] == ["W1", "b1", "W2", "b2"]
    np.testing.assert_allclose(saved.energy(saved.state(x=x, h1=state["h1"], y=state["y"])),
                               whole.energy(s), rtol=1e-12)  # beta = 0 outside a nudged phase


def test_nudging_lowers_the_cost_and_the_phases_round_trip(rng):
    net = tiny(activation="hard_sigmoid", free_steps=50, nudged_steps=50)
    x = rng.random((2, 5))
    t = net.one_hot(np.array([1, 2]))
    net.set_batch(x, t)
    free = net.free_phase()
    nudged = net.nudged_phase(free, 0.5)
    assert set(nudged) == {"h1", "y"}
    assert net.cost(nudged) < net.cost(free)  # beta > 0 pulls yhat toward t
    assert net.cost(net.nudged_phase(free, -0.5)) > net.cost(free)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_learns_a_separable_problem_and_so_does_backprop(dtype):
    g = np.random.default_rng(5)
    proto = g.random((3, 6))
    def sample(n):
        y = np.arange(n) % 3
        return (proto[y] + 0.1 * g.standard_normal((n, 6))).astype(dtype), y
    x, y = sample(150)
    xt, yt = sample(60)
    net = engram.EqPropNetwork([6, 12, 3], learning_rates=[0.5, 0.25], batch=10, seed=4,
                               dtype=dtype)
    assert net.dtype == dtype
    before = net.evaluate(xt, yt)
    for _ in range(30):
        net.train_epoch(x, y)
    after = net.evaluate(xt, yt)
    assert after["cost"] < before["cost"]
    assert after["error"] <= 0.05
    assert np.mean(net.predict(xt) != yt) == pytest.approx(after["error"])
    bp = engram.FeedForwardNetwork([6, 12, 3], learning_rates=[2.0, 2.0], batch=10, seed=4,
                                   dtype=dtype)
    for _ in range(30):
        bp.train_epoch(x, y)
    assert bp.evaluate(xt, yt)["error"] <= 0.05


def test_backprop_gradient_matches_finite_differences(rng):
    net = engram.FeedForwardNetwork([5, 4, 3], activation="sigmoid", cost="cross_entropy",
                                    dtype=np.float64)
    x = rng.random((3, 5))
    t = np.eye(3)[[0, 2, 1]]
    theta = net.params()

    def loss(params):
        net.set_params(params)
        return net.cost(x, t)

    numeric = numeric_gradient(loss, theta, h=1e-5)
    net.set_params(theta)
    for a, n in zip(net.gradient(x, t), numeric):
        np.testing.assert_allclose(a, n, rtol=1e-6, atol=1e-9)


def test_bad_input_raises_value_error(rng):
    with pytest.raises(ValueError, match="beta must be finite and non-zero"):
        engram.EqPropNetwork([5, 4, 3], beta=0.0)
    with pytest.raises(ValueError, match="activation"):
        engram.EqPropNetwork([5, 4, 3], activation="relu")
    with pytest.raises(ValueError, match="unknown cost"):
        engram.EqPropNetwork([5, 4, 3], cost="hinge")
    net = tiny()
    with pytest.raises(ValueError, match="input size"):
        net.set_batch(rng.random((2, 4)))
    with pytest.raises(ValueError, match="out of range"):
        net.train_epoch(rng.random((2, 5)), np.array([0, 3]))
    with pytest.raises(ValueError, match="integers"):
        net.train_epoch(rng.random((2, 5)), np.array([0.0, 1.0]))
    bad = rng.random((2, 5))
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        net.predict(bad)
    with pytest.raises(ValueError, match="missing layer"):
        net.set_batch(rng.random((2, 5)))
        net.cost({"h1": np.zeros((2, 4)), "z": np.zeros((2, 3))})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cost_and_field_synapses_follow_their_equations(rng, dtype):
    y = rng.random((3, 4)).astype(dtype)
    t = np.eye(4)[[0, 3, 1]].astype(dtype)
    y64, t64 = y.astype(np.float64), t.astype(np.float64)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    sq = engram.SquaredErrorCost(4, beta=0.5, dtype=dtype)
    sq.set_target(t)
    np.testing.assert_allclose(sq.cost(y), 0.5 * ((y64 - t64) ** 2).sum(1), rtol=tol)
    np.testing.assert_allclose(sq.energy([y]), 0.25 * ((y64 - t64) ** 2).sum(1), rtol=tol)
    np.testing.assert_allclose(sq.grad([y])[0], 0.5 * (y64 - t64), rtol=tol, atol=tol)
    ce = engram.CrossEntropyCost(4, beta=-2.0, dtype=dtype)
    ce.set_target(t)
    logp = y64 - np.log(np.exp(y64).sum(1, keepdims=True))
    np.testing.assert_allclose(ce.cost(y), -(t64 * logp).sum(1), rtol=tol)
    np.testing.assert_allclose(ce.grad([y])[0], -2.0 * (np.exp(logp) - t64), rtol=tol, atol=tol)
    assert ce.beta == -2.0 and ce.kind == "CrossEntropyCost"
    field = engram.FieldSynapse(4, dtype=dtype)
    field.set_field(t)
    np.testing.assert_allclose(field.energy([y]), -(t64 * y64).sum(1), rtol=tol)
    with pytest.raises(ValueError, match="batch 2 but the target was set for batch 3"):
        sq.cost(y[:2])
    with pytest.raises(ValueError, match="beta must be finite"):
        sq.beta = np.nan
