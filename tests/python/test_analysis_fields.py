"""Vector fields, integrators and Lyapunov checks (SPEC M-20, M-21) from Python: closed forms,
NumPy evaluations of the same formulas, NumPy finite differences of the rates, Python callables
inside the GIL-free integrators, and the errors bad input raises."""

import threading

import numpy as np
import pytest

import engram


def central_jacobian(f, x, h=1e-6):
    """df/dx by NumPy central differences, one column per coordinate."""
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h * (1 + abs(x[j]))
        cols.append((f(x + e) - f(x - e)) / (2 * e[j]))
    return np.stack(cols, axis=1)


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_linear_field_matches_the_damped_rotation():
    # dx/dt = A x, A = [[-a, w], [-w, -a]]: x(t) = e^{-at} R(-wt) x0.
    a, w = 0.1, 2.0
    field = engram.LinearField(np.array([[-a, w], [-w, -a]]))
    x0 = np.array([1.0, -0.5])
    t = np.array([0.0, 0.3, 2.0, 7.5])
    c, s = np.cos(w * t), np.sin(w * t)
    exact = np.exp(-a * t)[:, None] * np.stack([c * x0[0] + s * x0[1], -s * x0[0] + c * x0[1]], 1)
    np.testing.assert_allclose(field.solution(x0, t), exact, atol=1e-12)
    np.testing.assert_allclose(field.solution(x0, 2.0), exact[2], atol=1e-12)
    assert field.has_jacobian and not field.has_energy and field.dim == 2
    np.testing.assert_array_equal(field.jacobian(x0), field.A)
    tr = engram.integrate(field, x0, 7.5, rel_tol=1e-10, abs_tol=1e-12)
    assert tr.status == "finished" and tr.energy is None
    np.testing.assert_allclose(tr.final_state, exact[3], atol=1e-8)
    assert tr.x.shape == (len(tr.t), 2) and tr.names == ["x0", "x1"]
    with pytest.raises(ValueError, match="not diagonalisable"):
        engram.LinearField(np.array([[1.0, 1.0], [0.0, 1.0]])).solution(x0, 1.0)


