"""Plots of engram results with matplotlib: energy traces and image grids.

engram computes; matplotlib draws. Each function takes an optional matplotlib Axes and returns the
Axes it drew on, so figures compose.
"""

import numpy as np


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


def energy_trace(trace, ax=None, label=None, xlabel="step", ylabel="energy"):
    """Plots an energy trace: `trace` is (steps + 1,) or (steps + 1, B), one line per sample."""
    ax = _axes(ax)
    trace = np.asarray(trace, dtype=float)
    if trace.ndim not in (1, 2):
        raise ValueError(f"trace: expected a 1-D or 2-D array, got shape {trace.shape}")
    ax.plot(np.arange(trace.shape[0]), trace, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def image_grid(images, shape=(28, 28), columns=10, ax=None, vmin=None, vmax=None, cmap="gray"):
    """Shows a batch of flattened images (N, h*w) as one grid, `columns` images wide."""
    ax = _axes(ax)
    images = np.asarray(images, dtype=float)
    h, w = shape
    if images.ndim != 2 or images.shape[1] != h * w:
        raise ValueError(f"images: expected shape (N, {h * w}), got {images.shape}")
    n = images.shape[0]
    columns = max(1, min(columns, n))
    rows = -(-n // columns)
    lo = images.min() if vmin is None else vmin
    grid = np.full((rows * (h + 1) + 1, columns * (w + 1) + 1), lo, dtype=float)
    for k in range(n):
        r, c = divmod(k, columns)
        grid[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = images[k].reshape(h, w)
    ax.imshow(grid, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    return ax


def save_figure(fig, path, **savefig_kwargs):
    """Saves a matplotlib figure atomically: to a temporary file beside `path`, then renamed over
    it, so a reader never sees half a picture. The format follows the suffix of `path`."""
    import os
    import pathlib
    import tempfile

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format=path.suffix.lstrip(".") or None, **savefig_kwargs)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
