"""Associative-memory facades (SPEC M-06, M-10..M-14) against NumPy re-implementations of their
defining equations, written here from the SPEC (never from numbers printed in the seeds)."""

import threading

import numpy as np
import pytest

import engram
from conftest import bipolar, tol


def logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- modern Hopfield (M-12)


def modern_energy(xi, beta, x):
    """E(x) = -1/beta log sum_mu exp(beta xi_mu . x) + 1/2 x^T x, per row of x."""
    return -logsumexp(beta * x @ xi.T) / beta + 0.5 * (x * x).sum(-1)


def modern_update(xi, beta, x):
    """x <- Xi^T softmax(beta Xi x), per row of x."""
    return softmax(beta * x @ xi.T) @ xi


def test_modern_energy_and_update_match_the_equations(rng, dtype):
    xi64 = rng.standard_normal((7, 5))
    x64 = rng.standard_normal((4, 5))
    xi, x = xi64.astype(dtype), x64.astype(dtype)
    beta = 1.7
    net = engram.ModernHopfield(xi, beta=beta, block=3)  # blocks of 3 exercise the running softmax
    assert net.dtype == dtype and (net.num_patterns, net.dim, net.beta) == (7, 5, beta)
    xi_used, x_used = xi.astype(np.float64), x.astype(np.float64)
    energy = net.energy(x)
    assert energy.dtype == np.float64 and energy.shape == (4,)
    np.testing.assert_allclose(energy, modern_energy(xi_used, beta, x_used), rtol=tol(dtype))
    update = net.update(x)
    assert update.dtype == dtype and update.shape == (4, 5)
    np.testing.assert_allclose(
        update, modern_update(xi_used, beta, x_used), rtol=tol(dtype), atol=tol(dtype)
    )
    # One sample as a 1-D array: a float energy and a 1-D update.
    assert isinstance(net.energy(x[0]), float)
    assert net.update(x[0]).shape == (5,)
    # The graph is the same model: its energy on the same state agrees.
    graph = net.graph()
    assert isinstance(graph, engram.EnergyGraph)
    np.testing.assert_allclose(graph.energy(graph.state(x=x)), energy, rtol=tol(dtype))


def test_modern_retrieve_recovers_the_stored_pattern_from_a_noisy_cue(rng):
    xi = bipolar(rng, 6, 32)
    net = engram.ModernHopfield(xi, beta=0.5)
    cue = xi[2].copy()
    cue[rng.choice(32, 6, replace=False)] *= -1  # 6 of 32 signs flipped
    r = net.retrieve(cue)
    assert isinstance(r, engram.Retrieval)
    assert r.states.shape == (32,) and r.converged is True and isinstance(r.steps, int)
    np.testing.assert_allclose(r.states, xi[2], atol=1e-6)
    # The CCCP update never raises the energy.
    assert r.energy_trace.shape == (r.steps + 1,)  # one cue given 1-D: an unbatched result
    assert np.all(np.diff(r.energy_trace) <= 1e-12)
    # Gradient descent on the graph reaches the same fixed point; on_step is called from the
    # released C++ loop with the GIL taken back.
    seen = []
    d = net.retrieve_by_descent(
        cue[None, :], dt=0.5, max_steps=500, on_step=lambda k, e: seen.append(k)
    )
    assert d.states.shape == (1, 32) and d.converged.all()
    np.testing.assert_allclose(d.states[0], xi[2], atol=1e-5)
    assert seen and seen[-1] == len(seen)


def test_one_update_is_attention_with_beta_one_over_sqrt_d(rng):
    d = 8
    keys = rng.standard_normal((10, d))
    queries = rng.standard_normal((3, d))
    net = engram.ModernHopfield(keys, beta=1 / np.sqrt(d))
    attention = softmax(queries @ keys.T / np.sqrt(d))
    w = net.attention(queries)
    assert w.shape == (3, 10)
    np.testing.assert_allclose(w, attention, rtol=1e-10)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-12)
    # Xi = K = V: the update is softmax(Q K^T / sqrt(d)) V.
    np.testing.assert_allclose(net.update(queries), attention @ keys, rtol=1e-10, atol=1e-12)


