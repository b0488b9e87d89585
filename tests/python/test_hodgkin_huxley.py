"""The Hodgkin-Huxley neuron (SPEC M-27) against NumPy: the rate functions and the vector field
written from the equations (each gate with its own variable), the Jacobian by central differences,
the resting state, firing below and above threshold, the f-I curve, and the errors."""

import threading

import numpy as np
import pytest

import engram

E_NA, E_K, E_L, G_NA, G_K, G_L = 50.0, -77.0, -54.387, 120.0, 36.0, 0.3


def numpy_rates(V):
    """alpha, beta per gate from the standard formulas (V away from -40 and -55)."""
    return {
        "m": (0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10)), 4 * np.exp(-(V + 65) / 18)),
        "h": (0.07 * np.exp(-(V + 65) / 20), 1 / (1 + np.exp(-(V + 35) / 10))),
        "n": (0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10)), 0.125 * np.exp(-(V + 65) / 80)),
    }


def numpy_field(x, I=0.0):
    V, m, h, n = x
    r = numpy_rates(V)
    dV = I - G_NA * m**3 * h * (V - E_NA) - G_K * n**4 * (V - E_K) - G_L * (V - E_L)
    return np.array([dV] + [r[g][0] * (1 - v) - r[g][1] * v for g, v in zip("mhn", (m, h, n))])


def test_rate_functions_match_numpy_and_their_limits():
    V = np.linspace(-100, 50, 301) + 0.0123  # misses the removable singular points
    expected = numpy_rates(V)
    for gate in "mhn":
        alpha, beta = engram.HodgkinHuxley.gate_rates(gate, V)
        np.testing.assert_allclose(alpha, expected[gate][0], rtol=1e-12)
        np.testing.assert_allclose(beta, expected[gate][1], rtol=1e-12)
    # At the singular points the limits: alpha_m(-40) = 1, alpha_n(-55) = 0.1, and continuity.
    assert engram.HodgkinHuxley.gate_rates("m", -40.0)[0] == 1.0
    assert engram.HodgkinHuxley.gate_rates("n", -55.0)[0] == pytest.approx(0.1, rel=1e-15)
    near = np.array([-40 - 1e-7, -40 + 1e-7])
    alpha = engram.HodgkinHuxley.gate_rates("m", near)[0]
    np.testing.assert_allclose(alpha, 1 + np.array([-1, 1]) * 0.5e-8, rtol=1e-12)  # 1 + u/2


def test_vector_field_and_jacobian_match_numpy(rng):
    hh = engram.HodgkinHuxley(current=3.0)
    states = np.column_stack([rng.uniform(-90, 40, 20), rng.uniform(0, 1, (20, 3))])
    np.testing.assert_allclose(hh.rate(states), [numpy_field(x, 3.0) for x in states], rtol=1e-12, atol=1e-12)
    # Each gate is driven by its own variable: changing n leaves dm/dt and dh/dt alone.
    x = states[0].copy()
    y = x.copy()
    y[3] = 1 - x[3]
    assert hh.rate(x)[1] == hh.rate(y)[1] and hh.rate(x)[2] == hh.rate(y)[2]
    for x in states[:5]:
        step = 1e-6 * (1 + np.abs(x))
        numeric = np.column_stack(
            [(numpy_field(x + e, 3.0) - numpy_field(x - e, 3.0)) / (2 * e.sum()) for e in np.diag(step)]
        )
        np.testing.assert_allclose(hh.jacobian(x), numeric, rtol=1e-6, atol=1e-6)


def test_resting_state_is_a_steady_state_near_minus_65():
    hh = engram.HodgkinHuxley()
    rest = hh.resting_state()
    assert rest[0] == pytest.approx(-65.0, abs=0.05)
    for gate, value in zip("mhn", rest[1:]):
        alpha, beta = engram.HodgkinHuxley.gate_rates(gate, rest[0])
        assert value == pytest.approx(alpha / (alpha + beta), rel=1e-14)
    assert np.abs(hh.rate(rest)).max() < 1e-12
    assert hh.ionic_current(rest) == pytest.approx(0.0, abs=1e-12)
    assert hh.steady_states(10.0).shape == (1, 4)
    assert hh.parameters == dict(C=1.0, g_na=120.0, g_k=36.0, g_l=0.3, e_na=50.0, e_k=-77.0, e_l=-54.387)
    assert engram.HodgkinHuxley(e_l=-60.0).resting_state()[0] < rest[0]  # a lower leak reversal


