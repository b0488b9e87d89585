"""Seed 001 in Python: a classical Hopfield network (CHN) and a Dense Associative Memory (DAM),
each built from Lagrangian neurons and one synapse and relaxed by explicit Euler (SPEC M-05).

    PYTHONPATH=build/python /usr/bin/python3 examples/python/seed001_tutorial.py [OUT_DIR] [--smoke]
"""
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # draw to files, no window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import engram  # noqa: E402

out = pathlib.Path(next((a for a in sys.argv[1:] if not a.startswith("--")), "out/python"))
smoke = "--smoke" in sys.argv  # a few steps only (make test runs this)

K, D = 100, 30                                     # memories, visible neurons
rng = np.random.default_rng(55)
xi = rng.random((K, D))                            # one stored pattern per row
v0, m0 = rng.random(D), rng.standard_normal(K)     # the initial state

fig, ax = plt.subplots(figsize=(6, 4))
for name, memory, dt, steps in [("CHN", engram.Identity(), 0.03, 150), ("DAM", engram.Softmax(beta=1.0), 0.01, 500)]:
    g = engram.EnergyGraph()
    g.add_layer("v", D, engram.Sigmoid(beta=1 / (2 * D)))      # visible neurons
    g.add_layer("m", K, memory)                                # memory neurons
    g.add_synapse("xi", ["m", "v"], engram.DenseSynapse(xi))   # E_S = -m^T Xi v
    s = g.state(v=v0, m=m0)
    r = engram.relax(g, s, dt=dt, max_steps=steps // 10 if smoke else steps, tolerance=0)
    E = r.trace[:, 0]
    print(f"{name}: energy {E[0]:.4f} -> {E[-1]:.4f} in {r.steps} steps; never rises: {bool(np.all(np.diff(E) <= 0))}")
    ax.plot(E - E[-1] + 1, label=f"{name} (dt = {dt})")    # shifted to share a log axis
ax.set(xlabel="Euler step", ylabel="E - E_final + 1", yscale="log", title="Seed 001: energy descent")
ax.legend()
print("wrote", engram.plotting.save_figure(fig, out / "seed001_energy.png", dpi=120))