def test_lse_merge_of_two_blocks_equals_the_partial_of_the_whole(rng, dtype):
    xi = rng.standard_normal((9, 4)).astype(dtype)
    q = rng.standard_normal((3, 4)).astype(dtype)
    beta = 2.0
    whole = engram.lse_partial(xi, q, beta)
    head, tail = engram.lse_partial(xi[:4], q, beta), engram.lse_partial(xi[4:], q, beta)
    merged = engram.lse_merge(head, tail)
    assert merged.dtype == dtype and merged.weighted.shape == (3, 4)
    for name in ("max", "sum", "weighted"):
        np.testing.assert_allclose(getattr(merged, name), getattr(whole, name), rtol=tol(dtype))
    # The reduction gives lse and the update exactly as the equations define them.
    x64, q64 = xi.astype(np.float64), q.astype(np.float64)
    np.testing.assert_allclose(
        engram.lse_value(merged), logsumexp(beta * q64 @ x64.T), rtol=tol(dtype)
    )
    np.testing.assert_allclose(
        engram.lse_average(merged), modern_update(x64, beta, q64), rtol=tol(dtype), atol=tol(dtype)
    )
    # The empty partial is the identity of the merge.
    empty = engram.LsePartial.empty(3, 4, dtype=dtype)
    np.testing.assert_array_equal(engram.lse_merge(empty, whole).weighted, whole.weighted)
    assert np.all(np.isneginf(engram.lse_value(empty)))


# ---------------------------------------------------------------- classical Hopfield (M-10)


def hebbian_numpy(xi):
    """W = Xi^T Xi / N with a zero diagonal."""
    W = xi.T @ xi / xi.shape[1]
    np.fill_diagonal(W, 0.0)
    return W


def synchronous_numpy(W, s, max_iterations=100):
    """s <- sign(W s), keeping s_i where the field is exactly 0; stops at a fixed point.
    Returns (state, updates that changed it, reached a fixed point)."""
    s = s.copy()
    for step in range(max_iterations):
        h = W @ s
        new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
        if np.array_equal(new, s):
            return s, step, True
        s = new
    return s, max_iterations, False


def test_classical_hebbian_weights_energy_and_synchronous_recall(rng):
    N = 32  # a power of two: the Hebbian weights are exact binary fractions
    xi = bipolar(rng, 3, N)
    W = hebbian_numpy(xi)
    np.testing.assert_array_equal(engram.hebbian(xi), W)
    net = engram.ClassicalHopfield.from_patterns(xi)
    assert net.size == N and net.rule == "hebbian" and net.has_packed_path
    np.testing.assert_array_equal(net.W, W)
    np.testing.assert_array_equal(net.patterns, xi)
    s = bipolar(rng, 5, N)
    np.testing.assert_allclose(net.energy(s), -0.5 * np.einsum("bi,ij,bj->b", s, W, s), rtol=1e-12)
    # Noisy patterns, then random cues (which may end in a 2-cycle).
    cues = np.vstack([np.repeat(xi, 2, axis=0)[:5], bipolar(rng, 20, N)])
    for b in range(5):
        cues[b, rng.choice(N, 3 + b, replace=False)] *= -1
    for packed in ("auto", "off"):
        r = net.recall(cues, mode="synchronous", packed=packed)
        for b in range(len(cues)):
            expected, steps, fixed = synchronous_numpy(W, cues[b])
            assert r.converged[b] == fixed
            if fixed:
                np.testing.assert_array_equal(r.states[b], expected)
                assert r.steps[b] == steps
        assert r.converged[:5].all()
        final = -0.5 * np.einsum("bi,ij,bj->b", r.states, W, r.states)
        np.testing.assert_allclose(r.energy_trace[-1], final, rtol=1e-12)


def test_classical_asynchronous_recall_never_raises_the_energy(rng):
    N = 40
    xi = bipolar(rng, 4, N)
    net = engram.ClassicalHopfield(hebbian_numpy(xi))
    assert net.rule is None and net.patterns.shape == (0, N)
    cues = bipolar(rng, 6, N)
    cues[:, :5] = 0  # unknown units
    r = net.recall(cues, seed=7)
    assert r.states.shape == (6, N) and r.states.dtype == np.float64
    assert r.energy_trace.shape[1] == 6
    assert np.all(np.diff(r.energy_trace, axis=0) <= 1e-12)
    assert r.converged.all() and set(np.unique(r.states)) <= {-1.0, 1.0}
    # Converged states are fixed points: every field agrees with its unit or is 0.
    h = r.states @ net.W
    assert np.all((h * r.states >= 0))
    # Same seed, same result; the rows are independent of each other.
    again = net.recall(cues[3:4], seed=7)
    np.testing.assert_array_equal(again.states[0], r.states[3])


# ---------------------------------------------------------------- dense associative memory (M-13)


