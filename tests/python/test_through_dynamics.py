"""Training through the dynamics (SPEC M-35): the unrolled gradient against central differences
of the unrolled loss in float64, float32 agreement, param_grad_directional, the DAM classifier,
landscape sculpting (M-30: minima moved onto targets), and the errors raised by bad input."""

import numpy as np
import pytest

import engram
from conftest import tol


def small_graph(rng, dtype=np.float64):
    g = engram.EnergyGraph(dtype=dtype)
    g.add_layer("v", 3, engram.Identity())
    g.add_layer("h", 4, engram.Tanh(beta=1.3), tau=0.7)
    g.add_layer("y", 2, engram.Softmax(beta=1.0))
    g.add_synapse("W", ["h", "v"], engram.DenseSynapse(0.5 * rng.standard_normal((4, 3))))
    g.add_synapse("U", ["h", "y"], engram.DenseSynapse(0.5 * rng.standard_normal((4, 2))))
    g.add_synapse("b", ["h"], engram.BiasSynapse(0.3 * rng.standard_normal((1, 4))))
    return g


OPTS = dict(dt=0.2, steps=6, clamped=["v"])


def unrolled_loss(g, x0, losses):
    return engram.gradient_through_dynamics(g, x0, losses, **OPTS)["loss"]


def test_gradient_matches_central_differences_in_float64(rng):
    g = small_graph(rng)
    v, h = rng.uniform(size=(3, 3)), 0.3 * rng.standard_normal((3, 4))
    target = np.eye(2)[[0, 1, 1]]
    losses = [("y", "cross_entropy", target), ("h", "squared_error", np.zeros((3, 4)))]
    r = engram.gradient_through_dynamics(g, g.state(v=v, h=h), losses, **OPTS)
    eps = 1e-5
    for layer, x in (("v", v), ("h", h)):  # initial states, entry by entry
        for i in np.ndindex(x.shape):
            hi, lo = x.copy(), x.copy()
            hi[i] += eps
            lo[i] -= eps
            kw = {"v": v, "h": h}
            num = (unrolled_loss(g, g.state(**{**kw, layer: hi}), losses)
                   - unrolled_loss(g, g.state(**{**kw, layer: lo}), losses)) / (2 * eps)
            assert r["initial"][layer][i] == pytest.approx(num, rel=1e-6, abs=1e-8)
    for name in ("W", "U", "b"):  # every parameter entry
        syn = g.synapse(name)
        p = syn.params[syn.param_names[0]].copy()
        for i in np.ndindex(p.shape):
            hi, lo = p.copy(), p.copy()
            hi[i] += eps
            lo[i] -= eps
            syn.set_param(syn.param_names[0], hi)
            f_hi = unrolled_loss(g, g.state(v=v, h=h), losses)
            syn.set_param(syn.param_names[0], lo)
            f_lo = unrolled_loss(g, g.state(v=v, h=h), losses)
            syn.set_param(syn.param_names[0], p)
            num = (f_hi - f_lo) / (2 * eps)
            assert r["params"][name][syn.param_names[0]][i] == pytest.approx(num, rel=1e-6, abs=1e-8)


def test_final_gradients_equal_the_built_in_loss(rng):
    # The squared error given as its gradient in the activations gives the same gradients.
    g = small_graph(rng)
    x0 = g.state(v=rng.uniform(size=(2, 3)))
    t = rng.standard_normal((2, 4))
    a = engram.gradient_through_dynamics(g, x0, [("h", "squared_error", t)], **OPTS)
    xhat = g.activations(a["final"])["h"]
    b = engram.gradient_through_dynamics(g, x0, final_activation_grad={"h": xhat - t}, **OPTS)
    np.testing.assert_allclose(b["params"]["W"]["W"], a["params"]["W"]["W"], rtol=1e-12)
    np.testing.assert_allclose(b["initial"]["v"], a["initial"]["v"], rtol=1e-12)
    traj = engram.unroll(g, x0, **OPTS)
    assert len(traj) == OPTS["steps"] + 1
    np.testing.assert_array_equal(traj[-1]["h"], a["final"]["h"])
    np.testing.assert_array_equal(traj[3]["v"], traj[0]["v"])  # clamped


def test_float32_agrees_with_float64(rng):
    g64 = small_graph(np.random.default_rng(3))
    g32 = small_graph(np.random.default_rng(3), np.float32)
    v = rng.uniform(size=(4, 3))
    t = np.eye(2)[[0, 1, 1, 0]]
    r64 = engram.gradient_through_dynamics(g64, g64.state(v=v), [("y", "cross_entropy", t)], **OPTS)
    r32 = engram.gradient_through_dynamics(g32, g32.state(v=v), [("y", "cross_entropy", t)], **OPTS)
    assert r32["params"]["U"]["W"].dtype == np.float32
    np.testing.assert_allclose(r32["params"]["U"]["W"], r64["params"]["U"]["W"], rtol=1e-4, atol=1e-5)
    assert r32["loss"] == pytest.approx(r64["loss"], rel=1e-4)


