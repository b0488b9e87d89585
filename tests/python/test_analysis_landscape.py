"""Landscape analysis (SPEC M-22..M-26, M-28) from Python: fixed points, stability, basins, barriers
and attractor kinds on systems whose answers are derived by hand, with fields built from Python
callables (engram.FunctionField)."""

import math

import numpy as np
import pytest

import engram


def cubic():
    """x' = x - x^3 = -E'(x), E = x^4/4 - x^2/2; J = 1 - 3x^2."""
    return engram.FunctionField(
        1,
        lambda x: x - x**3,
        energy=lambda x: x[0] ** 4 / 4 - x[0] ** 2 / 2,
        jacobian=lambda x: np.array([[1 - 3 * x[0] ** 2]]),
    )


def seed002_eq9(jacobian=False):
    """Seed 002 eq. 9: x' = -0.4x + 0.02xy, y' = 0.8y - 0.01y^2 x - 0.1xy."""

    def rate(v):
        x, y = v
        return [-0.4 * x + 0.02 * x * y, 0.8 * y - 0.01 * y * y * x - 0.1 * x * y]

    def jac(v):
        x, y = v
        return np.array([[-0.4 + 0.02 * y, 0.02 * x], [-0.01 * y * y - 0.1 * y, 0.8 - 0.02 * x * y - 0.1 * x]])

    return engram.FunctionField(2, rate, jacobian=jac if jacobian else None, names=["x", "y"])


def double_well(c=0.0):
    """E = (x^2 - 1)^2 + (y - c(1 - x^2))^2: minima (+-1, 0) at E = 0, saddle (0, c) at E = 1; the
    straight path y = 0 peaks at E(0, 0) = 1 + c^2."""

    def energy(v):
        x, y = v
        return (x * x - 1) ** 2 + (y - c * (1 - x * x)) ** 2

    def gradient(v):
        x, y = v
        u = y - c * (1 - x * x)
        return np.array([4 * x * (x * x - 1) + 4 * c * x * u, 2 * u])

    return engram.FunctionField(2, lambda v: -gradient(v), energy=energy, energy_gradient=gradient)


def test_fixed_points_of_the_cubic():
    points = engram.find_fixed_points(cubic(), [-2.0], [2.0], starts=16, seed=1)
    assert [p.kind for p in points] == ["stable_node", "unstable_node", "stable_node"]
    np.testing.assert_allclose([p.x[0] for p in points], [-1, 0, 1], atol=1e-12)
    np.testing.assert_allclose([p.eigenvalues[0] for p in points], [-2, 1, -2], atol=1e-12)
    np.testing.assert_allclose([p.energy for p in points], [-0.25, 0, -0.25], atol=1e-12)
    assert all(p.residual <= 1e-12 for p in points)
    assert sum(p.hits for p in points) <= 16


@pytest.mark.parametrize("analytic", [False, True], ids=["numerical", "analytic"])
def test_seed002_eq9_fixed_points_and_eigenvalues(analytic):
    """M-28. x' = x(-0.4 + 0.02y) = 0 gives x = 0 or y = 20. x = 0: y' = 0.8y = 0, so (0, 0).
    y = 20: y' = 20(0.8 - 0.3x) = 0, so x = 8/3. J = [[-0.4 + 0.02y, 0.02x],
    [-0.01y^2 - 0.1y, 0.8 - 0.02xy - 0.1x]]: at (0, 0) diag(-0.4, 0.8), a saddle; at (8/3, 20)
    [[0, 4/75], [-6, -8/15]], trace -8/15, det 8/25, lambda = -4/15 +- i 2 sqrt(14)/15, a stable
    spiral. (The seed prints 0.8 - 2.8i near (6, 20), which is not a fixed point.)"""
    points = engram.find_fixed_points(seed002_eq9(analytic), [-1, -1], [10, 30], starts=40)
    assert len(points) == 2
    origin, spiral = points
    tol = 1e-10 if analytic else 1e-7
    np.testing.assert_allclose(origin.x, [0, 0], atol=1e-10)
    assert origin.kind == "saddle" and origin.energy is None
    np.testing.assert_allclose(origin.eigenvalues, [0.8, -0.4], atol=tol)
    np.testing.assert_allclose(spiral.x, [8 / 3, 20], atol=1e-10)
    assert spiral.kind == "stable_spiral"
    expected = [complex(-4 / 15, 2 * math.sqrt(14) / 15), complex(-4 / 15, -2 * math.sqrt(14) / 15)]
    np.testing.assert_allclose(spiral.eigenvalues, expected, atol=tol)
    assert spiral.eigenvalues.dtype == np.complex128