def test_equation_system_evaluates_like_numpy(rng):
    eq = engram.EquationSystem(
        "x' = -0.4*x + 0.02*x*y\ny' = 0.8*y - 0.01*y^2*x - 0.1*x*y + k*sin(x)",
        constants={"k": 0.25})
    assert eq.variables == eq.names == ["x", "y"]
    assert eq.constants == {"k": 0.25}

    def f(v):
        x, y = v
        return np.array([-0.4 * x + 0.02 * x * y, 0.8 * y - 0.01 * y**2 * x - 0.1 * x * y
                         + 0.25 * np.sin(x)])

    for p in rng.normal(0, 10, (5, 2)):
        np.testing.assert_allclose(eq.rate(p), f(p), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(eq.jacobian(p), central_jacobian(f, p), rtol=1e-6, atol=1e-8)
    assert not eq.has_jacobian
    np.testing.assert_allclose(engram.EquationSystem("z' = _pi").rate([0.0]), [np.pi], rtol=1e-16)


def test_equation_system_errors_name_the_problem():
    with pytest.raises(ValueError,
                       match=r"unknown variable 'z' in the equation for y' \(variables: x, y\)"):
        engram.EquationSystem("x' = y; y' = z")
    with pytest.raises(ValueError,
                       match=r"syntax error in the equation for x' at position 4 of \"2 \* \* x\""):
        engram.EquationSystem("x' = 2 * * x")
    with pytest.raises(ValueError, match="variable 'x' is defined twice"):
        engram.EquationSystem("x' = 1; x' = 2")
    with pytest.raises(ValueError, match="no equations"):
        engram.EquationSystem("  # nothing here\n")
    with pytest.raises(ValueError, match="unknown function 'sine'"):
        engram.EquationSystem("x' = sine(x)")
    with pytest.raises(ValueError, match=r"expected 2 values, got 3"):
        engram.EquationSystem("x' = y; y' = -x").rate([1.0, 2.0, 3.0])


def seed001_graph(xi, dtype="float64"):
    g = engram.EnergyGraph(dtype=dtype)
    g.add_layer("v", xi.shape[1], engram.Sigmoid(beta=0.5))
    g.add_layer("m", xi.shape[0], engram.Softmax(beta=2.0), tau=0.5)
    g.add_layer("y", 2, engram.Tanh(beta=1.5), tau=2.0)
    g.add_synapse("xi", ["m", "v"], engram.DenseSynapse(xi))
    g.add_synapse("label", ["m", "y"], engram.LabelSynapse(np.abs(xi[:, :2]), 1.5))
    return g


def test_graph_field_jacobian_matches_numpy_differences(rng):
    xi = rng.standard_normal((4, 5))
    g = seed001_graph(xi)
    field = engram.GraphField(g, clamped={"y": np.array([0.3, -0.2])})
    assert field.dim == 9 and field.free_layers == ["v", "m"]
    assert field.names[:2] == ["v[0]", "v[1]"] and field.names[5] == "m[0]"
    x = rng.standard_normal(9)
    # The rate by hand: f_v = -(v - xi^T mhat), f_m = -(m - xi vhat - lambda theta yhat) / 0.5.
    v, m = x[:5], x[5:]
    vhat, mhat = 1 / (1 + np.exp(-0.5 * v)), softmax(2.0 * m)
    yhat = np.tanh(1.5 * np.array([0.3, -0.2]))
    f = np.concatenate([-(v - xi.T @ mhat),
                        -(m - xi @ vhat - 1.5 * np.abs(xi[:, :2]) @ yhat) / 0.5])
    np.testing.assert_allclose(field.rate(x), f, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(field.jacobian(x), central_jacobian(field.rate, x),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(field.energy_gradient(x), central_jacobian(
        lambda z: np.array([field.energy(z)]), x)[0], rtol=1e-6, atol=1e-8)
    state = g.zeros(1)
    for name, value in field.state(x).items():
        state[name] = value
    np.testing.assert_allclose(field.energy(x), g.energy(state)[0], rtol=1e-13)
    np.testing.assert_array_equal(field.free_state(state), x)
    np.testing.assert_array_equal(field.free_state({"v": v, "m": m}), x)
    grads = g.grad(state)
    np.testing.assert_allclose(field.rate(x)[5:], -grads["m"][0] / 0.5, rtol=1e-13)
    with pytest.raises(ValueError,
                       match=r"cannot clamp 'q': the graph has no such layer \(layers: v, m, y\)"):
        engram.GraphField(g, clamped={"q": [1.0]})


def test_graph_field_of_a_float32_graph_is_computed_in_double(rng):
    xi = rng.standard_normal((4, 5)).astype(np.float32)
    x = rng.standard_normal(11)
    f32 = engram.GraphField(seed001_graph(xi, "float32"))
    f64 = engram.GraphField(seed001_graph(xi.astype(np.float64)))
    np.testing.assert_array_equal(f32.rate(x), f64.rate(x))
    np.testing.assert_array_equal(f32.jacobian(x), f64.jacobian(x))


def test_integrate_a_python_callable_field():
    # The harmonic oscillator x'' = -x with E = (x^2 + v^2)/2: x(t) = cos t from (1, 0).
    calls = []

    def rate(z):
        calls.append(1)
        return np.array([z[1], -z[0]])

    field = engram.FunctionField(2, rate, jacobian=lambda z: np.array([[0.0, 1.0], [-1.0, 0.0]]),
                                 energy=lambda z: 0.5 * float(z @ z), names=["x", "v"])
    assert field.has_jacobian and field.has_energy and field.names == ["x", "v"]
    for method in ["dopri5", "rk4", "rosenbrock"]:
        tr = engram.integrate(field, [1.0, 0.0], 3.0, method=method, dt=1e-3)
        assert tr.status == "finished", method
        np.testing.assert_allclose(tr.final_state, [np.cos(3.0), -np.sin(3.0)], atol=1e-5)
        np.testing.assert_allclose(tr.energy, 0.5, atol=1e-5)
    assert len(calls) > 100
    stopped = engram.integrate(field, [1.0, 0.0], 10.0, stop=lambda t, z: z[0] < 0)
    assert stopped.status == "stopped" and stopped.t[-1] < np.pi / 2 + 0.2

    # Errors raised by the callable come back as themselves; a wrong size is a ValueError.
    def broken(z):
        raise KeyError("no rate here")

    with pytest.raises(KeyError, match="no rate here"):
        engram.integrate(engram.FunctionField(1, broken), [1.0], 1.0)
    with pytest.raises(ValueError, match="rate returned 3 values, expected 2"):
        engram.integrate(engram.FunctionField(2, lambda z: np.ones(3)), [1.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="integrate: x0: expected 2 values, got 1"):
        engram.integrate(field, [1.0], 1.0)
    with pytest.raises(ValueError, match="euler, rk4, dopri5 or rosenbrock"):
        engram.integrate(field, [1.0, 0.0], 1.0, method="leapfrog")


def test_python_fields_integrate_from_several_threads():
    # integrate() runs without the GIL; each Python rate takes it back, so threads interleave.
    results = [None] * 4

    def run(k):
        field = engram.FunctionField(1, lambda z: -(k + 1.0) * z)
        results[k] = engram.integrate(field, [1.0], 1.0).final_state[0]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_allclose(results, np.exp(-np.arange(1.0, 5.0)), rtol=1e-6)


def test_continuous_hopfield_field_and_energy_decay(rng):
    W = rng.normal(0, 0.7, (6, 6))
    W = (W + W.T) / 2
    b = rng.normal(0, 0.2, 6)
    net = engram.ContinuousHopfield(W, b, activation="tanh", gain=2.0, tau=0.5)
    field = engram.ContinuousHopfieldField(net)
    u = rng.standard_normal(6)
    V = np.tanh(2.0 * u)
    np.testing.assert_allclose(field.rate(u), (-u + W @ V + b) / 0.5, rtol=1e-12)
    np.testing.assert_allclose(field.jacobian(u), (-np.eye(6) + W * (2.0 * (1 - V**2))) / 0.5,
                               rtol=1e-12)
    np.testing.assert_allclose(field.energy(u), net.energy(V), rtol=1e-10)
    report = engram.lyapunov_report(W, "tanh", gain=2.0)
    assert report.guaranteed and report.warnings == [] and bool(report)
    tr = engram.integrate(field, u, 10.0, record_every=0.05)
    decay = engram.check_energy_decay(tr.energy)
    assert decay.monotonic and decay.violations == 0 and decay.drop > 0
    assert decay.initial == tr.energy[0] and decay.final == tr.energy[-1]
    check = engram.check_gradient(field, u)
    assert check.passed and check.analytic and check.descent < 0


def test_asymmetric_networks_are_flagged_and_violations_counted():
    W = np.array([[1.5, 3.0], [-3.0, 1.5]])
    report = engram.lyapunov_report(W, engram.Tanh(beta=1.0))
    assert not report.guaranteed
    assert report.warnings == [
        "energy decrease is not guaranteed: W is not symmetric (max |W - W^T| = 6)"]
    tanh = engram.Tanh(beta=1.0)
    field = engram.FunctionField(
        2, lambda u: -u + W @ np.tanh(u),
        energy=lambda u: -0.5 * np.tanh(u) @ W @ np.tanh(u) + tanh.energy(u))
    tr = engram.integrate(field, [0.1, 0.0], 20.0, record_every=0.05)
    decay = engram.check_energy_decay(tr.energy)
    assert not decay.monotonic and decay.violations > 10 and decay.max_violation > 1e-3
    sym = engram.check_symmetry(W)
    assert not sym.symmetric and sym.max_asymmetry == 6.0 and sym.relative == 2.0
    assert engram.spectral_radius(W) == pytest.approx(np.abs(np.linalg.eigvals(W)).max(), rel=1e-13)
    wrong = engram.FunctionField(2, lambda x: x**2, jacobian=lambda x: np.diag(x))
    bad = engram.check_gradient(wrong, [1.0, 3.0])
    assert not bad.passed and bad.max_abs_error == pytest.approx(3.0, rel=1e-6)
    sync = engram.lyapunov_report(np.array([[0.0, 2.0], [2.0, 0.0]]), "tanh", mode="synchronous")
    assert not sync.guaranteed and "2-cycle" in sync.warnings[0]
    with pytest.raises(ValueError, match="mode: expected one of"):
        engram.lyapunov_report(W, "tanh", mode="sometimes")


def test_iterate_map_is_phi_of_the_field():
    W = np.array([[0.0, 0.8], [0.8, 0.0]])
    b, u0 = np.array([0.1, -0.2]), np.array([0.5, -1.0])
    tr = engram.iterate_map(W, b, engram.Tanh(beta=2.0), u0, 50, tolerance=1e-12)
    x0 = np.tanh(2.0 * u0)
    np.testing.assert_allclose(tr.x[0], x0, rtol=1e-15)
    np.testing.assert_allclose(tr.x[1], np.tanh(2.0 * (W @ x0 + b)), rtol=1e-15)
    # W's eigenvalue -0.8 is below -1/slope = -1/2: a 2-cycle along which E goes up and down,
    # as lyapunov_report warns. At beta = 1 (-0.8 >= -1) the energy falls.
    assert not engram.check_energy_decay(tr.energy, 1e-12).monotonic
    assert not engram.lyapunov_report(W, engram.Tanh(beta=2.0), mode="synchronous").guaranteed
    assert engram.lyapunov_report(W, "tanh", gain=1.0, mode="synchronous").guaranteed
    gentle = engram.iterate_map(W, b, engram.Tanh(beta=1.0), u0, 50)
    assert engram.check_energy_decay(gentle.energy, 1e-12).monotonic