def test_no_spikes_below_threshold_and_repetitive_firing_above():
    hh = engram.HodgkinHuxley()
    for I in (0.0, 2.0):
        run = hh.simulate(I, ms=100)
        assert len(run.spikes) == 0 and run.V.max() < -55
    run = hh.simulate(10.0, ms=300, record_every=0.05)
    assert run.status == "finished" and run.t[-1] == 300.0 and run.x.shape == (len(run.t), 4)
    np.testing.assert_array_equal(run.x[:, 0], run.V)
    assert len(run.spike_times) >= 15
    assert 60 <= run.firing_rate() <= 90  # ~68 Hz, over the second half
    assert np.all(run.spikes.peaks > 20)
    # A step from 20 to 70 ms: spikes only while it is on.
    step = hh.simulate(10.0, ms=120, onset=20, duration=50)
    assert len(step.spikes) >= 3 and step.spike_times[0] > 20 and step.spike_times[-1] < 72


def test_fi_curve_is_monotone_above_the_rheobase():
    hh = engram.HodgkinHuxley()
    fi = hh.fi_curve(np.arange(0.0, 21.0, 2.0), ms=400)
    assert fi.currents.shape == fi.rates.shape == fi.spikes.shape == (11,)
    assert np.all(fi.rates[:4] == 0)  # 0..6 uA/cm2: no repetitive firing
    assert fi.rates[4] > 45  # class-2 onset: the rate jumps from 0
    assert np.all(np.diff(fi.rates[4:]) >= 0)
    r = hh.rheobase(4.0, 8.0, ms=400, precision=1e-2)
    assert r.found and 6.0 < r.current < 6.5 and r.precision <= 1e-2 and r.current == r.upper
    assert not hh.rheobase(8.0, 12.0, ms=200).found


def test_detect_spikes_on_a_hand_made_trace():
    V = np.array([-10, 10, 30, 20, -5, 5, -1], dtype=float)
    s = engram.detect_spikes(V, np.arange(7.0))
    np.testing.assert_array_equal(s.times, [0.5, 4.5])
    np.testing.assert_array_equal(s.peaks, [30.0, 5.0])
    np.testing.assert_array_equal(s.peak_times, [2.0, 5.0])
    assert s.rate(0, 6) == 250.0
    assert len(engram.detect_spikes(V, np.arange(7.0), threshold=25.0)) == 1


def test_simulations_in_threads_match_serial_ones():
    hh = engram.HodgkinHuxley()
    currents = [7.0, 10.0, 15.0]
    serial = [hh.simulate(I, ms=100).V for I in currents]
    results = [None] * 3

    def work(k):
        results[k] = hh.simulate(currents[k], ms=100).V

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, expected in zip(results, serial):
        np.testing.assert_array_equal(got, expected)


def test_bad_input_raises():
    hh = engram.HodgkinHuxley()
    with pytest.raises(ValueError, match="amplitude must be finite"):
        hh.simulate(float("nan"))
    with pytest.raises(ValueError, match="duration must be >= 0"):
        hh.simulate(5.0, ms=50, onset=10, duration=-1)
    with pytest.raises(ValueError, match="t_ms must be positive"):
        hh.simulate(5.0, ms=-5)
    with pytest.raises(ValueError, match="dopri5 or rosenbrock"):
        hh.simulate(5.0, ms=10, method="euler")
    with pytest.raises(ValueError, match="C must be positive"):
        engram.HodgkinHuxley(C=0)
    with pytest.raises(ValueError, match="current must be finite"):
        engram.HodgkinHuxley(current=float("inf"))
    with pytest.raises(ValueError, match="expected m, h or n"):
        engram.HodgkinHuxley.gate_rates("k", -65.0)
    with pytest.raises(ValueError, match="4 values"):
        hh.rate([1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        hh.jacobian([np.nan, 0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="NaN"):
        hh.fi_curve([1.0, np.nan])
    with pytest.raises(ValueError, match="lo < hi"):
        hh.rheobase(5.0, 5.0)
    with pytest.raises(ValueError, match="t must increase"):
        engram.detect_spikes([0.0, 1.0], [1.0, 1.0])
    with pytest.raises(TypeError):
        engram.HodgkinHuxley(g_ca=1.0)
