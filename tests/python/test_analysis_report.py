"""engram.analyze (the code behind `engram analyze`) and the phase plane, on systems whose fixed
points, eigenvalues and nullclines are derived by hand in the comments."""

import numpy as np
import pytest

import engram

EQ9 = "x' = -0.4*x + 0.02*x*y; y' = 0.8*y - 0.01*y^2*x - 0.1*x*y"


def test_analyze_seed_002_eq_9_finds_both_fixed_points_with_their_eigenvalues():
    # x(-0.4 + 0.02y) = 0 and y(0.8 - 0.01xy - 0.1x) = 0: (0, 0), and y = 20 gives 16 - 6x = 0,
    # x = 8/3. J(0,0) = diag(-0.4, 0.8): a saddle. J(8/3, 20) = [[0, 4/75], [-6, -8/15]]:
    # trace -8/15, det 8/25, lambda = -4/15 +- i 2 sqrt(14)/15: a stable spiral.
    report = engram.analyze(engram.EquationSystem(EQ9), [-1, -1], [10, 30], samples=50)
    points = sorted(report["fixed_points"], key=lambda p: p["x"][0])
    assert [p["classification"] for p in points] == ["saddle", "stable_spiral"]
    np.testing.assert_allclose(points[0]["x"], [0, 0], atol=1e-9)
    np.testing.assert_allclose(sorted(e[0] for e in points[0]["eigenvalues"]), [-0.4, 0.8], atol=1e-9)
    np.testing.assert_allclose(points[1]["x"], [8 / 3, 20], atol=1e-9)
    for re, im in points[1]["eigenvalues"]:
        assert re == pytest.approx(-4 / 15, abs=1e-7) and abs(im) == pytest.approx(2 * 14**0.5 / 15, abs=1e-7)
    assert report["variables"] == ["x", "y"] and report["basins"]["samples"] == 50
    assert report["landscape"]["attractors"] == [1] and report["landscape"]["saddles"] == [0]


def test_analyze_a_double_well_reports_its_barrier():
    # E = (x^2 - 1)^2 + y^2, dx/dt = -grad E: minima (+-1, 0), saddle (0, 0), barrier 1.
    energy = lambda v: (v[0] ** 2 - 1) ** 2 + v[1] ** 2
    gradient = lambda v: np.array([4 * v[0] * (v[0] ** 2 - 1), 2 * v[1]])
    well = engram.FunctionField(2, lambda v: -gradient(v), energy=energy, energy_gradient=gradient)
    report = engram.analyze(well, [-2, -1], [2, 1], samples=100, seed=3)
    kinds = sorted(p["classification"] for p in report["fixed_points"])
    assert kinds == ["saddle", "stable_node", "stable_node"]
    assert len(report["barriers"]) == 1
    barrier = report["barriers"][0]
    assert barrier["barrier"] == pytest.approx(1.0, abs=1e-6)
    assert barrier["saddle_confirmed_first_order"]
    np.testing.assert_allclose(barrier["saddle"], [0, 0], atol=1e-4)
    fractions = [a["fraction"] for a in report["basins"]["attractors"]]
    assert sum(fractions) == pytest.approx(1.0) and all(0.3 < f < 0.7 for f in fractions)


def test_nullclines_and_direction_field_follow_the_equations():
    # x' = 1 - x^2 - y^2 vanishes on the unit circle; y' = x - y on the diagonal.
    field = engram.EquationSystem("x' = 1 - x^2 - y^2; y' = x - y")
    circle = engram.nullcline(field, 0, (-2, 2), (-2, 2), resolution=100)
    assert circle.shape[1:] == (2, 2) and len(circle) > 100
    np.testing.assert_allclose(np.linalg.norm(circle, axis=2), 1.0, atol=2e-3)
    diagonal = engram.nullcline(field, 1, (-1, 3), (-1, 3), resolution=40)
    np.testing.assert_allclose(diagonal[:, :, 0], diagonal[:, :, 1], atol=1e-12)
    arrows = engram.direction_field(field, (0, 1), (-1, 1), resolution=3)
    assert arrows.shape == (9, 4)
    np.testing.assert_allclose(arrows[5], [1, 0, 0, 1])  # at (1, 0): f = (0, 1)


def test_analysis_input_errors_name_the_problem():
    field = engram.EquationSystem(EQ9)
    with pytest.raises(ValueError, match="analyze: lower"):
        engram.analyze(field, [0], [1])
    with pytest.raises(ValueError, match="lower|upper|bound"):
        engram.analyze(field, [1, 1], [0, 0])
    with pytest.raises(TypeError, match="vector field"):
        engram.analyze("x' = -x", [0], [1])
    with pytest.raises(ValueError, match="2-D"):
        engram.nullcline(engram.EquationSystem("x' = -x"), 0, (0, 1), (0, 1))