def test_dense_am_energy_and_update_match_the_equations(rng):
    K, D, n = 5, 12, 3
    xi = bipolar(rng, K, D)
    dam = engram.DenseAssociativeMemory(xi, "polynomial(n=3)")
    assert dam.interaction == engram.Interaction.polynomial(3)
    sigma = bipolar(rng, 4, D)
    np.testing.assert_allclose(dam.energy(sigma), -((sigma @ xi.T) ** n).sum(-1), rtol=1e-12)
    # One synchronous update: sigma_i <- sign(sum_mu F(xi_mu,i + h_mu) - F(-xi_mu,i + h_mu)) with
    # h_mu = sum_{j != i} xi_mu,j sigma_j, kept on a tie.
    expected = sigma.copy()
    for b in range(4):
        m = xi @ sigma[b]
        for i in range(D):
            h = m - xi[:, i] * sigma[b, i]
            diff = ((xi[:, i] + h) ** n - (-xi[:, i] + h) ** n).sum()
            if diff != 0:
                expected[b, i] = np.sign(diff)
    np.testing.assert_array_equal(dam.update(sigma), expected)
    # Rectified polynomial F(m) = max(m, 0)^n.
    rect = engram.DenseAssociativeMemory(xi, engram.Interaction.rectified_polynomial(2.5))
    np.testing.assert_allclose(
        rect.energy(sigma), -(np.maximum(sigma @ xi.T, 0) ** 2.5).sum(-1), rtol=1e-12
    )
    # Asynchronous recall from a stored pattern with two flips never raises the energy.
    cue = xi[1].copy()
    cue[:2] *= -1
    r = dam.recall(cue)
    assert r.states.shape == (D,) and np.all(np.diff(r.energy_trace) <= 1e-9)
    assert dam.graph().layers[0].name == "v"


# ---------------------------------------------------------------- continuous Hopfield (M-11)


def test_continuous_tanh_energy_matches_the_closed_form(rng, dtype):
    N, gain = 6, 1.7
    A = rng.standard_normal((N, N))
    W = ((A + A.T) / 2).astype(dtype)
    b = rng.standard_normal(N).astype(dtype)
    net = engram.ContinuousHopfield(W, b, activation="tanh", gain=gain)
    assert net.dtype == dtype and net.b.shape == (N,) and net.activation == "tanh"
    V = rng.uniform(-0.95, 0.95, (3, N)).astype(dtype)
    W64, b64, V64 = W.astype(np.float64), b.astype(np.float64), V.astype(np.float64)
    # int_0^V atanh(s)/gain ds = (1/gain) 1/2 [(1+V) ln(1+V) + (1-V) ln(1-V)]
    integral = 0.5 * ((1 + V64) * np.log1p(V64) + (1 - V64) * np.log1p(-V64)) / gain
    expected = -0.5 * np.einsum("bi,ij,bj->b", V64, W64, V64) - V64 @ b64 + integral.sum(-1)
    np.testing.assert_allclose(net.energy(V), expected, rtol=tol(dtype), atol=tol(dtype))
    u = np.arctanh(V64) / gain
    np.testing.assert_allclose(net.output(u.astype(dtype)), V64, rtol=tol(dtype), atol=tol(dtype))
    loose = 10 * tol(dtype)
    np.testing.assert_allclose(
        net.energy_of_internal(u.astype(dtype)), expected, rtol=loose, atol=loose
    )


def test_continuous_asynchronous_map_never_raises_the_energy(rng):
    xi = bipolar(rng, 3, 16)
    net = engram.ContinuousHopfield.from_patterns(xi, activation="tanh", gain=4.0)
    assert np.all(np.diag(net.W) == 0)
    r = net.recall(bipolar(rng, 4, 16) * 0.5, mode="discrete_asynchronous", seed=3)
    assert r.states.shape == (4, 16)
    assert np.all(np.diff(r.energy_trace, axis=0) <= 1e-10)
    np.testing.assert_allclose(r.energy_trace[-1], net.energy(r.states), rtol=1e-10)


# ---------------------------------------------------------------- linear associative memory (M-14)


def test_linear_am_recall_is_one_linear_map(rng):
    V = rng.standard_normal((3, 6))
    am = engram.LinearAssociativeMemory.auto_associative(V)
    np.testing.assert_allclose(am.W, V.T @ V, rtol=1e-12)
    c = rng.standard_normal((4, 6))
    r = am.recall(c)
    np.testing.assert_allclose(r.states, c @ am.W.T, rtol=1e-12)
    assert r.steps.tolist() == [1] * 4 and r.converged.all() and r.energy_trace.shape == (2, 4)
    np.testing.assert_allclose(r.energy_trace[0], -0.5 * np.einsum("bi,ij,bj->b", c, am.W, c))
    unit = am.recall(c, normalization="unit_norm").states
    np.testing.assert_allclose(unit, r.states / np.linalg.norm(r.states, axis=1, keepdims=True))
    X, Y = rng.standard_normal((3, 5)), rng.standard_normal((3, 2))
    hetero = engram.LinearAssociativeMemory.hetero_associative(X, Y)
    assert (hetero.key_size, hetero.value_size, hetero.is_auto_associative) == (5, 2, False)
    np.testing.assert_allclose(hetero.recall(X[0]).states, Y.T @ X @ X[0], rtol=1e-12)