def test_classification_strings_and_stability():
    assert engram.classify([-1, -2]) == "stable_node"
    assert engram.classify([complex(-0.5, 1), complex(-0.5, -1)]) == "stable_spiral"
    assert engram.classify([1, -2]) == "saddle"
    assert engram.classify([1, 3]) == "unstable_node"
    assert engram.classify([complex(0.1, 1), complex(0.1, -1)]) == "unstable_spiral"
    assert engram.classify([2j, -2j]) == "center"
    assert engram.classify([0, -1]) == "non_hyperbolic"
    assert engram.classify([1e-9, -1]) == "non_hyperbolic"
    assert engram.classify([1e-9, -1], zero_tol=1e-10) == "saddle"
    assert engram.spectral_radius([3, 4j]) == pytest.approx(4)
    s = engram.stability(seed002_eq9(True), [8 / 3, 20])
    assert s.kind == "stable_spiral" and s.analytic_jacobian
    assert s.spectral_radius == pytest.approx(math.sqrt(8 / 25), rel=1e-12)  # |lambda|^2 = det J
    np.testing.assert_allclose(s.jacobian, [[0, 4 / 75], [-6, -8 / 15]], atol=1e-12)
    np.testing.assert_allclose(engram.eigenvalues(np.diag([1.0, -3.0])), [1, -3])
    np.testing.assert_allclose(engram.jacobian_at(seed002_eq9(), [0, 0]), np.diag([-0.4, 0.8]), atol=1e-9)


def test_jacobian_check_finds_a_wrong_jacobian():
    good = engram.jacobian_check(seed002_eq9(True), [2.5, 17])
    assert good.has_analytic and good.max_rel_error < 1e-7
    wrong = engram.FunctionField(1, np.sin, jacobian=lambda x: np.array([[-np.cos(x[0])]]))
    bad = engram.jacobian_check(wrong, [0.3])
    assert bad.max_abs_error == pytest.approx(2 * math.cos(0.3), rel=1e-7)


def test_basin_fractions_of_the_cubic_are_halves():
    # Each 95% interval covers 1/2 for about 19 seeds in 20 (seed 5, 118 of 200, is one that misses).
    b = engram.basin_fractions(cubic(), [[-1.0], [1.0]], [-2.0], [2.0], samples=200, seed=0)
    assert b.samples == 200 and b.counts.sum() == 200 and b.unreached == 0
    assert np.all(b.lower <= 0.5) and np.all(b.upper >= 0.5)
    np.testing.assert_allclose(b.fractions.sum(), 1.0)


def test_basin_map_and_picture(tmp_path):
    """x' = x - x^3, y' = -y: x < 0 drains to (-1, 0), x > 0 to (1, 0)."""
    field = engram.FunctionField(2, lambda v: np.array([v[0] - v[0] ** 3, -v[1]]))
    labels = engram.basin_map(field, np.array([[-1.0, 0], [1.0, 0]]), (-2, 2), (-1, 1), (6, 3))
    assert labels.shape == (3, 6) and labels.dtype == np.int32
    assert (labels == np.array([0, 0, 0, 1, 1, 1])).all()
    engram.write_basin_map(tmp_path / "basins.png", labels, scale=4)
    assert (tmp_path / "basins.png").read_bytes()[1:4] == b"PNG"


def test_landscape_of_the_pendulum():
    """theta' = w, w' = -sin(theta) - w/2, E = w^2/2 - cos(theta): in [-4, 4] saddles at +-pi
    (E = 1) and the well at 0 (E = -1)."""
    field = engram.FunctionField(
        2, lambda v: np.array([v[1], -np.sin(v[0]) - 0.5 * v[1]]), energy=lambda v: v[1] ** 2 / 2 - np.cos(v[0])
    )
    points = engram.find_fixed_points(field, [-4, -2], [4, 2], starts=24)
    assert [p.kind for p in points] == ["saddle", "stable_spiral", "saddle"]
    land = engram.landscape(field, points)
    assert (land.attractor_count, land.saddle_count, land.deepest) == (1, 2, 1)
    assert land.barrier == pytest.approx(2.0, abs=1e-10)
    assert math.isnan(land.energy_gap)


def test_neb_barrier_of_the_double_well(tmp_path):
    r = engram.nudged_elastic_band(double_well(), [-1, 0], [1, 0], images=9)
    assert r.converged and r.saddle_confirmed
    assert r.barrier == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(r.saddle, [0, 0], atol=1e-8)
    np.testing.assert_allclose(r.hessian_eigenvalues, [-4, 2], atol=1e-5)
    curved = engram.nudged_elastic_band(double_well(c=1.0), [-1, 0], [1, 0], images=9)
    assert curved.converged and curved.barrier == pytest.approx(1.0, abs=1e-8)
    assert curved.linear_barrier == pytest.approx(2.0, abs=1e-12)  # the straight path overestimates
    engram.write_neb_profile(tmp_path / "profile.csv", curved, names=["x", "y"])
    lines = (tmp_path / "profile.csv").read_text().splitlines()
    assert lines[0] == "image,arc_length,energy,x,y" and len(lines) == 10


