"""MNIST pattern completion in Python: store binarised digits, mask the lower half of each, and
let a modern Hopfield network and a classical one (projection rule) complete them (SPEC M-10,
M-12, M-43). Draws cues, completions and the truth as one figure.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/mnist_completion.py [OUT_DIR] [--smoke]
"""
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # draw to files, no window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import engram  # noqa: E402

out = pathlib.Path(next((a for a in sys.argv[1:] if not a.startswith("--")), "out/python"))
smoke = "--smoke" in sys.argv  # 20 digits instead of 200 (make test runs this)
memories, shown = (20, 8) if smoke else (100, 12)

digits = engram.load_dataset("mnist", "train", limit=memories)
patterns = engram.binarize(digits.images)                      # (N, 784) of +-1, float32
cues = engram.corrupt(patterns, "half", rows=28, cols=28, fill=0, seed=1)  # lower half unknown

models = {
    "modern Hopfield (beta = 1)": engram.ModernHopfield(patterns, beta=1.0),
    "classical (pseudo-inverse)": engram.ClassicalHopfield.from_patterns(patterns, rule="pseudo_inverse"),
}
rows = [("cue", cues)]
for name, model in models.items():
    r = model.retrieve(cues) if hasattr(model, "retrieve") else model.recall(cues)
    perfect = np.mean(np.all(r.states == patterns, axis=1))
    distances = ((r.states[:, None, :] - patterns[None, :, :]) ** 2).sum(-1)
    nearest = np.mean(distances.argmin(axis=1) == np.arange(memories))
    print(f"{name}: of {memories} half-masked digits, {nearest:.0%} completed nearest their own, "
          f"{perfect:.0%} pixel for pixel")
    rows.append((name, r.states))
rows.append(("truth", patterns))

fig, axes = plt.subplots(len(rows), 1, figsize=(shown, 1.2 * len(rows)))
for ax, (name, images) in zip(axes, rows):
    engram.plotting.image_grid(engram.from_bipolar(images[:shown]), columns=shown, ax=ax, vmin=0, vmax=1)
    ax.set_title(name, fontsize=9, loc="left")
fig.tight_layout()
print("wrote", engram.plotting.save_figure(fig, out / "mnist_completion.png", dpi=100))
