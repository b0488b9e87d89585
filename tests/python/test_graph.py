"""EnergyGraph and relax (SPEC M-03, M-04) against NumPy: the total energy as the sum of its terms,
the gradient dE/dxhat = x + sum_s dE_s/dxhat, one Euler step, and energy descent."""

import threading

import numpy as np
import pytest

import engram
from conftest import tol


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def seed001_graph(xi, dtype=None, beta_v=0.25, beta_m=1.0):
    """Seed 001's two-layer memory: v (sigmoid), m (softmax), E_S = -m^T Xi v."""
    g = engram.EnergyGraph(dtype=dtype)
    g.add_layer("v", xi.shape[1], engram.Sigmoid(beta=beta_v))
    g.add_layer("m", xi.shape[0], engram.Softmax(beta=beta_m), tau=0.5)
    g.add_synapse("xi", ["m", "v"], engram.DenseSynapse(xi))
    return g


def numpy_energy_and_grad(xi, v, m, beta_v=0.25, beta_m=1.0):
    """M-03 from scratch: E = sum_l (xhat_l . x_l - L_l(x_l)) - mhat^T Xi vhat."""
    vhat, mhat = sigmoid(beta_v * v), softmax(beta_m * m)
    L_v = np.logaddexp(0, beta_v * v).sum(-1) / beta_v
    z = beta_m * m
    L_m = (z.max(-1) + np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1))) / beta_m
    E = (vhat * v).sum(-1) - L_v + (mhat * m).sum(-1) - L_m - np.einsum("bk,kd,bd->b", mhat, xi, vhat)
    grad_v = v - mhat @ xi  # x + dE_S/dvhat
    grad_m = m - vhat @ xi.T
    return E, grad_v, grad_m


def test_energy_and_gradient_match_numpy(rng, dtype):
    xi = rng.standard_normal((5, 8))
    g = seed001_graph(xi.astype(dtype), dtype=dtype)
    s = g.state(v=rng.standard_normal((3, 8)), m=rng.standard_normal((3, 5)))
    assert s.dtype == dtype and g.dtype == dtype
    v, m = s["v"].astype(np.float64), s["m"].astype(np.float64)
    E, grad_v, grad_m = numpy_energy_and_grad(xi.astype(dtype).astype(np.float64), v, m)
    energy = g.energy(s)
    assert energy.dtype == np.float64
    np.testing.assert_allclose(energy, E, rtol=tol(dtype), atol=10 * tol(dtype))
    grads = g.grad(s)
    np.testing.assert_allclose(grads["v"], grad_v, rtol=tol(dtype), atol=10 * tol(dtype))
    np.testing.assert_allclose(grads["m"], grad_m, rtol=tol(dtype), atol=10 * tol(dtype))
    terms = g.energy_terms(s)
    assert list(terms) == ["v", "m", "xi"]
    np.testing.assert_allclose(sum(terms.values()), energy, rtol=1e-12)


def test_one_euler_step_is_x_minus_dt_over_tau_times_the_gradient(rng):
    xi = rng.standard_normal((5, 8))
    g = seed001_graph(xi)
    s = g.state(v=rng.standard_normal((2, 8)), m=rng.standard_normal((2, 5)))
    v0, m0 = s["v"].copy(), s["m"].copy()
    _, grad_v, grad_m = numpy_energy_and_grad(xi, v0, m0)
    r = engram.relax(g, s, dt=0.05, max_steps=1, tolerance=0, shrink_on_rise=False)
    assert r.steps == 1 and r.trace.shape == (2, 2)
    np.testing.assert_allclose(s["v"], v0 - 0.05 / 1.0 * grad_v, rtol=1e-12)
    np.testing.assert_allclose(s["m"], m0 - 0.05 / 0.5 * grad_m, rtol=1e-12)  # tau_m = 0.5


def test_relax_never_raises_the_energy_on_random_graphs(rng, dtype):
    for trial in range(5):
        n = int(rng.integers(3, 9))
        a = rng.standard_normal((n, n))
        W = (a + a.T) / 2
        np.fill_diagonal(W, 0)
        g = engram.EnergyGraph(dtype=dtype)
        g.add_layer("x", n, engram.Tanh(beta=float(rng.uniform(0.5, 3))))
        g.add_layer("h", 4, engram.Softmax(beta=1.0))
        g.add_synapse("W", ["x"], engram.RecurrentSynapse(W * 2))
        g.add_synapse("U", ["h", "x"], engram.DenseSynapse(rng.standard_normal((4, n))))
        g.add_synapse("b", ["x"], engram.BiasSynapse(rng.standard_normal(n)))
        s = g.state(x=rng.standard_normal((4, n)) * 3)
        r = engram.relax(g, s, dt=0.5, max_steps=400)
        rises = np.diff(r.trace, axis=0)
        allowance = 1e-9 if dtype == np.float64 else 1e-3
        assert rises.max() <= allowance * (1 + np.abs(r.trace).max()), f"trial {trial}"
        np.testing.assert_allclose(r.energy, g.energy(s), rtol=1e-12)
        assert set(r.status) <= {"converged", "running", "stalled"}


