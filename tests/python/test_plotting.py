"""engram.plotting: matplotlib drawings of energy traces and image grids, saved atomically."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import engram  # noqa: E402


def test_energy_trace_draws_one_line_per_sample():
    fig, ax = plt.subplots()
    trace = np.cumsum(-np.ones((11, 3)), axis=0)
    assert engram.plotting.energy_trace(trace, ax=ax) is ax
    assert len(ax.lines) == 3
    np.testing.assert_array_equal(ax.lines[2].get_ydata(), trace[:, 2])
    plt.close(fig)


def test_image_grid_lays_images_out_with_a_one_pixel_border():
    fig, ax = plt.subplots()
    images = np.arange(6 * 4, dtype=float).reshape(6, 4)  # six 2x2 images
    engram.plotting.image_grid(images, shape=(2, 2), columns=4, ax=ax)
    grid = ax.images[0].get_array()
    assert grid.shape == (2 * 3 + 1, 4 * 3 + 1)
    np.testing.assert_array_equal(grid[1:3, 4:6], images[1].reshape(2, 2))  # second tile
    plt.close(fig)
    with pytest.raises(ValueError, match="expected shape \\(N, 4\\)"):
        engram.plotting.image_grid(np.zeros((2, 5)), shape=(2, 2))


def test_save_figure_writes_a_png_atomically(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = engram.plotting.save_figure(fig, tmp_path / "sub" / "energy.png")
    plt.close(fig)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["energy.png"]  # no temporary left behind