# ---------------------------------------------------------------- seed 001's graphs (M-05, M-06)


def test_conditional_memory_classifies_and_generates(rng):
    D, C = 6, 2
    centres = np.array([[2.0] * 3 + [-2.0] * 3, [-2.0] * 3 + [2.0] * 3])
    labels = np.array([0, 0, 1, 1])
    images = centres[labels] + 0.1 * rng.standard_normal((4, D))
    cm = engram.ConditionalMemory(D, C, beta=2.0, max_steps=3000)
    assert cm.lam is None and cm.size == 0
    with pytest.raises(ValueError, match="insert"):
        cm.graph()
    cm.insert(images, labels)
    assert cm.size == 4 and cm.lam > 1 and cm.memory_labels.tolist() == [0, 0, 1, 1]
    c = cm.classify(images)
    assert c.labels.tolist() == [0, 0, 1, 1] and c.probabilities.shape == (4, C)
    np.testing.assert_allclose(c.probabilities.sum(-1), 1.0, rtol=1e-12)
    assert isinstance(c.relax, engram.RelaxResult)
    g = cm.generate(1)
    assert g.images.shape == (D,)
    # The generated image lies near the memories of class 1, not class 0.
    assert np.linalg.norm(g.images - centres[1]) < np.linalg.norm(g.images - centres[0])
    assert [layer.name for layer in cm.graph().layers] == ["x", "y", "z"]


def test_bipartite_memory_graph_has_the_seed_001_energy(rng):
    K, D = 4, 5
    Xi = rng.uniform(0, 1, (K, D))
    g = engram.bipartite_memory_graph(Xi, engram.Softmax(beta=1.0))
    assert [layer.name for layer in g.layers] == ["v", "m"] and g.layers[0].size == D
    s = g.state(v=rng.standard_normal((2, D)), m=rng.standard_normal((2, K)))
    act = g.activations(s)
    np.testing.assert_allclose(
        g.energy_terms(s)["xi"], -np.einsum("bk,kd,bd->b", act["m"], Xi, act["v"]), rtol=1e-12
    )
    # The default visible layer is a sigmoid with beta = 1/(2D).
    np.testing.assert_allclose(act["v"], 1 / (1 + np.exp(-s["v"] / (2 * D))), rtol=1e-12)


# ---------------------------------------------------------------- dtypes, views, threads


def test_float32_models_return_float32_and_dtype_can_be_forced(rng):
    xi = bipolar(rng, 3, 16)
    net32 = engram.ClassicalHopfield.from_patterns(xi.astype(np.float32))
    assert net32.dtype == np.float32 and net32.W.dtype == np.float32
    assert net32.recall(xi).states.dtype == np.float32  # a float64 cue is converted once
    forced = engram.ModernHopfield(xi, beta=1.0, dtype="float32")
    assert forced.dtype == np.float32 and forced.retrieve(xi).states.dtype == np.float32
    assert engram.DenseAssociativeMemory(xi.astype(int)).dtype == np.float64


def test_parameters_are_read_only_views_that_keep_the_model_alive(rng):
    net = engram.ContinuousHopfield.from_patterns(bipolar(rng, 2, 8))
    W = net.W
    assert not W.flags.writeable and W.base is not None
    with pytest.raises(ValueError):
        W[0, 1] = 5.0
    expected = W.copy()
    del net
    np.testing.assert_array_equal(W, expected)


def test_recall_runs_in_parallel_threads(rng):
    xi = bipolar(rng, 5, 64)
    net = engram.ModernHopfield(xi, beta=0.3)
    cues = xi + 0.3 * rng.standard_normal(xi.shape)
    expected = net.retrieve(cues).states
    results = [None] * 4

    def work(k):
        results[k] = net.retrieve(cues).states

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_every_class_has_a_useful_repr_and_docstring(rng):
    xi = bipolar(rng, 2, 8)
    models = [
        engram.ClassicalHopfield.from_patterns(xi),
        engram.ContinuousHopfield.from_patterns(xi),
        engram.ModernHopfield(xi, beta=2.0),
        engram.DenseAssociativeMemory(xi),
        engram.LinearAssociativeMemory.auto_associative(xi),
        engram.ConditionalMemory(8, 2),
        engram.lse_partial(xi, xi, 1.0),
    ]
    for model in models:
        name = type(model).__name__
        assert repr(model).startswith(f"engram.{name}(")
        assert "(" in type(model).__doc__ and len(type(model).__doc__) > 200
    assert "Retrieval" in repr(models[2].retrieve(xi))
    assert "softmax" in engram.ModernHopfield.update.__doc__
