"""Landscape sculpting (SPEC M-30, M-35): two tanh neurons with a recurrent synapse and biases.
Before learning the energy has one minimum, at the origin. Training W and b by the gradient
through 20 Euler steps of the relaxation, so that runs started near each target activation end
on it, carves two minima at the targets. Draws the energy on a 2-D grid of states before and
after, with the minima (found by relaxing from a grid of starts) and the targets marked.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/landscape_sculpting.py [OUT_DIR] [--smoke]
"""
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # draw to files, no window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import engram  # noqa: E402

out = pathlib.Path(next((a for a in sys.argv[1:] if not a.startswith("--")), "out/python"))
smoke = "--smoke" in sys.argv  # fewer iterations and a coarser grid (the test suite runs this)
iterations, grid_points = (80, 41) if smoke else (400, 121)

targets = np.array([[0.8, -0.8], [-0.8, 0.8]])  # target activations xhat = tanh(x)
g = engram.EnergyGraph()
g.add_layer("x", 2, engram.Tanh(beta=1.0))
g.add_synapse("W", ["x"], engram.RecurrentSynapse(np.zeros((2, 2))))
g.add_synapse("b", ["x"], engram.BiasSynapse(np.zeros((1, 2))))


def landscape():
    """Energy on a grid of internal states x in [-3, 3]^2, and the minima relaxation finds."""
    axis = np.linspace(-3, 3, grid_points)
    X1, X2 = np.meshgrid(axis, axis)
    E = g.energy(g.state(x=np.column_stack([X1.ravel(), X2.ravel()]))).reshape(X1.shape)
    starts = np.column_stack([c.ravel() for c in np.meshgrid(np.linspace(-2.5, 2.5, 6),
                                                             np.linspace(-2.5, 2.5, 6))])
    s = g.state(x=starts)
    engram.relax(g, s, dt=0.1, max_steps=3000, tolerance=1e-9)
    minima = np.unique(np.round(s["x"], 3), axis=0)
    return X1, X2, E, minima


before = landscape()
rng = np.random.default_rng(1)
starts = np.arctanh(targets)
W, b = g.synapse("W"), g.synapse("b")
lr, batch = 1.0, 16
for it in range(iterations):
    # Runs from noisy starts around each target should end on that target.
    which = np.arange(batch) % len(targets)  # as many runs for each target
    x0 = starts[which] + 0.3 * rng.standard_normal((batch, 2))
    r = engram.gradient_through_dynamics(g, g.state(x=x0), [("x", "squared_error", targets[which])],
                                         dt=0.3, steps=20)
    W.set_param("W", W.params["W"] - lr * r["params"]["W"]["W"] / batch)
    b.set_param("b", b.params["b"] - lr * r["params"]["b"]["b"] / batch)
after = landscape()
print(f"after {iterations} steps: loss per run {r['loss'] / batch:.2e}, W12 = {W.params['W'][0, 1]:.3f}, "
      f"b = {np.round(b.params['b'][0], 3)}")
print("minima (activations):", np.round(np.tanh(after[3]), 3).tolist(), "targets:", targets.tolist())

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, (X1, X2, E, minima), title in zip(axes, (before, after), ("before learning", "after learning")):
    c = ax.contourf(X1, X2, E, levels=30, cmap="viridis")
    fig.colorbar(c, ax=ax, label="energy")
    ax.plot(minima[:, 0], minima[:, 1], "w*", markersize=14, label="minima (relaxed)")
    ax.plot(starts[:, 0], starts[:, 1], "rx", markersize=10, mew=2, label="targets (x = atanh t)")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
fig.tight_layout()
print("wrote", engram.plotting.save_figure(fig, out / "landscape_sculpting.png", dpi=100))