def test_param_grad_directional_is_the_derivative_of_param_grad(rng, dtype):
    xi = rng.standard_normal((5, 4))
    syn = engram.MemorySynapse(xi.astype(dtype), "log_sum_exp(beta=2)")
    x, u = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    (pu,) = syn.param_grad_directional([x], [u])
    eps = 1e-6 if dtype == np.float64 else 1e-2
    (hi,) = syn.param_grad([x + eps * u])
    (lo,) = syn.param_grad([x - eps * u])
    np.testing.assert_allclose(pu, (hi - lo) / (2 * eps), rtol=50 * tol(dtype) ** 0.5, atol=1e-3)
    dense = engram.DenseSynapse(rng.standard_normal((4, 3)).astype(dtype))
    a, b, ua, ub = (rng.standard_normal(s) for s in [(2, 4), (2, 3), (2, 4), (2, 3)])
    (pw,) = dense.param_grad_directional([a, b], [ua, ub])
    np.testing.assert_allclose(pw, -(ua.T @ b + a.T @ ub), rtol=tol(dtype), atol=tol(dtype))
    with pytest.raises(ValueError, match="direction"):
        dense.param_grad_directional([a, b], [ua])


def test_bad_input_raises_value_error(rng):
    g = small_graph(rng)
    x0 = g.state(v=rng.uniform(size=(2, 3)))
    with pytest.raises(ValueError, match="dt must be finite and > 0"):
        engram.gradient_through_dynamics(g, x0, [], dt=-1)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        engram.unroll(g, x0, steps=0)
    with pytest.raises(ValueError, match="unknown loss"):
        engram.gradient_through_dynamics(g, x0, [("y", "hinge", np.zeros((2, 2)))])
    with pytest.raises(ValueError, match="target: expected shape 2x2"):
        engram.gradient_through_dynamics(g, x0, [("y", "squared_error", np.zeros((3, 2)))])
    with pytest.raises(ValueError, match="final_grad"):
        engram.gradient_through_dynamics(g, x0, final_grad={"y": np.zeros((2, 5))})
    with pytest.raises(ValueError):
        engram.gradient_through_dynamics(g, x0, [("nope", "squared_error", np.zeros((2, 2)))])
    with pytest.raises(ValueError, match="memories must be >= 1"):
        engram.DamClassifier(memories=0)
    dam = engram.DamClassifier(pixels=4, classes=2, memories=3)
    with pytest.raises(ValueError, match="images must be B x 4"):
        dam.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="not below classes"):
        dam.train_batch(np.zeros((2, 4)), np.array([0, 2]))


def test_dam_classifier_learns_a_separable_toy_problem(dtype):
    # Two classes of 16-pixel images: the left or the right half lit, with noise.
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 2, 200)
    images = np.clip(np.where((np.arange(16) < 8)[None, :] == (labels[:, None] == 0), 0.9, 0.1)
                     + 0.1 * rng.standard_normal((200, 16)), 0, 1)
    dam = engram.DamClassifier(pixels=16, classes=2, memories=6, steps=4, seed=2, dtype=dtype)
    before = dam.score(images, labels).error
    for epoch in range(5):
        dam.fit_epoch(images, labels, batch=20, lr=0.05, seed=epoch)
    after = dam.score(images, labels)
    assert after.error < 0.05 and after.error < before
    assert np.mean(dam.predict(images) == labels) == pytest.approx(1 - after.error)
    p = dam.predict_proba(images)
    assert p.shape == (200, 2) and p.dtype == dtype
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=tol(dtype))
    assert dam.memories.shape == (6, 16) and dam.label_memories.shape == (6, 2)
    assert [l.name for l in dam.graph.layers] == ["pixels", "memories", "labels"]


def sculpting_graph(w=0.0):
    g = engram.EnergyGraph()
    g.add_layer("x", 2, engram.Tanh(beta=1.0))
    g.add_synapse("W", ["x"], engram.RecurrentSynapse(np.array([[0.0, w], [w, 0.0]])))
    g.add_synapse("b", ["x"], engram.BiasSynapse(np.zeros((1, 2))))
    return g


def relaxed(g, x):
    s = g.state(x=x)
    engram.relax(g, s, dt=0.1, max_steps=5000, tolerance=1e-10)
    return g.activations(s)["x"]


def test_landscape_sculpting_moves_the_minima_onto_the_targets():
    # M-30: targets xhat = +-(0.8, -0.8); training through 20 Euler steps from noisy starts moves
    # the energy minima there. The exact answer is w = -atanh(0.8) / 0.8 (x = W xhat at xhat = t).
    rng = np.random.default_rng(1)
    targets = np.array([[0.8, -0.8], [-0.8, 0.8]])
    g = sculpting_graph()
    starts = np.arctanh(targets)
    np.testing.assert_allclose(relaxed(g, starts), 0, atol=1e-4)  # before: one minimum at 0
    W = g.synapse("W")
    for it in range(150):
        x0 = np.repeat(starts, 8, axis=0) + 0.3 * rng.standard_normal((16, 2))
        t = np.repeat(targets, 8, axis=0)
        r = engram.gradient_through_dynamics(g, g.state(x=x0), [("x", "squared_error", t)],
                                             dt=0.3, steps=20)
        W.set_param("W", W.params["W"] - 1.0 * r["params"]["W"]["W"] / 16)
    np.testing.assert_allclose(relaxed(g, starts), targets, atol=0.03)
    assert W.params["W"][0, 1] == pytest.approx(-np.arctanh(0.8) / 0.8, rel=0.01)
