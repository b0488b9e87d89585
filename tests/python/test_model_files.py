"""Model files (SPEC M-42) through Python, and the errors the model classes raise for bad input."""

import numpy as np
import pytest

import engram
from conftest import bipolar


def build_models(rng, dtype):
    """One model of every facade with a file format, and cues for it."""
    xi = bipolar(rng, 3, 16).astype(dtype)
    cues = xi.copy()
    cues[:, :3] *= -1
    return [
        (
            engram.ClassicalHopfield.from_patterns(xi, rule="storkey"),
            lambda m: m.recall(cues, seed=1),
        ),
        (engram.ContinuousHopfield.from_patterns(xi, gain=3.0, tau=2.0), lambda m: m.recall(cues)),
        (engram.ModernHopfield(xi, beta=0.7), lambda m: m.retrieve(cues)),
        (engram.DenseAssociativeMemory(xi, "log_sum_exp(beta=0.5)"), lambda m: m.recall(cues)),
        (engram.LinearAssociativeMemory.auto_associative(xi), lambda m: m.recall(cues)),
    ]


def test_save_load_round_trip_gives_identical_retrievals(rng, dtype, tmp_path):
    for k, (model, retrieve) in enumerate(build_models(rng, dtype)):
        cls = type(model)
        path = tmp_path / f"model{k}.safetensors"
        if k % 2:
            model.save(path)
        else:
            engram.save_model(str(path), model)
        expected = retrieve(model)
        for loaded in (engram.load_model(path), cls.load(str(path))):
            assert type(loaded) is cls and loaded.dtype == dtype
            got = retrieve(loaded)
            np.testing.assert_array_equal(got.states, expected.states)
            np.testing.assert_array_equal(got.steps, expected.steps)
            np.testing.assert_array_equal(got.energy_trace, expected.energy_trace)
            assert repr(loaded) == repr(model)


def test_energy_graphs_go_through_the_same_functions(rng, tmp_path):
    g = engram.ModernHopfield(rng.standard_normal((4, 3)), beta=2.0, dtype=np.float32).graph()
    engram.save_model(tmp_path / "g.safetensors", g)
    loaded = engram.load_model(tmp_path / "g.safetensors")
    assert isinstance(loaded, engram.EnergyGraph) and loaded.dtype == np.float32
    s = rng.standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_array_equal(loaded.energy(loaded.state(x=s)), g.energy(g.state(x=s)))
    with pytest.raises(TypeError, match="save_model: expected"):
        engram.save_model(tmp_path / "x.safetensors", object())


def test_garbled_or_foreign_files_raise_engram_error(rng, tmp_path):
    garbled = tmp_path / "garbled.safetensors"
    garbled.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(engram.Error):
        engram.load_model(garbled)
    with pytest.raises(engram.Error):
        engram.ModernHopfield.load(garbled)
    with pytest.raises(engram.Error):
        engram.load_model(tmp_path / "missing.safetensors")
    assert issubclass(engram.Error, RuntimeError)
    path = tmp_path / "modern.safetensors"
    engram.ModernHopfield(rng.standard_normal((2, 3))).save(path)
    with pytest.raises(engram.Error, match="classical_hopfield"):
        engram.ClassicalHopfield.load(path)


def test_bad_input_raises_value_error_naming_the_problem(rng):
    xi = bipolar(rng, 3, 8)
    net = engram.ClassicalHopfield.from_patterns(xi)
    modern = engram.ModernHopfield(xi, beta=1.0)
    with pytest.raises(ValueError, match=r"ClassicalHopfield.recall: cues.*\(B, 8\).*\(3, 5\)"):
        net.recall(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"\(5,\)"):
        modern.retrieve(np.ones(5))
    nan_cue = xi[0].copy()
    nan_cue[2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        modern.retrieve(nan_cue)
    W = engram.hebbian(xi)
    W[0, 1] += 0.5
    with pytest.raises(ValueError, match="symmetric"):
        engram.ClassicalHopfield(W)
    with pytest.raises(ValueError, match="'asynchronous', 'synchronous'.*'sideways'"):
        net.recall(xi, mode="sideways")
    with pytest.raises(ValueError, match="'auto', 'on', 'off'"):
        net.recall(xi, mode="synchronous", packed="maybe")
    with pytest.raises(ValueError, match="packed"):
        engram.ClassicalHopfield(engram.hebbian(xi)).recall(xi, mode="synchronous", packed="on")
    with pytest.raises(ValueError, match="'tanh', 'sigmoid', 'softplus'"):
        engram.ContinuousHopfield(W * 0, activation="relu")
    with pytest.raises(ValueError, match="polynomial"):
        engram.DenseAssociativeMemory(xi, "polynomial(m=3)")
    with pytest.raises(TypeError, match="unknown relax option"):
        modern.retrieve_by_descent(xi, steps=3)
    with pytest.raises(ValueError, match="dtype"):
        engram.ModernHopfield(xi, dtype=np.int32)
    with pytest.raises(ValueError, match="precisions differ"):
        engram.lse_merge(
            engram.lse_partial(xi, xi, 1.0), engram.lse_partial(xi.astype(np.float32), xi, 1.0)
        )
