"""Contrastive divergence on an energy graph (SPEC M-32), checked on a Gaussian graph whose
maximum-likelihood parameters are those that generated the data."""
import numpy as np
import pytest

import engram


def gaussian_graph(dtype):
    g = engram.EnergyGraph(dtype=dtype)
    g.add_layer("x", 2, engram.Identity())
    g.add_synapse("b", ["x"], engram.BiasSynapse(np.zeros((1, 2), dtype=dtype)))
    return g


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cd_recovers_the_mean_of_gaussian_data(dtype):
    # E = ½‖x‖² − bᵀx is N(b, I): maximum likelihood sets b to the data mean.
    rng = np.random.default_rng(0)
    mean = np.array([0.7, -0.4])
    data = (rng.normal(size=(20000, 2)) + mean).astype(dtype)
    g = gaussian_graph(dtype)
    cd = engram.GraphContrastiveDivergence(g, visible=["x"], learning_rate=0.05, step_size=0.3,
                                           metropolis=True, negative_steps=5, seed=3)
    bs = []
    for t in range(600):
        out = cd.step(g, {"x": data[rng.integers(0, len(data), 200)]})
        if t >= 300:
            bs.append(np.array(g.synapse("b").params["b"]).ravel())
    assert out["acceptance"] > 0.5
    np.testing.assert_allclose(np.mean(bs, axis=0), data.mean(axis=0), atol=0.05)


def test_cd_refuses_bad_input():
    g = gaussian_graph(np.float64)
    with pytest.raises(ValueError, match="visible"):
        engram.GraphContrastiveDivergence(g, visible=[])
    with pytest.raises(ValueError, match="learning_rate"):
        engram.GraphContrastiveDivergence(g, visible=["x"], learning_rate=-1)
    cd = engram.GraphContrastiveDivergence(g, visible=["x"])
    with pytest.raises(ValueError, match="visible layer 'x'"):
        cd.step(g, {"y": np.zeros((4, 2))})
    with pytest.raises(ValueError, match="NaN"):
        cd.step(g, {"x": np.full((4, 2), np.nan)})
