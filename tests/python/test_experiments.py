"""The recall and capacity experiments (SPEC M-43, M-16) from Python: the CLI's code, its scores
recomputed from the arrays it returns, and progress callbacks that call back into Python."""

import numpy as np
import pytest

import engram


def test_modern_recall_of_half_masked_mnist(tmp_path):
    path = tmp_path / "modern.safetensors"
    r = engram.run_recall("modern", "mnist", memories=20, corruption="half", save_model=path)
    assert r.exact_recall == 1.0
    assert r.perfect_recall == 1.0 and r.mean_pixel_error == 0.0
    assert r.dimension == 784 and (r.rows, r.cols) == (28, 28)
    for a in (r.cues, r.retrieved, r.truth):
        assert a.shape == (20, 784) and a.dtype == np.float32
    assert r.energy_trace.shape[1] == 20 and r.energy_trace.dtype == np.float64
    # The truths are the binarised training images, as pixels 0 or 1.
    ds = engram.load_dataset("mnist", "train", limit=20)
    np.testing.assert_array_equal(r.truth, (ds.images >= 0.5).astype(np.float32))
    # Half: the lower 14 rows of every cue are masked to 0, the grey 0.5 as a pixel.
    np.testing.assert_array_equal(r.cues[:, 14 * 28 :], 0.5)
    np.testing.assert_array_equal(r.cues[:, : 14 * 28], r.truth[:, : 14 * 28])
    # The energy never rises along a retrieval.
    assert (np.diff(r.energy_trace, axis=0) <= 1e-6 * np.abs(r.energy_trace[:-1]) + 1e-9).all()
    assert r.config["model"] == "modern" and r.config["corruption"] == "half"
    assert r.config["save_model"] == path
    assert "Hopfield" in r.model_description and "RecallReport" in repr(r)
    assert engram.model_file_kind(path) == "modern_hopfield"
    f = engram.load_model_file(path)
    np.testing.assert_array_equal(f.tensors["xi"], 2 * r.truth - 1)


def test_recall_scores_are_consistent_with_the_arrays():
    r = engram.run_recall("classical", memories=30, corruption="flip:0.1", seed=3, max_steps=20)
    error = np.abs(r.retrieved - r.truth)
    assert r.mean_pixel_error == pytest.approx(error.mean(), rel=1e-6)
    d = ((r.retrieved[:, None, :] - r.truth[None, :, :]) ** 2).sum(-1)
    assert r.exact_recall == pytest.approx((d.argmin(axis=1) == np.arange(30)).mean())
    assert 0 <= r.converged_fraction <= 1 and 1 <= r.mean_steps <= 20
    # The same seed gives the same run.
    again = engram.run_recall("classical", memories=30, corruption="flip:0.1", seed=3, max_steps=20)
    np.testing.assert_array_equal(again.retrieved, r.retrieved)


def test_recall_errors():
    with pytest.raises(ValueError, match="model 'hopfield'"):
        engram.run_recall("hopfield", memories=5)
    with pytest.raises(ValueError, match="rule"):
        engram.run_recall("modern", memories=5, rule="storkey")
    with pytest.raises(ValueError, match="not understood"):
        engram.run_recall(memories=5, corruption="blur")
    with pytest.raises(TypeError, match="on_progress"):
        engram.run_recall(memories=5, on_progress=42)


def test_classical_capacity_low_and_high_load():
    r = engram.run_capacity("classical", n=100, trials=3, loads=[0.3, 0.05, 0.3])
    assert [p.load for p in r.points] == [0.05, 0.3]  # sorted and de-duplicated
    assert [p.patterns for p in r.points] == [5, 30]
    low, high = r.points
    assert low.bit_error_rate <= 0.01 and low.failure_rate <= 0.1
    assert high.bit_error_rate >= 0.1 and high.failure_rate >= 0.5
    np.testing.assert_array_equal(r.loads, [0.05, 0.3])
    np.testing.assert_array_equal(r.bit_error_rates, [low.bit_error_rate, high.bit_error_rate])
    assert np.isfinite(low.bit_error_stderr)
    # The critical load is interpolated between the two points, at the tolerance.
    assert 0.05 < r.critical_load < 0.3
    f = (0.015 - low.bit_error_rate) / (high.bit_error_rate - low.bit_error_rate)
    assert r.critical_load == pytest.approx(0.05 + f * 0.25)
    assert r.config["loads"] == [0.05, 0.3] and "classical" in r.model_description


def test_capacity_without_a_crossing():
    r = engram.run_capacity("classical", n=100, trials=1, loads=[0.02])
    assert r.critical_load is None and "within the tolerance" in r.critical_note
    assert np.isnan(r.points[0].bit_error_stderr)  # one trial has no spread


def test_progress_callbacks_are_called_in_order():
    calls = []
    engram.run_capacity(n=60, trials=2, loads=[0.05, 0.1], on_progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    recall_calls = []
    engram.run_recall(memories=10, on_progress=lambda d, t: recall_calls.append((d, t)))
    assert recall_calls == [(10, 10)]


def test_exception_in_progress_callback_propagates():
    class Stop(Exception):
        pass

    seen = []

    def stop(done, total):
        seen.append(done)
        raise Stop(f"stopped at {done} of {total}")

    with pytest.raises(Stop, match="stopped at 1 of 6"):
        engram.run_capacity(n=60, trials=3, loads=[0.05, 0.1], on_progress=stop)
    assert seen == [1]  # the run stopped at the first call
    with pytest.raises(KeyError):
        engram.run_recall(memories=5, on_progress=lambda d, t: {}["missing"])