def test_limit_cycle_of_van_der_pol():
    """mu = 1: period 6.6632868593, x peaks at +-2.0086198607 (the standard values)."""
    field = engram.FunctionField(2, lambda v: np.array([v[1], (1 - v[0] ** 2) * v[1] - v[0]]))
    c = engram.detect_limit_cycle(field, [0.5, 0.0], transient=20, t_max=50)
    assert c.found and c.status == "periodic"
    assert c.period == pytest.approx(6.6632868593, abs=1e-6)
    assert c.amplitude[0] == pytest.approx(4.0172397215, abs=1e-6)
    assert c.cycle.shape[1] == 2
    damped = engram.FunctionField(2, lambda v: np.array([v[1], -v[0] - 0.5 * v[1]]))
    # Amplitude e^{-t/4}: still 1e-5 at t = 45 ('irregular': settling), below 1e-6 by t = 75.
    assert engram.detect_limit_cycle(damped, [1, 0], 0, 60).status == "irregular"
    assert engram.detect_limit_cycle(damped, [1, 0], 0, 100).status == "fixed_point"


def test_continuous_attractors_line_and_ring():
    """A = [[-1, 1], [1, -1]] (eigenvalues 0 along (1, 1), -2): the line x = y is fixed.
    (x, y)' = (1 - r^2)(x, y): the unit circle is fixed, eigenvalue 0 along it, -2 across."""
    line_field = engram.FunctionField(2, lambda v: np.array([[-1.0, 1.0], [1.0, -1.0]]) @ v)
    line = engram.continuous_attractor(line_field, engram.find_fixed_points(line_field, [-2, -2], [2, 2], starts=20))
    assert line.found and line.shape == "line" and line.attracting
    np.testing.assert_allclose(abs(line.direction), [math.sqrt(0.5)] * 2, atol=1e-9)
    ring_field = engram.FunctionField(2, lambda v: (1 - v @ v) * v)
    points = engram.find_fixed_points(ring_field, [-1.5, -1.5], [1.5, 1.5], starts=60)
    ring = engram.continuous_attractor(ring_field, points)
    assert ring.found and ring.shape == "ring" and ring.attracting, ring.reason
    assert ring.radius == pytest.approx(1.0, abs=1e-9)
    assert len(ring.members) == len(points) - 1  # all but the repelling origin
    isolated = engram.continuous_attractor(cubic(), engram.find_fixed_points(cubic(), [-2], [2]))
    assert not isolated.found and "zero eigenvalue" in isolated.reason


def test_bad_input_raises():
    f = seed002_eq9()
    with pytest.raises(ValueError, match="expected 2 values"):
        engram.find_fixed_points(f, [], [])
    with pytest.raises(ValueError, match="lower must be below upper"):
        engram.find_fixed_points(f, [0, 1], [1, 1])
    with pytest.raises(ValueError, match="no starts"):
        engram.find_fixed_points(f, [0, 0], [1, 1], starts=0)
    with pytest.raises(ValueError, match="NaN"):
        engram.stability(f, [np.nan, 1.0])
    with pytest.raises(ValueError, match="no energy"):
        engram.nudged_elastic_band(f, [0, 0], [1, 1])
    with pytest.raises(ValueError, match="at least one attractor"):
        engram.basin_fractions(f, [], [0, 0], [1, 1])
    with pytest.raises(ValueError, match="attractors: expected points of 2 values"):
        engram.basin_fractions(f, np.zeros((2, 3)), [0, 0], [1, 1])
    with pytest.raises(ValueError, match="euler, rk4"):
        engram.basin_map(f, [[0, 0]], (0, 1), (0, 1), 2, method="leapfrog")
    with pytest.raises(ValueError, match="fire or gradient_descent"):
        engram.nudged_elastic_band(double_well(), [-1, 0], [1, 0], optimizer="lbfgs")
    with pytest.raises(ValueError, match="t_max"):
        engram.detect_limit_cycle(f, [1, 1], transient=5, t_max=5)
    with pytest.raises(TypeError, match="vector field"):
        engram.find_fixed_points("not a field", [0], [1])
    with pytest.raises(TypeError, match="callable"):
        engram.FunctionField(1, 3.0)
    wrong_size = engram.FunctionField(2, lambda v: [1.0])
    with pytest.raises(ValueError, match="returned 1 values, expected 2"):
        engram.stability(wrong_size, [0, 0])


def test_python_errors_in_callables_propagate():
    def rate(x):
        raise ZeroDivisionError("inside rate")

    with pytest.raises(ZeroDivisionError, match="inside rate"):
        engram.find_fixed_points(engram.FunctionField(1, rate), [0], [1], starts=2)
