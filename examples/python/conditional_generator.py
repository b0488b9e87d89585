"""Seed 001's conditional generator on MNIST, in Python (SPEC M-06): image x, label y and memories
z in one energy graph. Clamp a label and the image descends the energy to a stored digit of that
class (one image per class, drawn with its energy trace); clamp an image and the label layer
classifies it.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/conditional_generator.py [OUT_DIR] [--smoke]
"""
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # draw to files, no window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import engram  # noqa: E402

out = pathlib.Path(next((a for a in sys.argv[1:] if not a.startswith("--")), "out/python"))
smoke = "--smoke" in sys.argv  # fewer memories and test digits (make test runs this)
per_class, tested = (3, 50) if smoke else (20, 500)

train = engram.load_dataset("mnist", "train", limit=2000)
picked = np.concatenate([np.flatnonzero(train.labels == c)[:per_class] for c in range(10)])
memory = engram.ConditionalMemory(image_size=784, num_classes=10, beta=1.0)
memory.insert(train.images[picked], train.labels[picked].astype(int).tolist())
print(f"{memory.size} memories of 10 digits, lambda = {memory.lam:.1f}")

def nearest_class(images):
    """The class of the nearest stored digit (Euclidean), for comparison."""
    d = ((images[:, None, :] - memory.memory_images[None, :, :]) ** 2).sum(-1)
    return np.asarray(memory.memory_labels)[d.argmin(axis=1)]


generated = memory.generate(list(range(10)))          # one image per class, label clamped
print(f"asked for 0..9, generated images nearest stored digits of class {nearest_class(generated.images).tolist()}")

test = engram.load_dataset("mnist", "test", limit=tested)
predicted = np.asarray(memory.classify(test.images).labels)   # image clamped, label relaxes
print(f"classified {np.mean(predicted == test.labels):.1%} of {tested} test digits correctly "
      f"(the nearest stored digit's class: {np.mean(nearest_class(test.images) == test.labels):.1%})")

fig = plt.figure(figsize=(10, 3.2))
engram.plotting.image_grid(generated.images, columns=10, ax=fig.add_subplot(2, 1, 1), vmin=0, vmax=1)
trace = fig.add_subplot(2, 1, 2)
engram.plotting.energy_trace(generated.relax.trace, ax=trace, xlabel="Euler step")
trace.set_title("energy of each generated image (never rises)", fontsize=9)
fig.tight_layout()
print("wrote", engram.plotting.save_figure(fig, out / "conditional_generator.png", dpi=100))