def test_relax_converges_to_a_fixed_point_and_holds_clamped_layers(rng):
    xi = rng.standard_normal((5, 8))
    g = seed001_graph(xi)
    s = g.state(v=rng.standard_normal((2, 8)))
    m0 = s["m"].copy()
    r = engram.relax(g, s, dt=0.2, max_steps=5000, clamped=["m"])
    assert r.converged and r.status == ["converged", "converged"]
    np.testing.assert_array_equal(s["m"], m0)
    grads = g.grad(s)
    assert np.abs(grads["v"]).max() < 1e-6  # a fixed point of the free layer


def test_state_views_write_through(rng):
    g = seed001_graph(rng.standard_normal((5, 8)))
    s = g.zeros(3)
    assert s.names == ["v", "m"] and s.batch == 3 and len(s) == 2 and "v" in s
    view = s["v"]
    view[1, :] = 2.0
    assert s["v"][1, 0] == 2.0 and np.shares_memory(view, s["v"])
    s["m"] = np.ones(5)  # broadcast to every sample
    assert (s["m"] == 1).all()
    copy = s.copy()
    copy["v"][:] = 0
    assert s["v"][1, 0] == 2.0
    d = s.to_dict()
    d["v"][:] = -1
    assert s["v"][1, 0] == 2.0
    with pytest.raises(KeyError, match="layer"):
        s["w"]


def test_on_step_callback_sees_every_step_and_can_stop_the_run(rng):
    g = seed001_graph(rng.standard_normal((5, 8)))
    s = g.state(v=rng.standard_normal((2, 8)))
    seen = []
    r = engram.relax(g, s, dt=0.1, max_steps=7, tolerance=0, on_step=lambda k, e: seen.append((k, e.copy())))
    assert [k for k, _ in seen] == list(range(1, 8))
    np.testing.assert_array_equal(seen[-1][1], r.energy)

    def boom(step, energy):
        raise RuntimeError("stop at step %d" % step)

    with pytest.raises(RuntimeError, match="stop at step 1"):
        engram.relax(g, s, on_step=boom)


def test_relax_runs_in_threads_without_the_gil(rng):
    # Four threads relax their own states of one shared graph; all finish with the same answers
    # as a serial run (relax releases the GIL and only reads the graph).
    g = seed001_graph(rng.standard_normal((20, 50)))
    starts = [rng.standard_normal((4, 50)) for _ in range(4)]
    serial = []
    for x in starts:
        s = g.state(v=x)
        engram.relax(g, s, dt=0.1, max_steps=300)
        serial.append(s["v"].copy())
    states = [g.state(v=x) for x in starts]
    threads = [threading.Thread(target=engram.relax, args=(g, st), kwargs={"dt": 0.1, "max_steps": 300}) for st in states]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for st, expected in zip(states, serial):
        np.testing.assert_array_equal(st["v"], expected)


def test_graph_structure_copy_and_live_synapses(rng):
    xi = rng.standard_normal((5, 8))
    g = seed001_graph(xi, dtype="float32")
    assert [l.name for l in g.layers] == ["v", "m"] and g.layers[1].tau == 0.5
    assert g.layers[0].lagrangian.kind == "sigmoid" and g.layers[0].shape == (8,)
    assert [c.layers for c in g.synapses] == [["m", "v"]]
    assert g.synapse("xi").dtype == np.float32  # converted from the float64 synapse
    copy = g.copy()
    s = g.state(v=rng.standard_normal((1, 8)))
    before = g.energy(s)
    g.synapse("xi").set_param("W", np.zeros((5, 8)))
    assert not np.allclose(g.energy(s), before)
    np.testing.assert_allclose(copy.energy(s), before)  # the copy is deep
    dot = g.to_dot()
    assert dot.lstrip().startswith(("graph", "digraph")) and all(name in dot for name in ("v", "m", "xi"))
    assert "dE/dxhat" in engram.EnergyGraph.__doc__


def test_bad_graph_input_names_the_problem(rng):
    g = seed001_graph(rng.standard_normal((5, 8)))
    with pytest.raises(ValueError, match="already used"):
        g.add_layer("v", 3, engram.Identity())
    with pytest.raises(ValueError, match="size|8|4"):
        g.add_synapse("bad", ["v"], engram.BiasSynapse(np.ones(4)))
    with pytest.raises(ValueError, match="tau"):
        g.add_layer("w", 3, engram.Identity(), tau=0.0)
    s = g.zeros(2)
    s["v"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        g.energy(s)
    with pytest.raises(ValueError, match="precisions differ"):
        engram.relax(g, seed001_graph(rng.standard_normal((5, 8)), dtype="float32").zeros(1))
    with pytest.raises(TypeError, match="unknown relax option 'step'"):
        engram.relax(g, g.zeros(1), step=0.1)
    with pytest.raises(ValueError, match="clamp|layer"):
        engram.relax(g, g.zeros(1), clamped=["nope"])
    with pytest.raises(ValueError, match="dt"):
        engram.relax(g, g.zeros(1), dt=-1.0)
    with pytest.raises(ValueError, match="shape|expected"):
        g.state(v=np.zeros((2, 7)))
