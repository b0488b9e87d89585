"""Misuse that must raise a clear error instead of crashing, hanging or giving a silent wrong
answer: objects changed while a GIL-free call uses them, overflowing sizes, values beyond
float32's range, malformed arguments. Each case was found by a review of the bindings."""

import numpy as np
import pytest

import engram


def small_graph(rng):
    g = engram.EnergyGraph()
    g.add_layer("v", 6, engram.Sigmoid(beta=0.5)).add_layer("m", 4, engram.Softmax())
    g.add_synapse("xi", ["m", "v"], engram.DenseSynapse(rng.standard_normal((4, 6))))
    return g


def test_a_graph_cannot_change_while_relax_uses_it(rng):
    g = small_graph(rng)
    s = g.state(v=rng.standard_normal((2, 6)))
    with pytest.raises(RuntimeError, match="EnergyGraph.add_synapse: cannot change it while it is in use"):
        engram.relax(g, s, on_step=lambda k, e: g.add_synapse("b", ["v"], engram.BiasSynapse(np.ones(6))))
    with pytest.raises(RuntimeError, match="EnergyGraph.add_layer"):
        engram.relax(g, s, on_step=lambda k, e: g.add_layer("w", 2, engram.Identity()))
    live = g.synapse("xi")
    with pytest.raises(RuntimeError, match="Synapse.set_param"):
        engram.relax(g, s, on_step=lambda k, e: live.set_param("W", np.zeros((4, 6))))
    # Once relax has returned, the graph can change again.
    live.set_param("W", np.zeros((4, 6)))
    assert g.add_layer("w", 2, engram.Identity()) is g
    assert [l.name for l in g.layers] == ["v", "m", "w"]


def test_a_conditional_memory_cannot_change_during_its_own_generation(rng):
    images, labels = rng.random((6, 10)), [0, 1, 2, 0, 1, 2]
    cm = engram.ConditionalMemory(10, 3, max_steps=10, on_step=lambda k, e: cm.insert(images[:1], [0]))
    cm.insert(images, labels)
    with pytest.raises(RuntimeError, match="ConditionalMemory.insert: cannot change it while it is in use"):
        cm.generate([0])
    assert cm.size == 6  # nothing was inserted half-way


def test_sizes_that_overflow_are_refused():
    with pytest.raises(ValueError, match="tile_images"):
        engram.tile_images(np.zeros((4, 12)), 2**62 + 3, 4, 2)
    with pytest.raises(ValueError, match="corrupt"):
        engram.corrupt(np.zeros((1, 12)), "half", 2**62 + 3, 4)


def test_values_beyond_float32_range_are_refused_not_stored_as_inf(tmp_path):
    with pytest.raises(ValueError, match="beyond float32's range"):
        engram.save_model_file(tmp_path / "m.safetensors", "k", {}, {"w": np.full((2, 2), 1e300)}, dtype="float32")
    with pytest.raises(ValueError, match="beyond float32's range"):
        engram.ModernHopfield(np.full((2, 3), 1e300), dtype="float32")
    assert not (tmp_path / "m.safetensors").exists()


def test_invalid_partials_and_non_elementwise_interactions_are_refused():
    with pytest.raises(ValueError, match="sum must be >= 0"):
        engram.LsePartial(np.zeros(1), -np.ones(1), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="max must be finite or -inf"):
        engram.LsePartial(np.array([np.inf]), np.ones(1), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="log_sum_exp is not elementwise"):
        engram.Interaction.log_sum_exp(1.0).value(np.ones(3))


def test_malformed_arguments_name_themselves(rng):
    g = small_graph(rng)
    with pytest.raises(TypeError, match="relax option 'dt': expected a number, got 'x'"):
        engram.relax(g, g.zeros(1), dt="x")
    with pytest.raises(TypeError, match="relax option 'max_steps': expected an int"):
        engram.relax(g, g.zeros(1), max_steps=2**40)
    with pytest.raises(TypeError, match="beta: expected a number"):
        engram.make_lagrangian("sigmoid", beta="x")
    with pytest.raises(TypeError, match="interaction: expected an engram.Interaction or its text"):
        engram.DenseAssociativeMemory(np.ones((2, 3)), 3)
    with pytest.raises(ValueError, match="loads is empty"):
        engram.run_capacity(n=20, trials=1, loads=[])
    cm = engram.ConditionalMemory(4, 2)
    cm.insert(rng.random((2, 4)), np.array([0, 1]))  # NumPy integers are class indices
    cm.insert(rng.random(4), np.int64(1))
    assert cm.memory_labels.tolist() == [0, 1, 1]
    with pytest.raises(TypeError, match="labels\\[0\\]: expected an integer class index, got 1.5"):
        cm.insert(rng.random((1, 4)), [1.5])


def test_objects_from_a_graph_keep_their_family(rng):
    g = small_graph(rng)
    g.add_synapse("mem", ["v"], engram.MemorySynapse(rng.standard_normal((3, 6)), "polynomial(n=3)"))
    lagrangian = g.layers[0].lagrangian
    assert isinstance(lagrangian, engram.Sigmoid) and lagrangian.beta == 0.5
    assert isinstance(g.synapse("xi"), engram.DenseSynapse)
    assert g.synapse("mem").interaction == engram.Interaction("polynomial(n=3)")
    assert isinstance(engram.make_lagrangian("tanh", beta=2.0), engram.Tanh)
    net = engram.ModernHopfield(np.eye(3))
    np.testing.assert_array_equal(net.recall(np.eye(3)).states, net.retrieve(np.eye(3)).states)
